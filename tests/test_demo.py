"""The demo data is faithful to the AP article it comes from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.demo import ARTICLE, DEMANDS, PARTIES, STATEMENTS
from app.models import Demand, Party, Revision, Source, Statement
from tests.conftest import SHARED

# PARLEY_DEMO_ARTICLE points at the text elsewhere (a checkout in a worktree, for instance).
ARTICLE_FILE = Path(
    os.environ.get("PARLEY_DEMO_ARTICLE", SHARED / "seeds" / "000_426d75bc5307f069.txt")
)


def test_demo_loads_parties_demands_statements_and_their_revisions(session) -> None:
    slugs = set(session.scalars(select(Party.slug)))
    assert {"russia", "ukraine", "united-states", "european-allies"} <= slugs
    assert len(session.scalars(select(Demand.slug)).all()) >= len(DEMANDS)
    demo = session.scalars(select(Statement).where(Statement.source_id == _article_id(session)))
    assert len(demo.all()) == len(STATEMENTS)
    for model, entity in [(Party, "party"), (Demand, "demand"), (Statement, "statement")]:
        rows = session.scalar(select(func.count()).select_from(model))
        revisions = session.scalar(
            select(func.count()).select_from(Revision).where(Revision.entity_type == entity)
        )
        assert revisions == rows


def test_the_article_is_the_source_with_its_date_known_to_the_month(session) -> None:
    source = session.get(Source, _article_id(session))
    assert source.publisher == "Associated Press"
    assert source.published_on_precision == "month"
    assert source.published_on.isoformat() == "2025-01-01"


# The article's text is not in the repository (docs/demo-data.md): checked when it is beside it.
@pytest.mark.skipif(not ARTICLE_FILE.exists(), reason="../shared/seeds is not beside the repo")
def test_every_quote_and_speaker_is_in_the_article() -> None:
    article = ARTICLE_FILE.read_text().replace("’", "'")
    for statement in STATEMENTS:
        if statement.quote:
            assert statement.quote in article, statement.quote
        if statement.speaker:
            surname = statement.speaker.split()[-1]
            assert surname in article, statement.speaker
    assert ARTICLE.title.lower() in article.lower()


def test_dates_have_the_precision_the_article_gives() -> None:
    precisions = {(s.party, s.demand, s.stated_on.isoformat(), s.precision) for s in STATEMENTS}
    assert ("russia", "nato-renunciation", "2024-06-01", "month") in precisions  # "in June"
    assert ("ukraine", "russian-withdrawal", "2022-01-01", "year") in precisions  # peace formula
    assert all(s.precision != "day" for s in STATEMENTS)  # the article names no day


def test_parties_and_demands_in_the_demo_are_valid_input() -> None:
    assert len({p.slug for p in PARTIES}) == len(PARTIES)
    assert len({d.slug for d in DEMANDS}) == len(DEMANDS)


def _article_id(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(Source.id).where(Source.url == ARTICLE.url))


def test_the_demo_proposals_are_the_articles_with_points_on_its_demands(session) -> None:
    from app.models import PointDemand, Proposal, ProposalPoint, ProposalVersion

    proposals = {p.slug: p for p in session.scalars(select(Proposal))}
    assert {"russian-conditions-june-2024", "ukraine-peace-formula"} <= set(proposals)
    russian = proposals["russian-conditions-june-2024"]
    (version,) = session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == russian.id)
    ).all()
    assert (version.issued_on.isoformat(), version.issued_on_precision) == ("2024-06-01", "month")
    assert version.status == "reported"
    assert version.source_id == _article_id(session)
    mapped = session.execute(
        select(ProposalPoint.number, Demand.slug, PointDemand.stance)
        .join(PointDemand, PointDemand.point_id == ProposalPoint.id)
        .join(Demand, Demand.id == PointDemand.demand_id)
        .where(ProposalPoint.version_id == version.id)
        .order_by(ProposalPoint.position)
    ).all()
    assert [tuple(row) for row in mapped] == [
        ("1", "nato-renunciation", 2),
        ("2", "withdrawal-from-four-regions", 2),
        ("3", "sanctions-relief", 2),
    ]
    for model, entity in [(Proposal, "proposal"), (ProposalPoint, "proposal_point")]:
        rows = session.scalar(select(func.count()).select_from(model))
        revisions = session.scalar(
            select(func.count()).select_from(Revision).where(Revision.entity_type == entity)
        )
        assert revisions == rows


@pytest.mark.skipif(not ARTICLE_FILE.exists(), reason="../shared/seeds is not beside the repo")
def test_every_point_excerpt_is_in_the_article() -> None:
    from app.demo import PROPOSALS

    article = ARTICLE_FILE.read_text().replace("’", "'")
    for plan in PROPOSALS:
        for point in plan.points:
            assert point.excerpt in article, point.excerpt
            assert point.demand in {d.slug for d in DEMANDS}
