"""HTML forms: reading a post safely, and turning validation errors into words beside fields.

Every editor form posts `application/x-www-form-urlencoded` (no uploads anywhere), is validated
by the same Pydantic *Fields model as the API and the demo loader, and on refusal is rendered
again with what was typed and a message on each field at fault.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Form fields that are plumbing, never shown back as "what you typed".
HIDDEN_FIELDS = frozenset({"csrf_token", "version", "submission_key", "next"})
# A second-factor code is a secret too: a recovery code works once, but it is a password.
SECRET_FIELDS = frozenset({"password", "new_password", "code"})


class UnreadableForm(Exception):
    """A post we cannot read as a form at all (too large, wrong encoding)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def posted_form(request: Request) -> dict[str, str]:
    """The posted fields as text; the first value wins when a name is repeated."""
    limit = request.app.state.settings.max_form_bytes
    too_large = UnreadableForm(413, f"The form was too large (over {limit // 1024} kB).")
    declared = request.headers.get("content-length")
    if declared and declared.isdecimal() and int(declared) > limit:
        raise too_large
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content_type and declared in (None, "0"):
        return {}  # an empty post: no fields (and so no CSRF token, which is then refused)
    if content_type != "application/x-www-form-urlencoded":
        raise UnreadableForm(415, "The form was not sent as an HTML form.")
    body = await request.body()  # cached: request.form() below reads it again
    if len(body) > limit:
        raise too_large
    form = await request.form(max_files=0, max_fields=200)
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, value)
    # Kept for the outage page: a save the database could not take shows the editor's text again.
    request.state.posted_form = fields
    return fields


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


def field_errors(error: ValidationError, *, whole_form_field: str | None = None) -> dict[str, str]:
    """One message per field. Errors about the whole model go to `whole_form_field`, if given."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        location = problem["loc"]
        field = str(location[0]) if location else (whole_form_field or "form")
        messages.setdefault(field, readable(problem))
    return messages


def readable(problem: Any) -> str:
    message = str(problem["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if problem["type"] == "missing":
        return "This field is required."
    if problem["type"] == "string_too_short":
        return "This field is required." if problem.get("input", "") == "" else message
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def validate(
    model: type[M], data: dict[str, Any], *, whole_form_field: str | None = None
) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        return None, field_errors(error, whole_form_field=whole_form_field)


def typed_text(form: dict[str, str]) -> dict[str, str]:
    """What a person typed into a refused form, to show back to them (never a password)."""
    return {
        name: value
        for name, value in form.items()
        if name not in HIDDEN_FIELDS and name not in SECRET_FIELDS
    }
