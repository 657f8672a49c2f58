"""Random and hostile values in every field of every editor form, posted with a real CSRF token.

Whatever arrives, the app must answer without a 500, name the problem when it refuses, never
echo markup unescaped, and leave rows and revisions exactly as they were unless the input was
valid (and then write one revision per row written, plus one for the record edited).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from tests.editors import counts, form_fields
from tests.factories import make_demand, make_party, make_source, make_statement
from tests.html import parse

_serial = itertools.count(1)
# Status codes seen, per form (printed with -s; quoted in the closing note).
OUTCOMES: Counter[tuple[str, int]] = Counter()

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "'><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "x\x00y",
    "\x00",
    "\x1b[31m",
    "",
    "   ",
    "\u202eevil",
    "' OR 1=1 --",
    "../../etc/passwd",
    "{{ 7*7 }}",
    "%00",
    "a" * 5_000,
    "é" * 70_000,  # 140 kB of UTF-8, 420 kB percent-encoded: over the body cap
    # Odd dates and numbers, for the date, order, version and id fields.
    "2025-02-30",
    "9999-99-99",
    "0000-01-01",
    "2025-13",
    "1900",
    "3000-01-01",
    "-1",
    "0",
    "99999999999999999999",
    "1e9",
    "NaN",
    "999999",
]
# Bytes that are not UTF-8: invalid sequences and a lone surrogate in its (illegal) UTF-8 form.
HOSTILE_BYTES = [b"\xff\xfe", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"ok\xed\xb3\xbfok"]

values = st.one_of(
    # Plain words: valid in most fields, so that accepted posts are checked too.
    st.from_regex(r"[a-z]{1,12}", fullmatch=True).map(str.encode),
    st.sampled_from(HOSTILE_TEXT).map(str.encode),
    st.sampled_from(HOSTILE_BYTES),
    st.text(max_size=30).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(st.characters(categories=["Cs", "Cc", "Zs", "So"]), max_size=5).map(
        lambda s: s.encode("utf-8", "surrogatepass")
    ),
)


@dataclass(frozen=True)
class EditorForm:
    name: str
    # (session) -> (page url, post url); builds the record an edit form needs.
    urls: Callable[[Session], tuple[str, str]]
    # Valid values that must be unique per submission (slugs, URLs), or the second valid post of
    # a run would be refused for a reason that has nothing to do with the fuzzed field.
    unique: Callable[[int], dict[str, str]]
    edits: bool


def _statement_urls(session: Session) -> tuple[str, str]:
    url = f"/statements/{make_statement(session).id}/edit"
    return url, url


def _catalog(kind: str, make: Callable[[Session], Any] | None) -> Callable[[Session], tuple]:
    def urls(session: Session) -> tuple[str, str]:
        url = f"/edit/{kind}/{make(session).id}" if make else f"/edit/{kind}/new"
        return url, url

    return urls


FORMS = [
    EditorForm(
        "add statement",
        lambda _s: ("/statements/new", "/statements/new"),
        lambda n: {
            "party": "1",
            "demand": "1",
            "stance": "-1",
            "summary": "Rejects the proposal.",
            "stated_on": "2025-03-04",
            "source_url": f"https://news.example.org/hostile-{n}",
            "source_title": "A story",
            "source_publisher": "Example News",
            "submission_key": f"hostile-submission-{n:08d}",
        },
        edits=False,
    ),
    EditorForm("edit statement", _statement_urls, lambda n: {}, edits=True),
    EditorForm(
        "add party",
        _catalog("parties", None),
        lambda n: {"slug": f"hostile-{n}", "name": f"Party {n}", "short_name": "H"},
        edits=False,
    ),
    EditorForm("edit party", _catalog("parties", make_party), lambda n: {}, edits=True),
    EditorForm(
        "add demand",
        _catalog("demands", None),
        lambda n: {"slug": f"hostile-{n}", "title": f"Demand {n}"},
        edits=False,
    ),
    EditorForm("edit demand", _catalog("demands", make_demand), lambda n: {}, edits=True),
    EditorForm(
        "add source",
        _catalog("sources", None),
        lambda n: {
            "url": f"https://news.example.org/hostile-source-{n}",
            "title": "A story",
            "publisher": "Example News",
        },
        edits=False,
    ),
    EditorForm("edit source", _catalog("sources", make_source), lambda n: {}, edits=True),
]

# Every field a form has is fair game, except the CSRF token (without it the post is refused
# before any field is read, which tests nothing here).
MARKUP = ("<script>alert", 'onmouseover="alert', "<img src=x")


def body(fields: dict[str, bytes]) -> bytes:
    return b"&".join(
        quote_from_bytes(name.encode()).encode() + b"=" + quote_from_bytes(value).encode()
        for name, value in fields.items()
    )


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_hostile_input_is_refused_with_words_or_saved_exactly_once(
    form: EditorForm, editor_client, session: Session
) -> None:
    page_url, post_url = form.urls(session)
    session.commit()
    rendered = form_fields(editor_client.get(page_url))
    latest = [rendered]  # an accepted edit moves the version on: later posts start from the new
    targets = sorted(name for name in rendered if name != "csrf_token")
    tried: list[int] = []

    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        chosen=st.dictionaries(st.sampled_from(targets), values, min_size=1, max_size=2),
        raw=st.booleans(),
    )
    def post(chosen: dict[str, bytes], raw: bool) -> None:
        tried.append(len(chosen))
        n = next(_serial)
        fields = {name: value.encode() for name, value in latest[-1].items()}
        fields.update({k: v.encode() for k, v in form.unique(n).items()})
        before = counts(session)
        encoded = body({**fields, **({} if raw else chosen)})
        if raw:
            # Unencoded bytes straight in the body, as a broken or hostile client would send.
            encoded += b"".join(b"&" + k.encode() + b"=" + v for k, v in chosen.items())
        response = editor_client.post(
            post_url,
            content=encoded,
            headers={"content-type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        after = counts(session)
        OUTCOMES[(form.name, response.status_code)] += 1
        assert response.status_code < 500, (chosen, response.text[:500])
        assert not any(m in response.text for m in MARKUP), "markup echoed unescaped"
        if response.status_code == 303:
            rows = sum(after[m] - before[m] for m in after if m != "Revision")
            assert rows >= 0
            assert after["Revision"] - before["Revision"] == rows + (1 if form.edits else 0), (
                before,
                after,
            )
            if not form.edits:
                assert rows >= 1
            latest.append(form_fields(editor_client.get(page_url)))
            return
        assert 400 <= response.status_code < 500, response.status_code
        assert after == before, (chosen, before, after)
        page = parse(response.text)
        if response.status_code == 422:
            problems = page.select("#form-problems li")
            assert problems, response.text[:500]
        else:
            # 400, 403, 409, 413, 415: an error page (or the conflict form) that says what failed.
            message = page.select_one("main")
            assert message is not None and message.get_text(strip=True), response.text[:500]

    post()
    assert len(tried) >= 5
    print(form.name, sorted((c, n) for (f, c), n in OUTCOMES.items() if f == form.name))
