"""What a person calls each field: the history's diffs, the catalog's forms and the statement form
use these words, so a field is named the same wherever it is shown.
"""

from __future__ import annotations

# Each stored field (a snapshot's key, a column), as the history names it.
FIELD_LABELS = {
    "negotiation_id": "Negotiation",
    "party_id": "Party",
    "demand_id": "Demand",
    "source_id": "Source",
    "stance": "Stance",
    "stated_on": "Date stated",
    "stated_on_precision": "Date precision",
    "speaker": "Speaker",
    "summary": "Summary",
    "quote": "Quote",
    "retracted_at": "Retracted at",
    "retraction_reason": "Retraction reason",
    # Issue 18
    "off_scale": "Off the scale",
    "partial": "Partial",
    "scope_note": "Scope note",
    "alternative_to_id": "Other option of the offer",
    "conditions": "Only if",
    # evidence (issue 18 items 3-5)
    "evidence": "How the source knows",
    "evidence_outlet": "Outlet cited",
    "quote_language": "Language of the original",
    "original_quote": "Quote in the original language",
    "translated_by": "Translated by",
    "archive_url": "Archived copy",
    # reactions (issue 17)
    "answers_version_id": "Answers the proposal version",
    "answers_point_id": "Answers the point",
    "slug": "Slug",
    "name": "Name",
    "short_name": "Short name",
    "kind": "Kind",
    "colour": "Colour",
    "description": "Description",
    "title": "Title",
    "display_order": "Display order",
    "url": "URL",
    "publisher": "Publisher",
    "published_on": "Published on",
    "published_on_precision": "Published on precision",
    "email": "Email",
    "display_name": "Display name",
    "role": "Role",
    "is_active": "Active",
    "second_factor": "Second factor",
    "all_negotiations": "Edits every negotiation",
    "negotiations": "Negotiations edited",
    "status": "Status",
    "status_changed_on": "Status since",
}

# A source's fields where they stand on a form (the catalog's, the statement form's): "Source URL"
# beside a statement's own fields, where a bare "URL" or "Title" would be ambiguous.
SOURCE_FIELD_LABELS = {
    "url": "Source URL",
    "title": "Source title",
    "publisher": FIELD_LABELS["publisher"],
    "published_on": FIELD_LABELS["published_on"],
    "kind": "Source kind",
    "archive_url": FIELD_LABELS["archive_url"],
}
