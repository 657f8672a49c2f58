"""Full-text search over statements and their sources: one module hides both databases.

PostgreSQL matches `websearch_to_tsquery` against the generated `fts` columns of statement and
source (GIN indexes); SQLite matches the FTS5 tables statement_fts and statement_fts_source
(migration 0003); a source is found by its title, publisher and the words of its URL (migration
0005). Either way, one query finds and ranks the page of matches with the matching
words wrapped in two control characters, and a second loads what the page shows. The markers
are split here into plain segments, so a template escapes every character of the text itself:
a highlight can never inject markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, joinedload

from app.models import Demand, Statement

QUERY_MAX = 200
PER_PAGE = 20
# Ranking reads every match: a word in a third of a million statements took seconds. So the
# newest matches are ranked, at most this many of statements and as many found by their source
# (each found through an index in id order, stopping early), and the page says so.
CANDIDATES = 1000
START, STOP = "\x02", "\x03"


class InvalidSearch(ValueError):
    """A query that cannot be searched; the message tells the reader what to type instead."""


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool


@dataclass(frozen=True)
class Hit:
    statement: Statement
    summary: list[Segment]
    quote: list[Segment] | None
    speaker: list[Segment] | None
    source_title: list[Segment]
    source_publisher: list[Segment]


@dataclass(frozen=True)
class Results:
    query: str
    hits: list[Hit]
    page: int
    has_next: bool
    # Only the CANDIDATES newest matches were ranked (a common word at a million statements).
    narrowed: bool = False


def clean_query(raw: str | None) -> str:
    """The query as typed, or a reason it cannot be searched."""
    query = " ".join((raw or "").split())
    if not query:
        raise InvalidSearch("Type one or more words to search for.")
    if len(query) > QUERY_MAX:
        raise InvalidSearch(
            f"That search is {len(query)} characters long; keep it under {QUERY_MAX + 1}."
        )
    return query


def segments(marked: str | None) -> list[Segment]:
    """Split text with START…STOP markers into plain and matching pieces."""
    if not marked:
        return []
    pieces: list[Segment] = []
    for part in re.split(f"({START}.*?{STOP})", marked, flags=re.S):
        if not part:
            continue
        if part.startswith(START) and part.endswith(STOP):
            pieces.append(Segment(part[1:-1], True))
        else:
            pieces.append(Segment(part.replace(START, "").replace(STOP, ""), False))
    return pieces


# A word a reader pastes from an address: a URL, a host (`www.dailywrap.net`), a path or a slug
# (`istanbul-memoranda-compared`). The sources' index holds an address as its plain words.
_ADDRESS = re.compile(r"://|\w[/-]\w|^[\w-]+(\.[\w-]+)*\.[^\W\d_]{2,}\.?$")


def address_words(query: str) -> str:
    """`query` with every address-like term made the phrase of its words, quoted.

    PostgreSQL's parser keeps `www.dailywrap.net` or a URL as one token (or mangles it: the
    colon of `https:` is websearch syntax), so neither would meet the words the migration
    indexed; as a phrase, the words must appear in that order. FTS5 splits the same way.
    """

    def rewrite(match: re.Match[str]) -> str:
        minus, phrase, bare = match.group(1), match.group(2), match.group(3)
        term = phrase if phrase is not None else bare
        sign = minus or ("-" if bare and bare.startswith("-") else "")
        term = term.removeprefix("-") if bare else term
        if not _ADDRESS.search(term):
            return match.group(0)
        words = " ".join(re.findall(r"[^\W_]+", term))
        return f'{sign}"{words}"'

    return re.sub(r'(-?)"([^"]*)"|(\S+)', rewrite, query)


def fts5_query(query: str) -> str:
    """websearch-style input (words, "phrases", or, -word) as an FTS5 expression.

    Every term is quoted, so nothing the reader types is FTS5 syntax; PostgreSQL reads the same
    input with websearch_to_tsquery.
    """
    tokens = re.findall(r'(-?)"([^"]*)"|(\S+)', query)
    groups: list[list[str]] = [[]]
    negatives: list[str] = []
    for minus, phrase, bare in tokens:
        if bare and bare.lower() == "or":
            groups.append([])
            continue
        negated = bool(minus) or bare.startswith("-")
        words = re.findall(r"\w+", phrase if phrase or minus else bare)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        (negatives if negated else groups[-1]).append(term)
    alternatives = [" AND ".join(group) for group in groups if group]
    if not alternatives:
        raise InvalidSearch("Type at least one word to look for (not only words to leave out).")
    expression = " OR ".join(f"({alt})" for alt in alternatives)
    for term in negatives:
        expression = f"({expression}) NOT {term}"
    return expression


# Review (issue 19): drafts never reach a search. They are few, and ix_statement_draft holds
# them alone, so leaving them out costs one small probe whatever the table holds.
DRAFTS = "id NOT IN (SELECT id FROM statement WHERE published_at IS NULL)"

# `{scope}`: nothing, or the negotiation filter. Two texts, not `:negotiation IS NULL OR …`: the
# planner must see the filter to use it, and an unfiltered search pays nothing for it.
_POSTGRES_SQL = f"""
    WITH q AS (SELECT websearch_to_tsquery('english', :query) AS q),
    -- The query is repeated, not read from q: the planner must see the words to choose between
    -- the GIN index (a rare word) and walking ids backwards until enough match (a common one).
    statement_hits AS (
        SELECT statement.id,
            ts_rank(statement.fts, websearch_to_tsquery('english', :query)) AS score
        FROM statement WHERE statement.fts @@ websearch_to_tsquery('english', :query){{scope}}
        ORDER BY statement.id DESC LIMIT :candidates
    ),
    source_hits AS (
        SELECT statement.id,
            ts_rank(source.fts, websearch_to_tsquery('english', :query)) / 2 AS score
        FROM source JOIN statement ON statement.source_id = source.id
        WHERE source.fts @@ websearch_to_tsquery('english', :query){{scope}}
        ORDER BY statement.id DESC LIMIT :candidates
    ),
    hits AS (SELECT * FROM statement_hits UNION ALL SELECT * FROM source_hits),
    ranked AS (
        SELECT id, max(score) AS score FROM hits WHERE {DRAFTS} GROUP BY id
        ORDER BY score DESC, id DESC LIMIT :limit OFFSET :offset
    )
    SELECT ranked.id,
        ts_headline('english', statement.summary, q.q, :options),
        ts_headline('english', statement.quote, q.q, :options),
        ts_headline('english', statement.speaker, q.q, :options),
        ts_headline('english', source.title, q.q, :options),
        ts_headline('english', source.publisher, q.q, :options),
        greatest((SELECT count(*) FROM statement_hits), (SELECT count(*) FROM source_hits))
    FROM ranked
    JOIN statement ON statement.id = ranked.id
    JOIN source ON source.id = statement.source_id, q
    ORDER BY ranked.score DESC, ranked.id DESC
    """
# HighlightAll: show the whole (short) field, not a fragment of it.
_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

_SQLITE_SQL = f"""
    WITH statement_hits AS (
        SELECT statement_fts.rowid AS id, bm25(statement_fts) AS score
        FROM statement_fts {{statement_join}}
        WHERE statement_fts MATCH :query{{scope}}
        ORDER BY statement_fts.rowid DESC LIMIT :candidates
    ),
    source_hits AS (
        SELECT statement.id, bm25(statement_fts_source) / 2 AS score
        FROM statement_fts_source
        JOIN statement ON statement.source_id = statement_fts_source.rowid
        WHERE statement_fts_source MATCH :query{{scope}}
        ORDER BY statement.id DESC LIMIT :candidates
    ),
    hits AS (SELECT * FROM statement_hits UNION ALL SELECT * FROM source_hits),
    ranked AS (
        SELECT id, min(score) AS score FROM hits WHERE {DRAFTS} GROUP BY id
        ORDER BY score, id DESC LIMIT :limit OFFSET :offset
    ),
    statement_marks AS (
        SELECT rowid AS id,
            highlight(statement_fts, 0, '{START}', '{STOP}') AS summary,
            highlight(statement_fts, 1, '{START}', '{STOP}') AS quote,
            highlight(statement_fts, 2, '{START}', '{STOP}') AS speaker
        FROM statement_fts
        WHERE statement_fts MATCH :query AND rowid IN (SELECT id FROM ranked)
    ),
    source_marks AS (
        SELECT rowid AS id,
            highlight(statement_fts_source, 0, '{START}', '{STOP}') AS title,
            highlight(statement_fts_source, 1, '{START}', '{STOP}') AS publisher
        FROM statement_fts_source
        WHERE statement_fts_source MATCH :query AND rowid IN (
            SELECT source_id FROM statement WHERE id IN (SELECT id FROM ranked))
    )
    SELECT ranked.id, statement_marks.summary, statement_marks.quote, statement_marks.speaker,
        source_marks.title, source_marks.publisher,
        max((SELECT count(*) FROM statement_hits), (SELECT count(*) FROM source_hits))
    FROM ranked
    JOIN statement ON statement.id = ranked.id
    LEFT JOIN statement_marks ON statement_marks.id = ranked.id
    LEFT JOIN source_marks ON source_marks.id = statement.source_id
    ORDER BY ranked.score, ranked.id DESC
    """
_SERIAL = text("SET LOCAL max_parallel_workers_per_gather = 0")
SCOPE = " AND statement.negotiation_id = :negotiation"
_QUERIES = {
    ("postgresql", False): text(_POSTGRES_SQL.format(scope="")),
    ("postgresql", True): text(_POSTGRES_SQL.format(scope=SCOPE)),
    ("sqlite", False): text(_SQLITE_SQL.format(scope="", statement_join="")),
    ("sqlite", True): text(
        _SQLITE_SQL.format(
            scope=SCOPE,
            statement_join="JOIN statement ON statement.id = statement_fts.rowid",
        )
    ),
}


def search(
    session: Session,
    query: str,
    page: int = 1,
    *,
    candidates: int = CANDIDATES,
    negotiation_id: int | None = None,
) -> Results:
    """The page-th page of statements matching `query`, best first, matches marked; only the
    negotiation's when `negotiation_id` is given.

    Best among the `candidates` newest matches of the statement's own text, and as many matches
    of its source; `narrowed` says when there were more.
    """
    params: dict[str, Any] = {
        "limit": PER_PAGE + 1,
        "offset": (page - 1) * PER_PAGE,
        "candidates": candidates,
        "negotiation": negotiation_id,
    }
    words = address_words(query)
    dialect = session.get_bind().dialect.name
    sql = _QUERIES[dialect, negotiation_id is not None]
    if dialect == "postgresql":
        # A parallel plan split the cost of probing statements per source across workers, and
        # so won over the sources' GIN index: every search read and tested all 50,000 sources
        # (most of 20-50 ms at 1M statements). Serial, the planner takes the index for a rare
        # word and walks statement ids for a common one. For this transaction only.
        session.execute(_SERIAL)
        rows = session.execute(sql, {**params, "query": words, "options": _HEADLINE}).all()
    else:
        rows = session.execute(sql, {**params, "query": fts5_query(words)}).all()
    has_next = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    # A half (statements, statements by their source) stopped at CANDIDATES: older ones exist.
    narrowed = bool(rows) and rows[0][6] >= candidates
    shown = (
        select(Statement)
        .where(Statement.id.in_([row[0] for row in rows]))
        .options(
            joinedload(Statement.party),
            # Results name their negotiation and link to its pages.
            joinedload(Statement.demand).joinedload(Demand.negotiation),
            joinedload(Statement.source),
        )
    )
    by_id = {statement.id: statement for statement in session.scalars(shown)} if rows else {}
    hits = []
    for statement_id, summary, quote, speaker, title, publisher, _ in rows:
        statement = by_id[statement_id]
        # A field that did not match comes back unmarked (PostgreSQL) or not at all (SQLite).
        hits.append(
            Hit(
                statement=statement,
                summary=segments(summary or statement.summary),
                quote=segments(quote or statement.quote) if statement.quote else None,
                speaker=segments(speaker or statement.speaker) if statement.speaker else None,
                source_title=segments(title or statement.source.title),
                source_publisher=segments(publisher or statement.source.publisher),
            )
        )
    return Results(query=query, hits=hits, page=page, has_next=has_next, narrowed=narrowed)
