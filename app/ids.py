"""Record ids in URLs: positive and within the database's integer range, or the page is a 404."""

from typing import Annotated

from fastapi import Path
from starlette.convertors import Convertor, register_url_convertor

MAX_ID = 2**31 - 1

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Digits(Convertor[str]):
    """`{statement_id:digits}`: the path segment must be digits, kept as typed (RecordId reads it).

    So `/statements/new` is not a statement id and no route's order decides which route it
    reaches; unlike `:int`, the text stays as sent, so `/statements/01` can still be redirected
    to its canonical URL (app/canonical.py).
    """

    regex = "[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: object) -> str:
        return str(value)


# Registered on import: every module that routes an id imports RecordId from here first.
register_url_convertor("digits", Digits())
