"""Demo data: the positions reported in an AP article of January 2025 (docs/demo-data.md).

Faithful to the article: its parties, the demands it names, its speakers, its own quotes (only
where it has them) and dates at the precision it gives. "In June" is a month; the initial
"peace formula" is known to the year (2022); positions the article reports without a date are
dated to the article itself (January 2025, to the month), which is when the source says they held.
Everything is written through the one write path, as the system user, so it has revisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dates import DatePrecision
from app.demands.service import DemandFields, create_demand
from app.evidence import Evidence
from app.models import (
    NegotiationStatus,
    ParticipationRole,
    Party,
    PartyKind,
    ProposalKind,
    ProposalPoint,
    SourceKind,
    VersionStatus,
)
from app.negotiations.service import (
    DEFAULT_SLUG,
    DEFAULT_TITLE,
    NegotiationFields,
    ParticipationFields,
    create_negotiation,
    create_participation,
)
from app.parties.service import PartyFields, create_party
from app.proposals.service import (
    PointDemandFields,
    PointFields,
    ProposalFields,
    VersionFields,
    add_version,
    create_proposal,
)
from app.sources.service import SourceFields, source_for
from app.stances import Stance
from app.statements.service import StatementFields, create_statement
from app.users.service import system_user

ARTICLE = SourceFields(
    url="https://www.inkl.com/news/challenges-and-prospects-for-ukraine-peace-talks",
    title="Challenges And Prospects For Ukraine Peace Talks",
    publisher="Associated Press",
    # The article names no date of its own. Trump "prepares to take office", the lead photo is
    # from 9 January 2025 and Biden's energy sanctions came "last week": January 2025.
    published_on=dt.date(2025, 1, 1),
    published_on_precision=DatePrecision.MONTH,
    kind=SourceKind.NEWS_REPORT,
)

PARTIES = [
    PartyFields(
        slug="russia",
        name="Russia",
        short_name="Russia",
        kind=PartyKind.STATE,
        colour="#b03a2e",
        description="Controls about a fifth of Ukrainian territory, including Crimea.",
    ),
    PartyFields(
        slug="ukraine",
        name="Ukraine",
        short_name="Ukraine",
        kind=PartyKind.STATE,
        colour="#1f5fa8",
        description="Seeks strong security guarantees as the key element of any peace deal.",
    ),
    PartyFields(
        slug="united-states",
        name="United States",
        short_name="U.S.",
        kind=PartyKind.STATE,
        colour="#4a4a8c",
        description="The outgoing Biden administration and President-elect Trump's team.",
    ),
    PartyFields(
        slug="european-allies",
        name="European allies",
        short_name="Europe",
        kind=PartyKind.BLOC,
        colour="#1d7a5f",
        description="Ukraine's Western partners in Europe.",
    ),
]

NEGOTIATION = NegotiationFields(
    slug=DEFAULT_SLUG,
    title=DEFAULT_TITLE,
    description="Russia and Ukraine, with the United States pledging to broker a deal and "
    "Ukraine's European allies weighing security guarantees.",
    status=NegotiationStatus.STALLED,
    # "Peace seems as elusive as ever" as the article went out: its month, as its dates are.
    status_changed_on=dt.date(2025, 1, 1),
    display_order=0,
    # Review (issue 19) off: the demo's statements are public as soon as they are saved, so its
    # editor sees an edit at once (its talks' page and the README say so). Real talks keep the
    # default, on: a second editor publishes each statement.
    statements_need_review=False,
)

# The parties' roles as the article tells them: Trump "has pledged to broker a peace deal";
# Zelenskyy seeks "strong security guarantees" and Western peacekeepers from the allies.
ROLES = {
    "russia": ParticipationRole.PARTY,
    "ukraine": ParticipationRole.PARTY,
    "united-states": ParticipationRole.MEDIATOR,
    "european-allies": ParticipationRole.GUARANTOR,
}

DEMANDS = [
    DemandFields(
        slug="nato-renunciation",
        title="Ukraine renounces its NATO membership bid",
        description="Including Western guarantees that Ukraine will never be invited to join.",
    ),
    DemandFields(
        slug="withdrawal-from-four-regions",
        title="Ukraine withdraws from Donetsk, Luhansk, Zaporizhzhia and Kherson",
        description="The four regions Russia illegally annexed in September 2022.",
    ),
    DemandFields(
        slug="recognition-of-territorial-gains",
        title="A deal recognises Russia's territorial gains (the “realities on the ground”)",
    ),
    DemandFields(
        slug="russian-withdrawal",
        title="Russia withdraws from all occupied territories",
    ),
    DemandFields(
        slug="security-guarantees",
        title="Strong Western security guarantees for Ukraine",
    ),
    DemandFields(
        slug="sanctions-relief",
        title="Western sanctions on Russia are lifted",
    ),
    DemandFields(
        slug="temporary-ceasefire",
        title="A temporary ceasefire before a full agreement",
    ),
    DemandFields(
        slug="western-peacekeepers",
        title="Western troops deployed to Ukraine as peacekeepers",
    ),
    DemandFields(
        slug="language-education-culture",
        title="Ukraine adopts language, education and cultural policies friendly to Moscow",
    ),
]


@dataclass(frozen=True)
class DemoStatement:
    party: str
    demand: str
    stance: Stance
    stated_on: dt.date
    precision: DatePrecision
    summary: str
    speaker: str | None = None
    quote: str | None = None
    # Reactions (issue 17): the demo proposal's slug and point number this answers. The article
    # says Ukraine and the West "have rejected" the demands Putin emphasized in June 2024: their
    # rejections of the NATO and withdrawal demands answer those points of Russia's conditions.
    answers: tuple[str, str] | None = None


JUNE_2024 = dt.date(2024, 6, 1)
JANUARY_2025 = dt.date(2025, 1, 1)
MONTH, YEAR = DatePrecision.MONTH, DatePrecision.YEAR

STATEMENTS = [
    DemoStatement(
        "ukraine",
        "russian-withdrawal",
        Stance.INSISTS,
        dt.date(2022, 1, 1),
        YEAR,
        "Zelenskyy's initial “peace formula” demanded Russia's full withdrawal from all "
        "occupied territories.",
        speaker="Volodymyr Zelenskyy",
        quote="peace formula",
    ),
    DemoStatement(
        "russia",
        "nato-renunciation",
        Stance.INSISTS,
        JUNE_2024,
        MONTH,
        "Putin emphasized that Ukraine must renounce its NATO bid.",
        speaker="Vladimir Putin",
    ),
    DemoStatement(
        "russia",
        "withdrawal-from-four-regions",
        Stance.INSISTS,
        JUNE_2024,
        MONTH,
        "Putin emphasized that Ukraine must fully withdraw its forces from Donetsk, Luhansk, "
        "Zaporizhzhia and Kherson.",
        speaker="Vladimir Putin",
    ),
    DemoStatement(
        "ukraine",
        "russian-withdrawal",
        Stance.OPEN,
        JANUARY_2025,
        MONTH,
        "Zelenskyy softened his position as Moscow made gains: Russia's full retreat is no "
        "longer a condition for talks.",
        speaker="Volodymyr Zelenskyy",
    ),
    DemoStatement(
        "russia",
        "recognition-of-territorial-gains",
        Stance.INSISTS,
        JANUARY_2025,
        MONTH,
        "Putin declared readiness for talks but said any deal must respect the “realities on "
        "the ground”, that is, Russia's land gains.",
        speaker="Vladimir Putin",
        quote="realities on the ground",
    ),
    DemoStatement(
        "russia",
        "sanctions-relief",
        Stance.INSISTS,
        JANUARY_2025,
        MONTH,
        "Moscow wants the West to lift the sanctions that limit its access to global markets.",
    ),
    DemoStatement(
        "russia",
        "temporary-ceasefire",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "Putin rejected a temporary truce: a break in the fighting would let Ukraine get "
        "reinforcements and supplies while Russian troops press an offensive.",
        speaker="Vladimir Putin",
    ),
    DemoStatement(
        "russia",
        "language-education-culture",
        Stance.INSISTS,
        JANUARY_2025,
        MONTH,
        "Putin wants Kyiv to accept language, education and cultural policies ensuring "
        "friendly policies toward Moscow.",
        speaker="Vladimir Putin",
    ),
    DemoStatement(
        "ukraine",
        "nato-renunciation",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "Ukraine has rejected Russia's demand that it renounce its NATO bid.",
        answers=("russian-conditions-june-2024", "1"),
    ),
    DemoStatement(
        "ukraine",
        "withdrawal-from-four-regions",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "Ukraine has rejected Russia's demand that it withdraw from the four annexed regions.",
        answers=("russian-conditions-june-2024", "2"),
    ),
    DemoStatement(
        "ukraine",
        "security-guarantees",
        Stance.INSISTS,
        JANUARY_2025,
        MONTH,
        "Zelenskyy insists on strong security guarantees from the U.S. and other Western "
        "partners as the key element of any peace deal.",
        speaker="Volodymyr Zelenskyy",
    ),
    DemoStatement(
        "ukraine",
        "temporary-ceasefire",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "Zelenskyy wants a comprehensive agreement, not a temporary halt that would only let "
        "Russia replenish its arsenal.",
        speaker="Volodymyr Zelenskyy",
    ),
    DemoStatement(
        "ukraine",
        "western-peacekeepers",
        Stance.INSISTS,
        JANUARY_2025,
        MONTH,
        "Zelenskyy has pushed for the deployment of Western troops to Ukraine as peacekeepers.",
        speaker="Volodymyr Zelenskyy",
    ),
    DemoStatement(
        "united-states",
        "nato-renunciation",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "The West has rejected Russia's demand that Ukraine renounce its NATO bid.",
        answers=("russian-conditions-june-2024", "1"),
    ),
    DemoStatement(
        "united-states",
        "withdrawal-from-four-regions",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "The West has rejected Russia's demand that Ukraine withdraw from the four regions.",
        answers=("russian-conditions-june-2024", "2"),
    ),
    DemoStatement(
        "united-states",
        "sanctions-relief",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "Biden expanded sanctions on Russia's energy sector, including its shadow fleet.",
        speaker="Joe Biden",
    ),
    DemoStatement(
        "european-allies",
        "nato-renunciation",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "The West has rejected Russia's demand that Ukraine renounce its NATO bid.",
        answers=("russian-conditions-june-2024", "1"),
    ),
    DemoStatement(
        "european-allies",
        "withdrawal-from-four-regions",
        Stance.REJECTS,
        JANUARY_2025,
        MONTH,
        "The West has rejected Russia's demand that Ukraine withdraw from the four regions.",
        answers=("russian-conditions-june-2024", "2"),
    ),
]


@dataclass(frozen=True)
class DemoPoint:
    number: str
    text: str
    excerpt: str
    demand: str
    stance: Stance


@dataclass(frozen=True)
class DemoProposal:
    slug: str
    title: str
    kind: ProposalKind
    author: str
    description: str
    label: str
    issued_on: dt.date
    precision: DatePrecision
    points: tuple[DemoPoint, ...]


# The two sets of terms the article describes. It reports them (no official text), and numbers
# neither: the points are numbered in the order the article names them. Excerpts are its words.
PROPOSALS = [
    DemoProposal(
        slug="russian-conditions-june-2024",
        title="Russia's conditions for peace, June 2024",
        kind=ProposalKind.CONDITIONS,
        author="russia",
        description="The demands Putin emphasized in June 2024, which Ukraine and the West "
        "have rejected.",
        label="As stated in June 2024",
        issued_on=JUNE_2024,
        precision=MONTH,
        points=(
            DemoPoint(
                "1",
                "Ukraine renounces its NATO bid.",
                "Ukraine must also renounce its NATO bid",
                "nato-renunciation",
                Stance.INSISTS,
            ),
            DemoPoint(
                "2",
                "Ukraine fully withdraws its forces from Donetsk, Luhansk, Zaporizhzhia and "
                "Kherson, the regions Russia annexed in September 2022.",
                "fully withdraw its forces from Donetsk, Luhansk, Zaporizhzhia and Kherson",
                "withdrawal-from-four-regions",
                Stance.INSISTS,
            ),
            DemoPoint(
                "3",
                "The West lifts its sanctions, which have limited Moscow's access to global "
                "markets.",
                "Moscow also wants the West to lift its sanctions",
                "sanctions-relief",
                Stance.INSISTS,
            ),
        ),
    ),
    DemoProposal(
        slug="ukraine-peace-formula",
        title="Ukraine's “peace formula”",
        kind=ProposalKind.PEACE_PLAN,
        author="ukraine",
        description="Zelenskyy's initial peace formula; he later softened his position and no "
        "longer makes Russia's retreat a condition for talks.",
        label="Initial peace formula",
        # As the statement above: the initial formula is known to the year.
        issued_on=dt.date(2022, 1, 1),
        precision=YEAR,
        points=(
            DemoPoint(
                "1",
                "Russia withdraws its forces fully from all occupied territories.",
                "demanded Russia's full withdrawal from all occupied territories",
                "russian-withdrawal",
                Stance.INSISTS,
            ),
        ),
    ),
]


def database_is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Party)) == 0


def load_demo(session: Session) -> int:
    """Write the demo data through the service layer; returns the number of statements."""
    user = system_user(session)
    source = source_for(session, ARTICLE, user=user)
    parties = {f.slug: create_party(session, f, user=user) for f in PARTIES}
    negotiation = create_negotiation(session, NEGOTIATION, user=user)
    for order, (slug, role) in enumerate(ROLES.items()):
        create_participation(
            session,
            ParticipationFields(
                negotiation_id=negotiation.id,
                party_id=parties[slug].id,
                role=role,
                display_order=order * 10,
            ),
            user=user,
        )
    demands = {}
    for order, fields in enumerate(DEMANDS, start=1):
        fields = fields.model_copy(
            update={"display_order": order * 10, "negotiation_id": negotiation.id}
        )
        demands[fields.slug] = create_demand(session, fields, user=user)
    point_ids: dict[tuple[str, str], int] = {}
    for plan in PROPOSALS:
        proposal = create_proposal(
            session,
            negotiation,
            ProposalFields(
                slug=plan.slug,
                title=plan.title,
                kind=plan.kind,
                author_party_ids=[parties[plan.author].id],
                description=plan.description,
            ),
            user=user,
        )
        version = add_version(
            session,
            proposal,
            VersionFields(
                label=plan.label,
                issued_on=plan.issued_on,
                issued_on_precision=plan.precision,
                status=VersionStatus.REPORTED,
                source_id=source.id,
                points=[
                    PointFields(
                        number=p.number,
                        text=p.text,
                        excerpt=p.excerpt,
                        demands=[
                            PointDemandFields(demand_id=demands[p.demand].id, stance=p.stance)
                        ],
                    )
                    for p in plan.points
                ],
            ),
            user=user,
        )
        for number, point_id in session.execute(
            select(ProposalPoint.number, ProposalPoint.id).where(
                ProposalPoint.version_id == version.id
            )
        ):
            point_ids[(plan.slug, number)] = point_id
    # After the proposals: some statements answer their points (reactions, issue 17).
    for s in STATEMENTS:
        create_statement(
            session,
            StatementFields(
                stance=s.stance,
                stated_on=s.stated_on,
                stated_on_precision=s.precision,
                speaker=s.speaker,
                summary=s.summary,
                quote=s.quote,
                # How the source knows (issue 18): the article names the speaker of every
                # statement that has one (Putin "emphasized in June", Zelenskyy's paraphrased
                # positions): on the record. The rest ("Moscow also wants…", "Ukraine has
                # rejected…") name no one and cite no official, document or outlet, so nothing
                # the scale offers is supported: not recorded. The article is in English and
                # quotes no one in another language, so no statement has an original quote.
                evidence=Evidence.ON_RECORD if s.speaker else None,
                answers_point_id=None if s.answers is None else point_ids[s.answers],
            ),
            party=parties[s.party],
            demand=demands[s.demand],
            source=source,
            user=user,
        )
    return len(STATEMENTS)
