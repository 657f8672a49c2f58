"""Bounded input everywhere (issue 13, items 8, 9 and 11): every date and whole number a route
or form takes is read within a documented range, in ASCII digits, or refused in words that name
the parameter; never a 500, never a change to what is stored.

The GET walk goes over the route table, so a route added later with a date or an integer
parameter is probed without anyone remembering to list it here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.charts import Level, Series, Step, step_chart
from app.models import Statement
from app.security import EMBED_PREFIX
from app.stances import MAX_COMPARED
from tests.api.test_openapi import app_routes
from tests.editors import counts, form_fields
from tests.factories import (
    make_demand,
    make_participation,
    make_party,
    make_source,
    make_statement,
)
from tests.html import parse
from tests.test_headers_everywhere import assert_security_headers

HUGE = "9" * 5000  # over Python's 4,300-digit limit for int(): a ValueError, once a 500
ARABIC_INDIC = ["١", "٣", "١٢"]  # str.isdecimal() says yes, int() reads them as 1, 3 and 12
BAD_NUMBERS = [HUGE, *ARABIC_INDIC]
BAD_DATES = ["0001-01-01", "1899-12-31"]
GOOD_EXTREME_DATES = ["1900-01-01", "9999-12-31"]
CONTROL_CHARACTERS = ["\x00", "russia\x00", "\x1b[2J"]

# Query parameters by what they hold. A parameter in none of these fails the walk: say what it is.
DATES = {"as_of", "since", "from", "to", "recorded"}  # recorded: up to today only
NUMBERS = {
    "page",
    "limit",
    "source",
    "stance",
    "maxwidth",
    "maxheight",
}  # max*: oEmbed pixels  # stance: a slug or its number, -2 to 2
CURSORS = {"cursor", "before"}  # a keyset position (date_id) or an id, from a 'next' link
NOT_NUMBERS = {
    "q",
    "order",  # stated or entered (the timeline)
    "publisher",
    "kind",
    "party",
    "demand",
    "negotiation",  # a negotiation's slug
    "next",
    "saved",
    "source_url",
    "include_retracted",
    "parties",
    "chart",  # the demand chart's range: "full" or the story's window
    "with",  # a proposal's slug: the plan shown beside the parties
    "a",  # plan against plan: the two proposals' slugs
    "b",
    "start",  # the version form: "previous" copies the previous version's points
    "version",  # a proposal's version: its slug or id, compared as text (at most 100 characters)
    "url",  # oEmbed: the address of the page to embed
    "format",  # oEmbed: json (anything else is 501)
}
# Under a proposal, `from` and `to` name versions (slug or id), not days.
VERSION_REFS = {"from", "to"}
# Values a route needs to get as far as reading the parameter probed.
REQUIRED = {
    "/compare": {"parties": "russia,ukraine"},
    "/talks/{negotiation}/compare": {"parties": "russia,ukraine"},
    "/api/gaps": {"parties": "russia,ukraine"},
    "/api/negotiations/{slug}/gaps": {"parties": "russia,ukraine"},
    "/edit/sources/suggest": {"source_url": "https://example.org/x"},
    "/search": {"q": "ceasefire"},
    "/talks/{negotiation}/compare/share.png": {"parties": "russia,ukraine"},
    "/oembed": {"url": "http://127.0.0.1:8000/talks/russia-ukraine"},
}
# Answered with problem details, as the API is (oEmbed is read by programs).
PROBLEM_PATHS = ("/api/", "/oembed")


@dataclass(frozen=True)
class Probe:
    path: str
    params: dict[str, str]
    parameter: str
    value: str
    expected: int

    def __str__(self) -> str:
        return f"{self.path}?{self.parameter}={self.value[:12]}"


def _path_values(route_path: str) -> dict[str, str]:
    """Real records for a route's path parameters, so the query parameter is what fails."""
    demand = "nato-renunciation"
    return {
        "slug": "russia-ukraine"
        if "/negotiations/" in route_path
        else demand
        if "/demands/" in route_path
        else "russian-conditions-june-2024"
        if "/proposals/" in route_path
        else "ukraine",
        "demand": demand,
        "statement_id": "1",
        "source_id": "1",
        "user_id": "1",
        "record_id": "1",
        "kind_slug": "parties",
        "negotiation": "russia-ukraine",
        "proposal": "russian-conditions-june-2024",
        "version": "1",
        # The follow feeds' (app/follow/routes.py), the share images' and embeds' (app/share/),
        # and the webhooks page's.
        "party": "ukraine",
        "endpoint_id": "1",
    }


def _params_of(route: APIRoute) -> tuple[list[str], dict[str, type]]:
    query: list[str] = []
    path: dict[str, type] = {}
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        query += [field.alias for field in dependant.query_params]
        path.update({f.alias: f.field_info.annotation for f in dependant.path_params})  # type: ignore[misc]
        pending.extend(dependant.dependencies)
    return query, path


def probes(app) -> Iterator[Probe]:  # type: ignore[no-untyped-def]
    for route in app_routes(app.routes):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        query, path_types = _params_of(route)
        fill = _path_values(route.path)
        path = route.path_format.format(**{name: fill[name] for name in path_types})
        base = dict(REQUIRED.get(route.path, {}))
        for name in query:
            # A proposal's version compare (`…/proposals/{slug or proposal}/compare`).
            if (
                name in VERSION_REFS
                and "/proposals/" in route.path
                and route.path.endswith("}/compare")
            ):
                continue  # version refs: free text, bounded by max_length (tests/proposals)
            if name in DATES:
                for value in BAD_DATES:
                    yield Probe(path, {**base, name: value}, name, value, 400)
                if name in {"as_of", "from"}:  # since and to must not be after as_of or from
                    for value in GOOD_EXTREME_DATES:
                        yield Probe(path, {**base, name: value}, name, value, 200)
            elif name in NUMBERS | CURSORS:
                values = [*BAD_NUMBERS, *(f"2024-06-01_{v}" for v in BAD_NUMBERS)]
                if name in CURSORS:
                    values += [f"{d}_1" for d in BAD_DATES]
                for value in values:
                    yield Probe(path, {**base, name: value}, name, value, 400)
            else:
                assert name in NOT_NUMBERS, f"{route.path}: what does {name!r} hold? Classify it."
            # No parameter, whatever it holds, reaches a query with a NUL in it (PostgreSQL
            # cannot hold one: /api/statements?negotiation=%00 was a 500).
            for value in CONTROL_CHARACTERS:
                yield Probe(path, {**base, name: value}, name, value, 400)
        for name in path_types:
            for value in CONTROL_CHARACTERS:
                bad = route.path_format.format(**{**fill, name: quote(value)})
                yield Probe(bad, dict(base), name, value, 404)
        for name, annotation in path_types.items():
            if annotation is int:
                for value in BAD_NUMBERS:
                    bad = route.path_format.format(**{**fill, name: value})
                    # A malformed id names no record: not found (the same for pages and API).
                    yield Probe(bad, dict(base), name, value, 404)


def test_every_date_and_integer_parameter_of_every_get_route_is_bounded(
    admin_client, session: Session
) -> None:
    """Logged in as an admin, so that editor pages answer rather than redirect to the login."""
    before = counts(session)
    tried = {str(p.parameter) for p in probes(admin_client.app)}
    assert {"as_of", "since", "from", "to", "page", "cursor", "before", "limit", "source"} <= tried
    failures = []
    n = 0
    for probe in probes(admin_client.app):
        n += 1
        response = admin_client.get(probe.path, params=probe.params, follow_redirects=False)
        assert_security_headers(response.headers, framable=probe.path.startswith(EMBED_PREFIX))
        if response.status_code == 301:  # an old URL shape moved: judged by where it leads
            response = admin_client.get(response.headers["location"], follow_redirects=False)
        if response.status_code != probe.expected:
            failures.append(f"{probe}: {response.status_code} (wanted {probe.expected})")
            continue
        if probe.expected != 400:
            continue
        if probe.path.startswith(PROBLEM_PATHS):
            assert response.headers["content-type"] == "application/problem+json", str(probe)
            named = [error["name"] for error in response.json()["errors"]]
            if probe.parameter not in named:
                failures.append(f"{probe}: the problem names {named}, not {probe.parameter}")
        else:
            assert response.headers["content-type"].startswith("text/html"), str(probe)
            if probe.parameter not in parse(response).get_text():
                failures.append(f"{probe}: the page does not name {probe.parameter}")
    print(f"{n} probes of GET routes")
    assert not failures, "\n".join(failures)
    assert counts(session) == before


def test_the_documented_query_date_range_is_on_the_about_page_and_in_the_api(client) -> None:
    about = parse(client.get("/about")).get_text(" ")
    assert "1 January 1900" in about and "31 December 9999" in about
    assert "a year from today" in about
    spec = client.get("/openapi.json").json()
    as_of = next(
        p
        for p in spec["paths"]["/api/negotiations/{slug}/matrix"]["get"]["parameters"]
        if p["name"] == "as_of"
    )
    assert "1900-01-01" in as_of["description"] and "9999-12-31" in as_of["description"]


# Charts ------------------------------------------------------------------------------------


LEVELS = [Level(2, "top"), Level(-2, "bottom")]


@pytest.mark.parametrize(
    ("steps", "end"),
    [
        ([], dt.date(1, 1, 1)),
        ([dt.date(1, 1, 1)], dt.date(1, 1, 1)),
        ([dt.date(1, 1, 1)], dt.date(9999, 12, 31)),
        ([dt.date(1900, 1, 1), dt.date(2024, 6, 1)], dt.date(9999, 12, 31)),
        ([dt.date(9999, 12, 31)], dt.date(9999, 12, 31)),
        ([], dt.date(9999, 12, 31)),
    ],
)
def test_charts_draw_any_date_without_overflowing(steps: list[dt.date], end: dt.date) -> None:
    chart = step_chart(
        [Series("a", "#000000", [Step(day, 1, "x") for day in steps])],
        LEVELS,
        end=end,
        title="t",
        description="d",
    )
    assert len(chart.x_ticks) <= 7
    xs = [p.x for line in chart.lines for p in line.points] + [t.at for t in chart.x_ticks]
    assert all(chart.left <= x <= chart.right_edge for x in xs), xs


@pytest.mark.parametrize("day", GOOD_EXTREME_DATES)
def test_the_earliest_and_latest_query_dates_draw_their_charts(client, day: str) -> None:
    for url in (
        f"/demands/nato-renunciation?as_of={day}",
        f"/compare?parties=russia,ukraine&as_of={day}",
        f"/parties/ukraine?as_of={day}",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])


# Editor forms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormProbe:
    page: str
    field: str
    value: str
    # What the page must say beside the field (None: the version, a hidden field, so the
    # refusal is a page that shows what was typed instead).
    message: str | None

    def __str__(self) -> str:
        return f"{self.page} {self.field}={self.value[:12]}"


def _form_probes(session: Session) -> list[FormProbe]:
    statement = make_statement(session)
    party, demand, source = make_party(session), make_demand(session), make_source(session)
    edit_statement = f"/statements/{statement.id}/edit"
    found: list[FormProbe] = []
    for page in (edit_statement, "/statements/new"):
        for value in BAD_DATES:
            found.append(FormProbe(page, "stated_on", value, "1900-01-01"))
        for value in BAD_NUMBERS:
            found.append(FormProbe(page, "party", value, "Choose a party from the list"))
            found.append(FormProbe(page, "demand", value, "Choose a demand from the list"))
            found.append(FormProbe(page, "stance", value, "Choose one of the five stances"))
    for value in ["1899-12-31", (dt.date.today() + dt.timedelta(days=400)).isoformat()]:
        found.append(FormProbe(f"/edit/sources/{source.id}", "published_on", value, "1900-01-01"))
        found.append(FormProbe("/statements/new", "source_published_on", value, "1900-01-01"))
    for value in BAD_NUMBERS:
        found.append(FormProbe(f"/edit/demands/{demand.id}", "display_order", value, "digits"))
        for page in (
            edit_statement,
            f"/edit/parties/{party.id}",
            f"/edit/demands/{demand.id}",
            f"/edit/sources/{source.id}",
        ):
            found.append(FormProbe(page, "version", value, None))
    session.commit()
    return found


NEW_STATEMENT = {
    "party": "1",
    "demand": "1",
    "stance": "-1",
    "summary": "Rejects the proposal, in words kept on refusal.",
    "stated_on": "2025-03-04",
    "source_url": "https://news.example.org/bounded-input",
    "source_title": "A story",
    "source_publisher": "Example News",
    "submission_key": "bounded-input-submission-0001",
}


def test_editor_forms_refuse_out_of_range_dates_and_unreadable_numbers_keeping_the_text(
    editor_client, session: Session
) -> None:
    failures = []
    for probe in _form_probes(session):
        page = editor_client.get(probe.page)
        assert page.status_code == 200, probe
        fields = form_fields(page)  # the form as rendered, with its real CSRF token
        if probe.page == "/statements/new":
            fields.update(NEW_STATEMENT)
        kept = fields.get("summary") or fields.get("title") or fields.get("name")
        fields[probe.field] = probe.value
        before = counts(session)
        response = editor_client.post(probe.page, data=fields, follow_redirects=False)
        assert counts(session) == before, probe
        assert_security_headers(response.headers)
        html = parse(response)
        expected = 422 if probe.message else 400
        if response.status_code != expected:
            failures.append(f"{probe}: {response.status_code} (wanted {expected})")
            continue
        if probe.message:
            error = html.select_one(f"#{probe.field}-error")
            if error is None or probe.message not in error.get_text():
                failures.append(f"{probe}: field message {error and error.get_text()!r}")
            shown = html.select_one(f"[name={probe.field}]")
            typed = shown.get("value", shown.get_text()) if shown else None
            text_input = shown is not None and shown.name == "input"
            if text_input and shown.get("type", "text") == "text" and typed != probe.value:
                failures.append(f"{probe}: the typed {probe.field} is not kept ({typed!r})")
        # What the editor typed comes back, to send again or to copy.
        if kept and kept not in html.get_text():
            failures.append(f"{probe}: the editor's text {kept!r} is lost")
    assert not failures, "\n".join(failures)


def test_no_service_stores_a_date_outside_the_range(session: Session) -> None:
    from pydantic import ValidationError

    for day in (dt.date(1, 1, 1), dt.date(1899, 12, 31)):
        with pytest.raises(ValidationError, match="1900-01-01"):
            make_statement(session, stated_on=day)
        with pytest.raises(ValidationError, match="1900-01-01"):
            make_source(session, published_on=day)
    with pytest.raises(ValidationError, match="1900-01-01"):
        make_source(session, published_on=dt.date.today() + dt.timedelta(days=400))
    assert make_statement(session, stated_on=dt.date(1900, 1, 1)).id
    session.rollback()
    stored = session.query(Statement).filter(Statement.stated_on < dt.date(1900, 1, 1)).count()
    assert stored == 0


# /compare ----------------------------------------------------------------------------------


def test_compare_refuses_500_parties_before_any_comparison_query(
    client, session: Session, queries
) -> None:
    made = [make_party(session).slug for _ in range(500)]
    session.commit()
    url = "/talks/russia-ukraine/compare?parties=" + ",".join(["russia", "ukraine", *made])
    client.get(
        "/talks/russia-ukraine/compare?parties=russia,ukraine"
    )  # the data version and such, read once
    queries.clear()
    response = client.get(url)
    assert response.status_code == 400
    text = parse(response).get_text(" ")
    assert f"at most {MAX_COMPARED} parties" in text
    # The form is kept: the picker (the talks' participants), what was chosen still ticked.
    assert len(parse(response).select("input[name=parties][checked]")) == 2
    # The data version, the negotiation, its participants: nothing that grows with the
    # selection.
    assert queries.count <= 3, queries.statements
    assert_security_headers(response.headers)


def test_compare_refuses_a_party_repeated_8000_times_in_linear_time(client, queries) -> None:
    client.get("/talks/russia-ukraine/compare?parties=russia,ukraine")
    queries.clear()
    response = client.get(
        "/talks/russia-ukraine/compare?parties=" + ",".join(["russia"] * 8000) + "&as_of=2025-01-01"
    )
    assert response.status_code == 400
    page = parse(response)
    assert f"at most {MAX_COMPARED} parties" in page.get_text(" ")
    assert page.select_one("input[name=as_of]")["value"] == "2025-01-01"
    assert queries.count <= 3, queries.statements
    # Listed twice within the cap: the message names it once.
    twice = client.get("/talks/russia-ukraine/compare?parties=russia,ukraine,russia")
    assert twice.status_code == 400
    assert "“Russia” is listed more than once" in parse(twice).get_text(" ")


def test_compare_takes_the_cap_exactly(client, session: Session) -> None:
    extra = [make_party(session) for _ in range(MAX_COMPARED - 2)]
    for party in extra:
        make_participation(session, party=party)
    session.commit()
    response = client.get(
        "/talks/russia-ukraine/compare?parties="
        + ",".join(["russia", "ukraine", *(p.slug for p in extra)])
    )
    assert response.status_code == 200


def test_an_import_with_a_year_1_statement_is_refused_and_writes_nothing(
    connection, migrated_engine
) -> None:
    """`parley import` is a way in too: the export of a database someone filled by hand."""
    import io
    import json

    from sqlalchemy import func, select

    from app.dataset import ImportRefused, import_lines, write_export

    buffer = io.StringIO()
    write_export(connection, buffer)
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    statement = next(r for r in records if r.get("table") == "statement")
    statement["row"]["stated_on"] = "0001-01-01"
    refused = pytest.raises(ImportRefused, match=r"statement\.stated_on 0001-01-01 is outside")
    with refused, migrated_engine.begin() as target:
        import_lines(target, (json.dumps(r) for r in records))
    with migrated_engine.connect() as target:
        assert target.scalar(select(func.count()).select_from(Statement)) == 0
