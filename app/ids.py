"""Record ids in URLs: positive and within the database's integer range, or the page is a 404."""

from typing import Annotated

from fastapi import Path

MAX_ID = 2**31 - 1

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
