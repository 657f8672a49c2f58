"""The page for a post that was not saved: why, and what was typed, to send again or copy."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from app.auth.csrf import is_cross_site
from app.auth.sessions import csrf_token
from app.pages import render
from app.posted_forms import HIDDEN_FIELDS, typed_text


def refused_form_page(
    request: Request,
    form: dict[str, str],
    *,
    status: int,
    title: str,
    message: str,
    resend: bool = True,
    not_sent: str | None = None,
) -> Response:
    """`form` shown back with its plumbing (version, submission key), ready to send again.

    The plumbing keeps a second send safe: an edit carries its version, a new statement its
    submission key, so nothing is stored twice. A fresh CSRF token replaces the one posted.
    """
    return render(
        request,
        "errors/refused.html",
        {
            "status": status,
            "title": title,
            "message": message,
            "typed": typed_text(form),
            "hidden": {k: v for k, v in form.items() if k in HIDDEN_FIELDS - {"csrf_token"}},
            # Offering to send again is safe only to a page of our own: a cross-site post must
            # not become one click away from going through.
            "resend": resend and not is_cross_site(request),
            # Why there is no "send again" button, when it is not a cross-site post.
            "not_sent": not_sent,
            "action": request.url.path,
            "csrf_token": csrf_token(request),
        },
        status_code=status,
    )
