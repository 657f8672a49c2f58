"""The JSON API's response shapes: one place, so field names and formats stay stable.

Every field carries a description and an example, because `/openapi.json` (and `/docs`) is the
API's documentation. Builders turn ORM rows and query results into these; they never query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.dates import DatePrecision, format_date, iso_with_precision
from app.links import Link
from app.models import (
    Demand,
    Negotiation,
    Participation,
    ParticipationRole,
    Party,
    Revision,
    Source,
    SourceLinkCheck,
    Statement,
    StatementCondition,
)
from app.stances import OffScale, Reading, Stance


class Schema(BaseModel):
    model_config = ConfigDict(frozen=True)


class DateValue(Schema):
    """A date known to a day, a month or a year: sources often say only "in June"."""

    date: dt.date = Field(
        description="The first day of the period known; order and compare by this.",
        examples=["2024-06-01"],
    )
    precision: DatePrecision = Field(
        description="How much of the date is known: day, month or year.", examples=["month"]
    )
    iso: str = Field(description="ISO 8601 truncated to the precision known.", examples=["2024-06"])
    text: str = Field(description="As shown to readers.", examples=["June 2024"])

    @classmethod
    def of(cls, value: dt.date, precision: DatePrecision | str) -> DateValue:
        return cls(
            date=value,
            precision=DatePrecision(precision),
            iso=iso_with_precision(value, precision),
            text=format_date(value, precision),
        )


class StanceValue(Schema):
    """A position on the scale insists (+2) … red line (−2)."""

    value: int = Field(description="Position on the scale, −2 to +2.", ge=-2, le=2, examples=[2])
    label: str = Field(description="As shown to readers.", examples=["insists"])
    slug: str = Field(description="Stable machine name.", examples=["insists"])

    @classmethod
    def of(cls, stance: Stance | int) -> StanceValue:
        stance = Stance(stance)
        return cls(value=stance.value, label=stance.label, slug=stance.slug)


# --- issue 18: scope, conditions, offers, off the scale ---


class OffScaleValue(Schema):
    """An answer recorded instead of a stance; it counts in no gap or shift."""

    slug: str = Field(description="declined or ambiguous.", examples=["declined"])
    label: str = Field(description="As shown to readers.", examples=["declined to say"])

    @classmethod
    def of(cls, off_scale: str | None) -> OffScaleValue | None:
        if off_scale is None:
            return None
        value = OffScale(off_scale)
        return cls(slug=value.value, label=value.label)


class ConditionOut(Schema):
    demand: str = Field(description="Slug of the demand that must be met (same negotiation).")
    party: str | None = Field(description="Slug of the party who must meet it, if named.")
    note: str | None = Field(description="The condition in the editor's words.")


class Nuance(Schema):
    """How far the stance reaches: in part only, only if, one option of an either-or offer."""

    words: str = Field(
        description="The whole reading in words, as pages show it.",
        examples=["open / conditional (partial, conditional)"],
    )
    off_scale: OffScaleValue | None = Field(description="Set when there is no stance to measure.")
    partial: bool = Field(description="The stance holds for part of the demand only.")
    scope_note: str | None = Field(description="Which part, when partial.")
    conditional: bool = Field(description="The stance holds only if other demands are met.")
    conditions: list[ConditionOut] | None = Field(
        default=None, description="The conditions (on a statement; null in matrix cells)."
    )
    alternative_to: int | None = Field(
        description="One option of an either-or offer: the id of the offer's first statement."
    )


# --- end of issue 18 ---


class NamedParty(Protocol):
    """What a reference to a party needs: a whole Party, or the matrix's heading of one."""

    @property
    def slug(self) -> str: ...
    @property
    def name(self) -> str: ...


class TitledDemand(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...


class PartyRef(Schema):
    slug: str = Field(description="Stable identifier used in URLs.", examples=["ukraine"])
    name: str = Field(description="Full name.", examples=["Ukraine"])
    url: str = Field(description="The party's page.", examples=["/parties/ukraine"])
    api_url: str = Field(description="This party in the API.", examples=["/api/parties/ukraine"])

    @classmethod
    def of(cls, party: NamedParty, link: Link) -> PartyRef:
        return cls(
            slug=party.slug,
            name=party.name,
            url=link("party", slug=party.slug),
            api_url=link("api_party", slug=party.slug),
        )


class PartyOut(PartyRef):
    id: int = Field(description="Database id.", examples=[1])
    short_name: str = Field(description="Short name for tight spaces.", examples=["UA"])
    kind: str = Field(description="state, bloc or organisation.", examples=["state"])
    colour: str = Field(description="Accent colour of its charts (#rrggbb).", examples=["#0057b7"])
    description: str = Field(description="Who the party is.", examples=[""])
    version: int = Field(description="Edit version; each edit adds one.", examples=[1])

    @classmethod
    def of_party(cls, party: Party, link: Link) -> PartyOut:
        return cls(
            **PartyRef.of(party, link).model_dump(),
            id=party.id,
            short_name=party.short_name,
            kind=party.kind,
            colour=party.colour,
            description=party.description,
            version=party.version,
        )


class NamedNegotiation(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...


class NegotiationRef(Schema):
    """The negotiation a record belongs to: demands (and so statements) belong to one."""

    slug: str = Field(description="Stable identifier used in URLs.", examples=["russia-ukraine"])
    title: str = Field(description="The talks' name.", examples=["Russia–Ukraine talks"])
    url: str = Field(description="Its matrix page.", examples=["/talks/russia-ukraine"])
    api_url: str = Field(
        description="This negotiation in the API.", examples=["/api/negotiations/russia-ukraine"]
    )

    @classmethod
    def of(cls, negotiation: NamedNegotiation, link: Link) -> NegotiationRef:
        return cls(
            slug=negotiation.slug,
            title=negotiation.title,
            url=link("matrix", negotiation=negotiation.slug),
            api_url=link("api_negotiation", slug=negotiation.slug),
        )


class DemandRef(Schema):
    slug: str = Field(description="Stable identifier used in URLs.", examples=["nato-renunciation"])
    title: str = Field(
        description="The term, as a proposition a party can back or reject.",
        examples=["Ukraine renounces its NATO membership bid"],
    )
    url: str = Field(
        description="The demand's page, within its negotiation.",
        examples=["/talks/russia-ukraine/demands/nato-renunciation"],
    )
    api_url: str = Field(
        description="This demand in the API, within its negotiation.",
        examples=["/api/negotiations/russia-ukraine/demands/nato-renunciation"],
    )

    @classmethod
    def of(cls, demand: TitledDemand, link: Link, talks: str) -> DemandRef:
        """`talks`: the slug of the demand's negotiation, whose pages hold the demand's."""
        return cls(
            slug=demand.slug,
            title=demand.title,
            url=link("demand", negotiation=talks, slug=demand.slug),
            api_url=link("api_demand", slug=talks, demand=demand.slug),
        )


class DemandOut(DemandRef):
    id: int = Field(description="Database id.", examples=[1])
    negotiation: NegotiationRef = Field(description="The negotiation whose table it is on.")
    description: str = Field(description="What the term means.", examples=[""])
    display_order: int = Field(description="Where it is listed among demands.", examples=[1])
    version: int = Field(description="Edit version; each edit adds one.", examples=[1])

    @classmethod
    def of_demand(cls, demand: Demand, negotiation: Negotiation, link: Link) -> DemandOut:
        return cls(
            **DemandRef.of(demand, link, negotiation.slug).model_dump(),
            id=demand.id,
            negotiation=NegotiationRef.of(negotiation, link),
            description=demand.description,
            display_order=demand.display_order,
            version=demand.version,
        )


class SourceOut(Schema):
    id: int = Field(description="Database id.", examples=[1])
    source_url: str = Field(
        description="Where it was published (http or https).",
        examples=["https://news.example.org/story"],
    )
    title: str = Field(description="The source's headline or title.", examples=["Talks resume"])
    publisher: str = Field(description="Who published it.", examples=["Reuters"])
    published: DateValue | None = Field(description="Publication date, if known.")
    kind: str = Field(description="news_report, interview, …", examples=["news_report"])
    archive_url: str | None = Field(
        None, description="An archived copy, if the editors gave one.", examples=[None]
    )
    version: int = Field(description="Edit version; each edit adds one.", examples=[1])
    url: str = Field(description="The source's page here.", examples=["/sources/1"])
    api_url: str = Field(description="This source in the API.", examples=["/api/sources/1"])

    @classmethod
    def of(cls, source: Source, link: Link) -> SourceOut:
        published = (
            DateValue.of(source.published_on, source.published_on_precision or DatePrecision.DAY)
            if source.published_on is not None
            else None
        )
        return cls(
            id=source.id,
            source_url=source.url,
            title=source.title,
            publisher=source.publisher,
            published=published,
            kind=source.kind,
            archive_url=source.archive_url,
            version=source.version,
            url=link("source", source_id=source.id),
            api_url=link("api_source", source_id=source.id),
        )


class LinkCheckOut(Schema):
    """The last check of a source's URL (`parley sources check`, or an admin's button)."""

    checked_at: dt.datetime = Field(description="When it was last checked (UTC).")
    outcome: str = Field(
        description="ok; broken (the page is gone, or redirects never end); refused (not a "
        "public address, never fetched); error (no answer: timeout, DNS, TLS).",
        examples=["broken"],
    )
    status_code: int | None = Field(
        description="The HTTP status of the last answer, if any.", examples=[404]
    )
    detail: str = Field(description="What happened, in words.", examples=["404 Not Found"])
    broken: bool = Field(description="True when the outcome is broken.", examples=[True])

    @classmethod
    def of(cls, check: SourceLinkCheck) -> LinkCheckOut:
        return cls(
            checked_at=check.checked_at,
            outcome=check.outcome,
            status_code=check.status_code,
            detail=check.detail,
            broken=check.is_broken,
        )


class SourceWithCheck(SourceOut):
    """A source with its link check: what `/api/sources` and `/api/sources/{id}` answer."""

    link_check: LinkCheckOut | None = Field(
        description="The last check of its URL; null when it was never checked."
    )
    read_at: str = Field(
        description="Where to read it: the archived copy when the link is broken and one "
        "exists, otherwise the source URL.",
        examples=["https://web.archive.org/web/2025/https://news.example.org/story"],
    )

    @classmethod
    def checked(cls, source: Source, link: Link) -> SourceWithCheck:
        """`source` with its `link_check` loaded (app/sources/queries.py does)."""
        check = source.link_check
        broken = check is not None and check.is_broken
        return cls(
            **SourceOut.of(source, link).model_dump(),
            link_check=LinkCheckOut.of(check) if check is not None else None,
            read_at=source.archive_url if broken and source.archive_url else source.url,
        )


class Retraction(Schema):
    at: dt.datetime = Field(description="When it was retracted (UTC).")
    reason: str = Field(description="Why.", examples=["Misattributed quote."])


class OriginalQuote(Schema):
    language: str = Field(description="A BCP 47 language tag.", examples=["uk"])
    text: str = Field(description="The quote as said or written.", examples=["Київ"])
    translated_by: str = Field(
        description="Who made the English in `quote`: the source, or the editor named.",
        examples=["the source"],
    )


class CorrectionOut(Schema):
    at: dt.datetime = Field(description="When it was corrected (UTC).")
    note: str = Field(
        description="What was corrected, as readers read it.",
        examples=["the date was 2 June, not 12 June"],
    )


class CreditCorrection(CorrectionOut):
    by: str = Field(description="The editor who corrected it.", examples=["A. Editor"])
    fields: list[str] = Field(
        description="Which announced fields changed: stance, off_scale, stated_on, "
        "stated_on_precision, party_id, demand_id, quote, original_quote, source_id.",
        examples=[["stated_on"]],
    )


class CreditOut(Schema):
    entered_by: str = Field(description="The editor who entered it.", examples=["A. Editor"])
    entered_at: dt.datetime = Field(description="When it was entered (UTC).")
    reviewed_by: str | None = Field(
        description="The second editor who published it; null where the talks asked for no "
        "review (it was public when entered).",
        examples=["B. Reviewer"],
    )
    published_at: dt.datetime = Field(description="When it became public (UTC).")
    corrections: list[CreditCorrection] = Field(description="Its public corrections, oldest first.")


class StatementOut(Schema):
    id: int = Field(description="Database id.", examples=[12])
    negotiation: NegotiationRef = Field(description="The negotiation of its demand.")
    party: PartyRef
    demand: DemandRef
    stance: StanceValue | None = Field(
        description="The stance on the scale; null when the answer is off the scale (nuance)."
    )
    stated: DateValue = Field(description="When the stance was stated.")
    speaker: str | None = Field(description="Who said it, if named.", examples=["Vladimir Putin"])
    summary: str = Field(description="The editor's summary.", examples=["Rules out NATO entry."])
    quote: str | None = Field(description="Verbatim quote, if any.", examples=[None])
    # --- evidence (issue 18 items 3-4) ---
    evidence: str | None = Field(
        None,
        description="How the source knows: on_record, official_document, anonymous_official, "
        "leaked_document or other_outlet; null when not recorded.",
        examples=["on_record"],
    )
    evidence_outlet: str | None = Field(
        None, description="The outlet the source cites (evidence other_outlet).", examples=[None]
    )
    reported: bool = Field(
        False, description="Anonymous or second-hand evidence: the position is only reported."
    )
    original_quote: OriginalQuote | None = Field(
        None, description="The quote in its original language; `quote` is then its translation."
    )
    # --- end evidence ---
    source: SourceOut
    retraction: Retraction | None = Field(
        description="Set when the statement was retracted; it then counts for no position."
    )
    version: int = Field(description="Edit version; each edit adds one.", examples=[1])
    url: str = Field(description="The statement's page.", examples=["/statements/12"])
    api_url: str = Field(description="This statement in the API.", examples=["/api/statements/12"])
    nuance: Nuance = Field(description="Partial, conditional, either-or or off the scale.")
    # --- corrections and credit (issue 19 items 3 and 5) ---
    corrected: CorrectionOut | None = Field(
        None, description="Its latest public correction; null when never corrected."
    )
    credit: CreditOut | None = Field(
        None,
        description="Who entered, reviewed and corrected it, and when: given by "
        "/api/statements/{id}, null in lists.",
    )

    @classmethod
    def of(
        cls,
        statement: Statement,
        link: Link,
        conditions: Sequence[StatementCondition] = (),
        credit: CreditOut | None = None,
    ) -> StatementOut:
        retraction = (
            Retraction(at=statement.retracted_at, reason=statement.retraction_reason or "")
            if statement.retracted_at is not None
            else None
        )
        return cls(
            id=statement.id,
            negotiation=NegotiationRef.of(statement.demand.negotiation, link),
            party=PartyRef.of(statement.party, link),
            demand=DemandRef.of(statement.demand, link, statement.demand.negotiation.slug),
            stance=None if statement.stance is None else StanceValue.of(statement.stance),
            stated=DateValue.of(statement.stated_on, statement.stated_on_precision),
            speaker=statement.speaker,
            summary=statement.summary,
            quote=statement.quote,
            nuance=Nuance(
                words=Reading(
                    statement.stance,
                    statement.partial,
                    bool(conditions),
                    statement.off_scale,
                ).words(),
                off_scale=OffScaleValue.of(statement.off_scale),
                partial=statement.partial,
                scope_note=statement.scope_note,
                conditional=bool(conditions),
                conditions=[
                    ConditionOut(
                        demand=getattr(c, "demand_slug", str(c.demand_id)),
                        party=getattr(c, "party_slug", None),
                        note=c.note,
                    )
                    for c in conditions
                ],
                alternative_to=statement.alternative_to_id,
            ),
            evidence=statement.evidence,
            evidence_outlet=statement.evidence_outlet,
            reported=statement.is_reported,
            original_quote=OriginalQuote(
                language=statement.quote_language,
                text=statement.original_quote,
                translated_by=statement.translated_by or "",
            )
            if statement.original_quote and statement.quote_language
            else None,
            source=SourceOut.of(statement.source, link),
            retraction=retraction,
            version=statement.version,
            url=link("statement", statement_id=statement.id),
            api_url=link("api_statement", statement_id=statement.id),
            corrected=CorrectionOut(at=statement.corrected_at, note=statement.correction_note or "")
            if statement.corrected_at is not None
            else None,
            credit=credit,
        )


class Page(Schema):
    next: str | None = Field(
        description="The next page (same filters, starting after this one); null on the last.",
        examples=["/api/statements?limit=100&cursor=2024-06-01_7"],
    )


class StatementList(Page):
    items: list[StatementOut] = Field(description="Newest first (by date stated, then id).")


class SourceList(Page):
    items: list[SourceWithCheck] = Field(description="Newest first (by id).")


class PartyList(Schema):
    items: list[PartyOut] = Field(description="Every party, by name.")


class DemandList(Schema):
    items: list[DemandOut] = Field(description="Every demand, in display order.")


class ParticipantOut(Schema):
    """A party taking part in a negotiation, and in what role."""

    party: PartyRef = Field(description="The party (parties are shared between negotiations).")
    role: ParticipationRole = Field(
        description="party (to the talks), mediator, guarantor or observer.",
        examples=["mediator"],
    )
    role_label: str = Field(description="As shown to readers.", examples=["party to the talks"])
    display_order: int = Field(description="Where it is listed among participants.", examples=[0])

    @classmethod
    def of(cls, participation: Participation, link: Link) -> ParticipantOut:
        role = ParticipationRole(participation.role)
        return cls(
            party=PartyRef.of(participation.party, link),
            role=role,
            role_label=role.label,
            display_order=participation.display_order,
        )


class NegotiationOut(Schema):
    id: int = Field(description="Database id.", examples=[1])
    slug: str = Field(description="Stable identifier used in URLs.", examples=["russia-ukraine"])
    title: str = Field(description="The talks' name.", examples=["Russia–Ukraine talks"])
    description: str = Field(description="A line or two about the talks.", examples=[""])
    status: str = Field(description="active, stalled or concluded.", examples=["stalled"])
    status_changed_on: dt.date | None = Field(
        description="The day the status last changed, if known.", examples=["2025-01-01"]
    )
    display_order: int = Field(description="Where it is listed among negotiations.", examples=[0])
    version: int = Field(description="Edit version; each edit adds one.", examples=[1])
    api_url: str = Field(
        description="This negotiation in the API.", examples=["/api/negotiations/russia-ukraine"]
    )
    participants: list[ParticipantOut] = Field(
        description="Who takes part, in display order; only their statements count here."
    )

    @classmethod
    def of(
        cls, negotiation: Negotiation, participants: list[Participation], link: Link
    ) -> NegotiationOut:
        return cls(
            id=negotiation.id,
            slug=negotiation.slug,
            title=negotiation.title,
            description=negotiation.description,
            status=negotiation.status,
            status_changed_on=negotiation.status_changed_on,
            display_order=negotiation.display_order,
            version=negotiation.version,
            api_url=link("api_negotiation", slug=negotiation.slug),
            participants=[ParticipantOut.of(p, link) for p in participants],
        )


class NegotiationDetail(NegotiationOut):
    demands: list[DemandRef] = Field(description="The demands on its table, in display order.")


class NegotiationList(Schema):
    items: list[NegotiationOut] = Field(description="Every negotiation, in display order.")


class RevisionAuthor(Schema):
    # Only the name shown to readers: never an e-mail address or a password hash.
    display_name: str = Field(description="Who made the change.", examples=["Demo editor"])


class RevisionOut(Schema):
    id: int = Field(description="Revision id; higher is later.", examples=[40])
    entity_type: str = Field(description="party, demand, source or statement.")
    entity_id: int = Field(description="The record's id.", examples=[12])
    version: int = Field(description="The record's version after this change.", examples=[2])
    action: str = Field(description="create, edit, retract, restore or revert.")
    snapshot: dict[str, Any] = Field(
        description="The whole record after the change.", examples=[{"stance": 2}]
    )
    reason: str | None = Field(description="Why, where the editor said so.", examples=[None])
    author: RevisionAuthor
    created_at: dt.datetime = Field(description="When (UTC).")

    @classmethod
    def of(cls, revision: Revision) -> RevisionOut:
        return cls(
            id=revision.id,
            entity_type=revision.entity_type,
            entity_id=revision.entity_id,
            version=revision.version,
            action=revision.action,
            snapshot=revision.snapshot,
            reason=revision.reason,
            author=RevisionAuthor(display_name=revision.user.display_name),
            created_at=revision.created_at,
        )


class RevisionList(Page):
    items: list[RevisionOut] = Field(description="Newest first.")


class CellStatement(Schema):
    id: int = Field(description="The statement behind the cell.", examples=[12])
    stated: DateValue
    speaker: str | None = Field(description="Who said it, if named.", examples=[None])
    summary: str = Field(description="The editor's summary.", examples=["Rules out NATO entry."])
    url: str = Field(description="The statement's page.", examples=["/statements/12"])


class MatrixCell(Schema):
    party: str = Field(description="The party's slug.", examples=["ukraine"])
    stance: StanceValue | None = Field(description="Position as of the date; null: none stated.")
    statement: CellStatement | None = Field(description="The statement that set the position.")
    changed: bool = Field(description="Whether the stance differs from the one at `since`.")
    previous_stance: StanceValue | None = Field(description="The stance at `since`, if any.")
    nuance: Nuance | None = Field(
        default=None, description="Partial, conditional, either-or or off the scale (issue 18)."
    )
    # evidence (issue 18 item 3)
    reported: bool = Field(
        False,
        description="Whether the position rests only on anonymous or second-hand evidence "
        "(an anonymous official, or another outlet's report): shown as “reported”.",
    )


class PlanTermOut(Schema):
    """What a plan's version says on one demand: the first of its points that speaks to it."""

    point: str = Field(description="The point's number as printed.", examples=["12a"])
    stance: StanceValue
    value: float | None = Field(description="A value the point sets, if any.", examples=[600000])
    unit: str | None = Field(description="What the value counts.", examples=["troops"])


class PlanGap(Schema):
    party: str = Field(description="The party's slug.", examples=["russia"])
    gap: int | None = Field(
        description="Steps on the scale between the party's position and the plan's (0 to 4); "
        "null where either is silent.",
        ge=0,
        le=4,
    )


class RowPlan(Schema):
    term: PlanTermOut | None = Field(description="The plan's stance; null: the plan is silent.")
    gaps: list[PlanGap] = Field(description="One per party, in the order of `parties`.")


class MatrixPlan(Schema):
    proposal: str = Field(description="The proposal's slug.", examples=["ukraine-peace-formula"])
    title: str
    version: str = Field(description="The version's label slug: its latest by `as_of`.")
    version_label: str
    issued: DateValue
    url: str = Field(description="The version's page.")


class MatrixRow(Schema):
    demand: DemandRef
    cells: list[MatrixCell] = Field(description="One per party, in the order of `parties`.")
    plan: RowPlan | None = Field(
        default=None, description="With `with`: the plan on this demand and each party's gap."
    )


class MatrixOut(Schema):
    negotiation: NegotiationRef = Field(description="Whose matrix: its participants × demands.")
    as_of: dt.date = Field(description="Positions as of this day.", examples=["2025-01-31"])
    since: dt.date | None = Field(description="The comparison date, if asked for.")
    recorded: dt.date | None = Field(
        default=None,
        description="With `recorded`: the positions are as the tracker showed them at the end "
        "of this day (UTC), not as they are now.",
    )
    parties: list[PartyRef] = Field(
        description="The columns: the participants, in the negotiation's order."
    )
    rows: list[MatrixRow] = Field(description="One per demand, in display order.")
    plan: MatrixPlan | None = Field(
        default=None, description="With `with`: the proposal version beside the parties."
    )


class GapPosition(Schema):
    party: str = Field(description="The party's slug.", examples=["russia"])
    stance: StanceValue | None = Field(description="Position as of the date; null: none stated.")
    statement_url: str | None = Field(description="The statement behind it.")


class GapRow(Schema):
    demand: DemandRef
    positions: list[GapPosition] = Field(description="One per party, in the order asked for.")
    gap: int | None = Field(
        description="How far apart they stand (0–4): for two parties the distance between "
        "their stances, for more the widest one. Null when any has no stated position.",
        examples=[3],
    )


class GapsOut(Schema):
    negotiation: NegotiationRef = Field(description="The negotiation compared in.")
    as_of: dt.date = Field(description="Positions as of this day.", examples=["2025-01-31"])
    parties: list[PartyRef] = Field(description="The parties compared, in the order asked for.")
    rows: list[GapRow] = Field(description="One per demand, in display order.")


class ProblemError(Schema):
    name: str = Field(description="The parameter at fault.", examples=["as_of"])
    detail: str = Field(
        description="What is wrong with it.",
        examples=["as_of must be a date in the form YYYY-MM-DD, not '2024-13'."],
    )


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="Identifies the kind of problem.", examples=["about:blank"])
    title: str = Field(description="Short, the same for every problem of its kind.")
    status: int = Field(description="The HTTP status code.", examples=[400])
    detail: str = Field(description="What went wrong this time, for a person to read.")
    instance: str = Field(
        description="The path that was asked for.",
        examples=["/api/negotiations/russia-ukraine/matrix"],
    )
    errors: list[ProblemError] = Field(
        default_factory=list, description="Each bad parameter, by name."
    )


class NegotiationChoice(Schema):
    negotiation: NegotiationRef
    url: str = Field(
        description="The same request, in this negotiation (query kept).",
        examples=["/api/negotiations/russia-ukraine/matrix?as_of=2025-01-31"],
    )


class MultipleChoices(Problem):
    """A URL from before negotiations that several negotiations could answer (status 300)."""

    choices: list[NegotiationChoice] = Field(description="Each negotiation's URL for it.")
