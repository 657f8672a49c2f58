"""The OpenAPI document: valid, complete for `/api/`, and true to what the API answers."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.routing import Route

# Small, so the suite stays fast: each operation gets this many generated requests per
# generation mode, on each database.
EXAMPLES_PER_OPERATION = 20


def app_routes(routes):  # type: ignore[no-untyped-def]
    """Every route, including those of included routers (FastAPI keeps those as branches)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from app_routes(included.routes)
        else:
            yield route


# No parameters, or only a free-form slug: every URL is schema-valid, so there are no
# negative cases to generate (hypothesis would report them unsatisfiable).
NOTHING_TO_BREAK = {
    "/api/parties",
    "/api/demands",
    "/api/negotiations",
    "/api/parties/{slug}",
    "/api/demands/{slug}",
    "/api/negotiations/{slug}",
    "/api/negotiations/{slug}/proposals",
    "/api/negotiations/{slug}/demands",
}


def test_every_api_route_is_documented(app, client) -> None:
    document = client.get("/openapi.json").json()
    routes = {
        route.path
        for route in app_routes(app.routes)
        if isinstance(route, Route) and route.path.startswith("/api/")
    }
    assert len(routes) == 26
    assert routes and routes <= set(document["paths"])
    for path in routes:
        operation = document["paths"][path]["get"]
        assert operation.get("description"), path
        # Errors are documented as what they are: problem details, never a 422.
        assert {"200", "400", "404"} <= set(operation["responses"])
        assert "422" not in operation["responses"]
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])


def test_every_response_field_has_a_description(client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in (
        "StatementOut",
        "DateValue",
        "StanceValue",
        "MatrixOut",
        "GapsOut",
        "Problem",
        "SourceWithCheck",
        "LinkCheckOut",
    ):
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description") or "$ref" in spec or "allOf" in spec, (name, field)


def test_the_document_loads_as_valid_openapi(app) -> None:
    # Schemathesis validates the document against the OpenAPI 3.1 schema as it loads it.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in operations} >= {
        "/api/statements",
        "/api/matrix",
        "/api/gaps",
        "/api/negotiations/{slug}/matrix",
        "/api/negotiations/{slug}/gaps",
        "/api/statements/{statement_id}/revisions",
    }


def test_generated_requests_get_no_500s_and_responses_match_their_schema(app) -> None:
    """Schemathesis generates requests from the document (valid and not) for each operation;
    every response must be a non-5xx that matches what the document promises for it."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 26
    for operation, mode in itertools.product(operations, GenerationMode):
        if mode is GenerationMode.NEGATIVE and operation.path in NOTHING_TO_BREAK:
            continue

        # Positive cases follow the document; negative ones break it (wrong types, out of
        # range): both must get a documented answer, never a 500.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_headers_conformance,
                    response_schema_conformance,
                ]
            )

        check()
