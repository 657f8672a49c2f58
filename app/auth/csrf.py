"""CSRF: every state-changing request carries this browser's token, and does not come cross-site.

A small dependency of our own (docs/dependencies.md says which libraries failed here): the token
lives in the signed session cookie and comes back in the form field `csrf_token` (plain HTML
forms) or the `X-CSRF-Token` header (scripts). Browsers also say where a request comes from in
`Sec-Fetch-Site`; a cross-site POST is refused even before the token is looked at.
"""

from __future__ import annotations

import secrets

from fastapi import Request

from app.auth.sessions import CSRF

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
# "none" is a person typing the URL or using a bookmark; old browsers send no header at all.
ALLOWED_FETCH_SITES = {"same-origin", "none"}

# The methods that change state: each one needs the token, unless its route is exempt below.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Unsafe routes that take no token, by route name, and why. Keep this short: each is a door.
EXEMPT_ROUTES = {
    "csp_report": "browsers send violation reports by themselves, with no token or cookie; "
    "a forged report only adds a log line",
}


def is_cross_site(request: Request) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    return site is not None and site not in ALLOWED_FETCH_SITES


def csrf_problem(request: Request, form: dict[str, str]) -> str | None:
    """Why this request's CSRF proof is refused, in words, or None when it is good."""
    if is_cross_site(request):
        return "It was sent from another site."
    expected = request.session.get(CSRF)
    given = form.get(FIELD) or request.headers.get(HEADER)
    if not expected:
        return "Your browser has no session with us (it may have expired, or cookies are off)."
    if not given:
        return "The form did not carry its security token."
    if not secrets.compare_digest(str(expected).encode(), given.encode()):
        return (
            "The form's security token belongs to another session "
            "(perhaps you logged in or out in another tab)."
        )
    return None
