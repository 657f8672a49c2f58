"""`/api/negotiations/{slug}/proposals…`: the same proposals as the pages, documented."""

from __future__ import annotations

from tests.proposals.test_pages import _three_versions

API = "/api/negotiations/russia-ukraine/proposals"


def test_the_list_gives_each_proposal_with_authors_and_latest_version(client) -> None:
    body = client.get(API).json()
    slugs = [item["slug"] for item in body["items"]]
    assert slugs == ["russian-conditions-june-2024", "ukraine-peace-formula"]
    russian = body["items"][0]
    assert russian["kind"] == "conditions"
    assert [a["slug"] for a in russian["authors"]] == ["russia"]
    assert russian["latest"]["issued"] == {
        "date": "2024-06-01",
        "precision": "month",
        "iso": "2024-06",
        "text": "June 2024",
    }
    assert russian["latest"]["status"] == "reported"
    assert russian["latest"]["source"]["publisher"] == "Associated Press"
    assert russian["url"] == "/talks/russia-ukraine/proposals/russian-conditions-june-2024"


def test_one_proposal_gives_versions_points_demands_and_lineage(client, session) -> None:
    talks, proposal = _three_versions(session, 3)
    body = client.get(f"/api/negotiations/{talks.negotiation.slug}/proposals/{proposal.slug}")
    assert body.status_code == 200
    data = body.json()
    assert [v["label"] for v in data["versions"]] == ["First draft", "Second draft", "Third draft"]
    assert data["shown"]["slug"] == "third-draft"
    first = data["points"][0]
    assert first["number"] == "1"
    assert first["predecessors"] == [{"number": "1", "change": "reworded"}]
    (stance,) = first["demands"]
    assert (stance["stance"]["slug"], stance["value"], stance["unit"]) == (
        "insists",
        600000,
        "troops",
    )
    assert [p["number"] for p in data["points"]] == ["1", "3", "99"]
    assert data["points"][-1]["predecessors"] == []
    assert [d["number"] for d in data["dropped"]] == ["2"]


def test_unknown_proposals_are_problem_json_404s(client) -> None:
    response = client.get(f"{API}/atlantis-accord")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/negotiations/atlantis/proposals").status_code == 404


def test_the_endpoints_are_documented(client) -> None:
    spec = client.get("/openapi.json").json()
    for path in [
        "/api/negotiations/{slug}/proposals",
        "/api/negotiations/{slug}/proposals/{proposal}",
    ]:
        operation = spec["paths"][path]["get"]
        assert operation["description"] or operation["summary"]
        assert "200" in operation["responses"]
    schemas = spec["components"]["schemas"]
    assert schemas["PointOut"]["properties"]["number"]["description"] == "As printed."


def test_the_api_costs_the_same_queries_for_2_or_28_points(client, session, queries) -> None:
    counts = []
    for count in (2, 28):
        talks, proposal = _three_versions(session, count)
        queries.clear()
        path = f"/api/negotiations/{talks.negotiation.slug}/proposals/{proposal.slug}"
        assert client.get(path).status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_every_proposal_response_field_has_a_description(client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    names = [
        "ProposalList",
        "ProposalSummary",
        "ProposalDetail",
        "VersionOut",
        "PointOut",
        "PointStanceOut",
        "LineageOut",
        "DroppedOut",
    ]
    for name in names:
        for field, spec in schemas[name]["properties"].items():
            assert spec.get("description"), (name, field)


def test_overlong_slugs_are_refused_before_any_query(client, queries) -> None:
    queries.clear()
    long = "x" * 5000
    # A path no record can have is "not found" (app/errors.py), answered without a query.
    assert client.get(f"/talks/russia-ukraine/proposals/{long}").status_code == 404
    assert client.get(f"/talks/russia-ukraine/proposals/plan/versions/{long}").status_code == 404
    assert client.get(f"{API}/{long}").status_code == 404
    assert not [q for q in queries.statements if "proposal" in q]
