"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app import health
from app.auth import routes as auth_routes
from app.auth.guards import PrivateWhenLoggedIn, install_guards
from app.auth.sessions import SESSION_MAX_AGE, header_account
from app.catalog import routes as catalog_routes
from app.db import make_engine, make_sessionmaker
from app.errors import install_error_pages
from app.matrix import routes as matrix_routes
from app.settings import Settings, get_settings
from app.statements import editing as statement_editing
from app.statements import routes as statement_routes
from app.users import routes as user_routes
from app.web import STATIC_DIR, templates


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

    # Inner first: PrivateWhenLoggedIn reads the session SessionMiddleware has put in the scope.
    app.add_middleware(PrivateWhenLoggedIn)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="parley_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    templates.env.globals["header_account"] = header_account

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(matrix_routes.router)
    # Before statement_routes (/statements/new is not /statements/{id}) and before
    # catalog_routes (/edit/sources/suggest is not /edit/sources/{id}).
    app.include_router(statement_editing.router)
    app.include_router(statement_routes.router)
    app.include_router(auth_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(user_routes.router)
    app.include_router(health.router)
    install_error_pages(app)
    install_guards(app)
    return app
