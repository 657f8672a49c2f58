"""Adding proposals and versions through the real forms, with real CSRF tokens."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import PointDemand, PointLineage, Proposal, ProposalPoint, ProposalVersion, Revision
from tests.editors import csrf_of, form_fields, post_form
from tests.factories import make_demand, make_negotiation
from tests.html import one, parse, words
from tests.proposals.plans import Talks, make_proposal, make_talks, make_version, points

PASTE = """1. A ceasefire along the line
   of contact.
2) Sanctions are lifted in stages.
12a. An army cap of 600,000.
"""


def _stored(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        m.__name__: session.scalar(select(func.count()).select_from(m)) or 0
        for m in (Proposal, ProposalVersion, ProposalPoint, PointDemand, PointLineage, Revision)
    }


@pytest.fixture
def talks(session: Session) -> Talks:
    talks = make_talks(session)
    session.commit()
    return talks


def _base(talks: Talks) -> str:
    return f"/talks/{talks.negotiation.slug}/proposals"


def _press(client: TestClient, page: Any, url: str, changes: dict[str, str]) -> Any:
    """Post the form as rendered on `page`, with `changes` (a button is `do`)."""
    data = {**form_fields(page, "#version-form"), **changes}
    return client.post(url, data=data, follow_redirects=False)


def test_a_proposal_is_added_with_its_authors(editor_client, session, talks) -> None:
    url = f"{_base(talks)}/new"
    response = post_form(
        editor_client,
        url,
        url,
        {"title": "The mediator's plan", "kind": "peace-plan", f"author_{talks.mediator.id}": "1"},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{_base(talks)}/the-mediators-plan?saved=1"
    proposal = session.scalar(select(Proposal).where(Proposal.slug == "the-mediators-plan"))
    assert proposal is not None and proposal.negotiation_id == talks.negotiation.id


def test_a_proposal_with_no_author_and_no_dispute_note_is_refused(
    editor_client, session, talks
) -> None:
    url = f"{_base(talks)}/new"
    before = _stored(session)
    response = post_form(editor_client, url, url, {"title": "Orphan plan", "kind": "peace-plan"})
    assert response.status_code == 422
    assert "mark the authorship disputed" in words(one(parse(response), "#form-problems"))
    assert _stored(session) == before
    response = post_form(
        editor_client,
        url,
        url,
        {"title": "Orphan plan", "kind": "peace-plan", "disputed_authorship": "Said to be X's."},
    )
    assert response.status_code == 303


def test_a_version_is_pasted_split_mapped_and_saved(editor_client, session, talks) -> None:
    proposal = make_proposal(session, talks)
    session.commit()
    url = f"{_base(talks)}/plan/versions/new"
    page = editor_client.get(url)
    page = _press(editor_client, page, url, {"paste": PASTE, "do": "split"})
    assert page.status_code == 200, page.text
    table = parse(page)
    assert [i["value"] for i in table.select("#points input[name$=_number]")] == ["1", "2", "12a"]
    assert table.select_one("#p0_text").text == "A ceasefire along the line\nof contact."
    demand = talks.demands[0]
    response = _press(
        editor_client,
        page,
        url,
        {
            "label": "28-point draft",
            "issued_on": "2025-11",
            "status": "leaked",
            "source_url": talks.source.url,
            "p2_demand": str(demand.id),
            "p2_stance": "2",
            "p2_value": "600,000",
            "p2_unit": "troops",
            "do": "save",
        },
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("/plan/versions/28-point-draft?saved=1")
    version = session.scalar(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
    )
    assert version is not None and version.issued_on_precision == "month"
    link = session.scalar(select(PointDemand).where(PointDemand.demand_id == demand.id))
    assert link is not None and link.value == 600_000 and link.unit == "troops"


def test_rows_are_added_removed_and_moved_without_script(editor_client, session, talks) -> None:
    make_proposal(session, talks)
    session.commit()
    url = f"{_base(talks)}/plan/versions/new"
    page = _press(editor_client, editor_client.get(url), url, {"paste": PASTE, "do": "split"})
    page = _press(editor_client, page, url, {"do": "down:0"})
    numbers = lambda p: [i["value"] for i in parse(p).select("#points input[name$=_number]")]  # noqa: E731
    assert numbers(page) == ["2", "1", "12a"]
    page = _press(editor_client, page, url, {"do": "remove:2"})
    assert numbers(page) == ["2", "1"]
    page = _press(editor_client, page, url, {"do": "add"})
    assert numbers(page) == ["2", "1", ""]
    page = _press(editor_client, page, url, {"do": "up:1"})
    assert numbers(page) == ["1", "2", ""]


def test_start_from_the_previous_version_prefills_lineage(editor_client, session, talks) -> None:
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "First draft", points(talks, 3))
    session.commit()
    url = f"{_base(talks)}/plan/versions/new"
    page = editor_client.get(f"{url}?start=previous")
    html = parse(page)
    assert [i["value"] for i in html.select("#points input[name$=_pred]")] == ["1", "2", "3"]
    assert html.select_one("#p0_value")["value"] == "600,000"
    # The editor rewords point 1 and drops point 3.
    response = _press(
        editor_client,
        page,
        url,
        {
            "label": "Second draft",
            "issued_on": "2025-11-24",
            "status": "official",
            "source_url": talks.source.url,
            "p0_text": "Reworded point one.",
            "p0_change": "reworded",
            "do": "remove:2",
        },
    )
    response = _press(editor_client, response, url, {"do": "save"})
    assert response.status_code == 303, response.text
    second = session.scalar(select(ProposalVersion).where(ProposalVersion.label == "Second draft"))
    assert second is not None
    changes = session.scalars(
        select(PointLineage.change)
        .join(ProposalPoint, ProposalPoint.id == PointLineage.point_id)
        .where(ProposalPoint.version_id == second.id)
        .order_by(ProposalPoint.position)
    ).all()
    assert changes == ["reworded", "unchanged"]


def _split_page(client: TestClient, talks: Talks, paste: str = PASTE) -> tuple[str, Any]:
    url = f"{_base(talks)}/plan/versions/new"
    page = _press(client, client.get(url), url, {"paste": paste, "do": "split"})
    return url, page


GOOD = {"label": "Draft", "issued_on": "2025-11-20", "status": "leaked"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"p1_number": "1"}, "p0_number", "appears 2 times"),
        ({"source_url": ""}, "source_url", "needs its source"),
        ({"source_url": "https://nowhere.example.org/x"}, "source_url", "No source is known"),
        ({"p0_demand": "1", "p0_stance": "2", "p0_value": "9" * 5000}, "p0_value", "plain number"),
        ({"issued_on": "0001-01-01"}, "issued_on", "must be a day from"),
        ({"issued_on": "9999-12-31"}, "issued_on", ""),
        ({"issued_on": "yesterday"}, "issued_on", "YYYY-MM-DD"),
        ({"p0_pred": "7"}, "p0_pred", "first version has no version before it"),
    ],
)
def test_bad_versions_are_refused_with_a_message_and_nothing_stored(
    editor_client, session, talks, changes, field, message
) -> None:
    make_proposal(session, talks)
    session.commit()
    url, page = _split_page(editor_client, talks)
    before = _stored(session)
    response = _press(
        editor_client, page, url, {**GOOD, "source_url": talks.source.url, **changes, "do": "save"}
    )
    assert response.status_code == 422, response.text
    problems = one(parse(response), "#form-problems")
    assert f'href="#{field}"' in str(problems)
    assert message in words(problems)
    assert _stored(session) == before


def test_a_demand_of_other_talks_is_refused(editor_client, session, talks) -> None:
    make_proposal(session, talks)
    elsewhere = make_demand(session, negotiation=make_negotiation(session))
    session.commit()
    url, page = _split_page(editor_client, talks)
    before = _stored(session)
    changes = {"p0_demand": str(elsewhere.id), "p0_stance": "2"}
    response = _press(
        editor_client, page, url, {**GOOD, "source_url": talks.source.url, **changes, "do": "save"}
    )
    assert response.status_code == 422
    assert "belongs to other talks" in words(one(parse(response), "#form-problems"))
    assert _stored(session) == before


def test_lineage_to_a_point_outside_the_previous_version_is_refused(
    editor_client, session, talks
) -> None:
    proposal = make_proposal(session, talks)
    make_version(session, talks, proposal, "First draft", points(talks, 2))
    session.commit()
    url, page = _split_page(editor_client, talks)
    before = _stored(session)
    response = _press(
        editor_client,
        page,
        url,
        {**GOOD, "source_url": talks.source.url, "p0_pred": "9", "do": "save"},
    )
    assert response.status_code == 422
    assert "has no point '9'" in words(one(parse(response), "#form-problems"))
    assert _stored(session) == before


@pytest.mark.parametrize(
    ("paste", "message"),
    [
        ("", "no numbered points found"),
        ("   ", "no numbered points found"),
        ("No numbers here.", "text before point 1"),
    ],
)
def test_an_empty_paste_says_so(editor_client, session, talks, paste, message) -> None:
    make_proposal(session, talks)
    session.commit()
    url = f"{_base(talks)}/plan/versions/new"
    response = _press(editor_client, editor_client.get(url), url, {"paste": paste, "do": "split"})
    assert response.status_code == 422
    assert message in words(one(parse(response), "#form-problems")).lower()


def test_saving_with_no_points_is_refused(editor_client, session, talks) -> None:
    make_proposal(session, talks)
    session.commit()
    url = f"{_base(talks)}/plan/versions/new"
    before = _stored(session)
    response = _press(
        editor_client,
        editor_client.get(url),
        url,
        {**GOOD, "source_url": talks.source.url, "do": "save"},
    )
    assert response.status_code == 422
    assert "needs its points" in words(one(parse(response), "#form-problems"))
    assert _stored(session) == before


def test_a_forged_or_missing_csrf_token_stores_nothing(editor_client, session, talks) -> None:
    make_proposal(session, talks)
    session.commit()
    url, page = _split_page(editor_client, talks)
    before = _stored(session)
    data = {**form_fields(page, "#version-form"), **GOOD, "source_url": talks.source.url}
    data["csrf_token"] = "forged"
    response = editor_client.post(url, data={**data, "do": "save"}, follow_redirects=False)
    assert response.status_code in (400, 403)
    assert _stored(session) == before
    assert csrf_of(page)


def test_readers_are_sent_to_log_in(client, session, talks) -> None:
    make_proposal(session, talks)
    session.commit()
    response = client.get(f"{_base(talks)}/plan/versions/new", follow_redirects=False)
    assert response.status_code in (303, 302, 401)
    assert client.get(f"{_base(talks)}/plan").status_code == 200


def test_proposal_details_are_edited_with_a_revision_and_stale_forms_get_409(
    editor_client, session, talks
) -> None:
    proposal = make_proposal(session, talks)
    session.commit()
    url = f"{_base(talks)}/plan/edit"
    stale = editor_client.get(url)
    response = post_form(editor_client, url, url, {"title": "The plan, renamed"})
    assert response.status_code == 303, response.text
    session.expire_all()
    assert session.get(Proposal, proposal.id).title == "The plan, renamed"
    assert session.get(Proposal, proposal.id).version == 2
    data = {**form_fields(stale, "#proposal-form"), "title": "Someone else's title"}
    response = editor_client.post(url, data=data, follow_redirects=False)
    assert response.status_code == 409
    assert "Someone saved this proposal" in response.text
    session.expire_all()
    assert session.get(Proposal, proposal.id).title == "The plan, renamed"
