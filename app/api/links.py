"""Links in API records, built from the route table: a route that moves takes its links along."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from app.web import app_path

# link("party", slug="ukraine") -> "/parties/ukraine": a route's name and its path parameters.
Link = Callable[..., str]


def route_links(request: Request) -> Link:
    def link(name: str, /, **params: Any) -> str:
        return app_path(request.app, name, **params)

    return link


Links = Annotated[Link, Depends(route_links)]
