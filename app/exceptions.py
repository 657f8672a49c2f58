"""The exceptions that cross layers: raised by services and routes, answered by the error pages.

A leaf: it imports nothing of ours, so every layer (models included) may raise them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from starlette.responses import Response


@dataclass(frozen=True)
class Choice:
    """A record a reader may have meant: shown on a 404 page instead of a dead end."""

    label: str
    href: str


class NotFound(Exception):
    """A record named in the URL does not exist.

    `choices` are the records to pick from instead (for a mistyped slug: all of them), and
    `index` the list page that holds them all when they are too many to show.
    """

    def __init__(
        self,
        what: str,
        *,
        choices: Sequence[Choice] = (),
        index: Choice | None = None,
    ) -> None:
        super().__init__(what)
        self.what = what
        self.choices = list(choices)
        self.index = index


T = TypeVar("T")


def found(record: T | None, what: str, *, index: Choice | None = None) -> T:
    """`record`, or NotFound(`what`) when the lookup that gave it found nothing.

    Where the 404 page lists choices, the route raises NotFound itself: the choices are a query
    that only a miss should pay for.
    """
    if record is None:
        raise NotFound(what, index=index)
    return record


class BadRequest(Exception):
    """A query parameter a page cannot use; the reason is shown on a 400 page.

    `errors` names each parameter at fault and why, for the API's problem details.
    """

    def __init__(self, reason: str, *, errors: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = list(errors)

    @classmethod
    def parameter(cls, name: str, detail: str) -> BadRequest:
        return cls(detail, errors=[(name, detail)])


class UnknownFilter(ValueError):
    """A list's filter value that names nothing in the data (a party, a publisher, an order)."""


class FieldProblem(ValueError):
    """A write refused because of one field's value: the message is shown beside that field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class AlreadyTaken(FieldProblem):
    """A unique value (slug, URL, email) that another record already has."""


class AlreadyRetracted(FieldProblem):
    """A retraction of a statement that is retracted already."""


class InvalidChoice(FieldProblem):
    """A value outside the field's choices (a role that is not editor or admin)."""


class NotAllowed(FieldProblem):
    """A change the rules refuse to this person (deactivating or demoting oneself…)."""


class Refusal(Exception):
    """A refused write, answered with `response` (the form again, a conflict page…).

    Raised rather than returned so that the request's session rolls back: nothing a refused
    request did on its way (a source created before the statement failed) is ever committed.
    """

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class NotYourNegotiation(Exception):
    """A write to a negotiation this account may not edit (an editor granted other talks), or
    to the negotiations themselves by someone who is not an admin. Answered 403; nothing of
    the request is kept (the session rolls back as for any raise)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- review (issue 19) ---
class OwnStatement(NotYourNegotiation):
    """A review (publish or send back) by someone who wrote the draft: where the negotiation
    asks for review, a second pair of eyes is the point, so admins are refused too (403)."""


class NotADraft(FieldProblem):
    """A review of a statement that is published already."""


# --- end review ---
