"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import health
from app.about import routes as about_routes
from app.compare import routes as compare_routes
from app.db import make_engine, make_sessionmaker
from app.demands import routes as demand_routes
from app.errors import install_error_pages
from app.matrix import routes as matrix_routes
from app.parties import routes as party_routes
from app.search import routes as search_routes
from app.settings import Settings, get_settings
from app.sources import routes as source_routes
from app.statements import routes as statement_routes
from app.timeline import routes as timeline_routes
from app.web import STATIC_DIR


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Parley",
        summary="Where each side of a negotiation stands on each term, over time, with sources.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(matrix_routes.router)
    app.include_router(statement_routes.router)
    for feature in (
        party_routes,
        demand_routes,
        compare_routes,
        source_routes,
        timeline_routes,
        search_routes,
        about_routes,
    ):
        app.include_router(feature.router)
    app.include_router(health.router)
    install_error_pages(app)
    return app
