"""How a source knows what it reports, and the language tag of an original quote (issue 18).

A language tag is checked with a strict regular expression for well-formed BCP 47 (RFC 5646)
tags — language, optional extlang, script, region, variants, extensions — not a registry
look-up: no language-tag library is in the lock, and a well-formed tag is what screen readers
need in `lang`. Tags are stored in their canonical case (`uk`, `zh-Hant-TW`).
"""

from __future__ import annotations

import re
from enum import StrEnum

EVIDENCE_OUTLET_MAX = 200
LANGUAGE_TAG_MAX = 35
TRANSLATED_BY_MAX = 200


class Evidence(StrEnum):
    ON_RECORD = "on_record"
    OFFICIAL_DOCUMENT = "official_document"
    ANONYMOUS_OFFICIAL = "anonymous_official"
    LEAKED_DOCUMENT = "leaked_document"
    OTHER_OUTLET = "other_outlet"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def reported(self) -> bool:
        """Anonymous or second-hand evidence: what it supports is only "reported"."""
        return self in (Evidence.ANONYMOUS_OFFICIAL, Evidence.OTHER_OUTLET)


_LABELS = {
    Evidence.ON_RECORD: "on the record (speaker named)",
    Evidence.OFFICIAL_DOCUMENT: "official document",
    Evidence.ANONYMOUS_OFFICIAL: "anonymous official",
    Evidence.LEAKED_DOCUMENT: "leaked document",
    Evidence.OTHER_OUTLET: "reported by another outlet",
}

_TAG = re.compile(
    r"""^(?:
        (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})
        (?:-(?P<script>[a-z]{4}))?
        (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
        (?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*
        (?:-x(?:-[a-z0-9]{1,8})+)?
    )$""",
    re.X,
)


def language_tag(raw: str) -> str:
    """`raw` as a canonical well-formed BCP 47 tag, or ValueError saying what is wrong."""
    tag = raw.strip().replace("_", "-")
    if not tag:
        raise ValueError("Give the language of the original, as a tag such as uk, ru or en.")
    if len(tag) > LANGUAGE_TAG_MAX or not tag.isascii():
        raise ValueError(f"“{raw[:40]}” is not a language tag; use one such as uk, ru or en.")
    match = _TAG.match(tag.lower())
    if match is None:
        raise ValueError(f"“{raw}” is not a language tag; use one such as uk, ru or en.")
    parts = tag.lower().split("-")
    canonical = [parts[0]]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and part == match.group("script"):
            canonical.append(part.title())
        elif part == match.group("region"):
            canonical.append(part.upper())
        else:
            canonical.append(part)
    return "-".join(canonical)
