"""Text in a URL, for every route: a query or path value with a control character is refused.

Forms check their fields (app/field_types.py); a URL's values reach queries as they are, and a
NUL byte there names nothing and made PostgreSQL refuse the query (a 500). One app-wide
dependency rather than a check at each lookup, so a parameter added later is covered too.
"""

from __future__ import annotations

from fastapi import Request

from app.exceptions import BadRequest, NotFound
from app.field_types import has_control_characters


async def plain_url_text(request: Request) -> None:
    # async: no I/O, so FastAPI runs it on the event loop rather than in a threadpool hop.
    if any(has_control_characters(str(value)) for value in request.path_params.values()):
        raise NotFound("There is no page at this address.")
    errors = [
        (name, f"{name!r} must not contain control characters (such as NUL bytes).")
        for name in dict.fromkeys(request.query_params.keys())
        if has_control_characters(name)
        or any(has_control_characters(v) for v in request.query_params.getlist(name))
    ]
    if errors:
        raise BadRequest(" ".join(detail for _, detail in errors), errors=errors)
