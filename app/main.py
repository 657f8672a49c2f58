"""The application factory."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import health, security
from app.about import routes as about_routes
from app.account import routes as account_routes
from app.api import docs as api_docs
from app.api.cors import ApiCorsMiddleware
from app.api.csv_export import export_slots
from app.api.openapi import install_openapi
from app.auth import routes as auth_routes
from app.auth.guards import csrf_by_default, install_guards
from app.auth.passwords import HashingTurns
from app.auth.sessions import SESSION_MAX_AGE, edits_negotiation, header_account
from app.caching import (
    ConditionalGetMiddleware,
    DataVersion,
    HeadAsGetMiddleware,
    PerDataVersion,
    RenderCache,
    track,
)
from app.canonical import canonical_reader_url
from app.catalog import routes as catalog_routes
from app.compare import routes as compare_routes
from app.db import make_engine, make_sessionmaker
from app.demands import api as demand_api
from app.demands import routes as demand_routes
from app.errors import install_error_pages, install_outage_page
from app.follow import routes as follow_routes
from app.kept_html import KEPT_ENTRIES, KEPT_HISTORIES, KeptHtml, kept_entries, kept_history
from app.matrix import api as matrix_api
from app.matrix import routes as matrix_routes
from app.matrix.cells import RenderedCells, kept_cells
from app.negotiations import api as negotiation_api
from app.parties import api as party_api
from app.parties import routes as party_routes
from app.proposal_editor import routes as proposal_editor_routes
from app.proposals import api as proposal_api
from app.proposals import routes as proposal_routes
from app.replicas import ReplicaRoutingMiddleware, Replicas, WroteCookie
from app.search import routes as search_routes
from app.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.settings import Settings, get_settings
from app.share import embeds as share_embeds
from app.share import oembed as share_oembed
from app.share import routes as share_routes
from app.sources import api as source_api
from app.sources import routes as source_routes
from app.statements import api as statement_api
from app.statements import corrections_routes as statement_corrections_routes
from app.statements import edit_routes as statement_edit_routes
from app.statements import review_routes as statement_review_routes
from app.statements import routes as statement_routes
from app.statements import source_picker
from app.statements.review_routes import waiting_count
from app.templating import STATIC_DIR, make_templates
from app.timeline import routes as timeline_routes
from app.url_text import plain_url_text
from app.users import routes as user_routes
from app.webhooks import routes as webhook_routes


class Parley(FastAPI):
    """FastAPI with the security headers as its outermost layer.

    Outside Starlette's ServerErrorMiddleware, which `add_middleware` cannot reach: so a 500
    (the page our handler renders, or Starlette's own if that fails) carries them too.
    """

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        return SecurityHeadersMiddleware(
            super().build_middleware_stack(), hsts=settings.environment == "production"
        )


_frozen = threading.Event()


def freeze_what_is_loaded() -> None:
    """Once a process: a full collection, then what survives moves to the permanent generation.
    A process that makes several apps (the test suite makes one a test) would otherwise pay a
    full collection each, and keep every earlier app's garbage out of the collector's reach."""
    if not _frozen.is_set():
        _frozen.set()
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded at start-up (modules, templates, metadata) lives as long as the
        # process: moved out of the cyclic GC's reach, it stops costing ~40 ms full collections
        # at p99 (docs/design.md, "Caching, the data version and ETags").
        freeze_what_is_loaded()
        if replicas is not None:
            replicas.start()
        yield
        if replicas is not None:
            replicas.stop()
        engine.dispose()
        app.state.hashing_turns.close()

    app = Parley(
        title=settings.site_name,
        summary="Where each side of a negotiation stands on each term, over time, with sources.",
        lifespan=lifespan,
        docs_url=None,  # our own /docs, from vendored files (app/api/docs.py)
        redoc_url=None,
        # CSRF by default: every POST, PUT, PATCH and DELETE of every route, present or future.
        # Reader routes answer only their canonical URLs (app/canonical.py), and no route reads
        # a control character from its URL (app/url_text.py).
        dependencies=[
            Depends(csrf_by_default),
            Depends(plain_url_text),
            Depends(canonical_reader_url),
        ],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.rendered_cells = RenderedCells()
    app.state.kept_histories = KeptHtml(KEPT_HISTORIES)
    app.state.kept_entries = KeptHtml(KEPT_ENTRIES)
    app.state.templates = make_templates(
        header_account=header_account,
        kept_cells=kept_cells,
        kept_history=kept_history,
        kept_entries=kept_entries,
        # Editor links on reader pages (the proposal pages), for editors of those talks only.
        edits_negotiation=edits_negotiation,
        header_review_count=waiting_count,
    )
    app.state.export_slots = export_slots(settings.max_concurrent_exports)
    app.state.hashing_turns = HashingTurns(
        settings.max_concurrent_logins, settings.login_queue_timeout
    )

    # Through app.state so that tests, which swap the sessionmaker, see their own writes.
    version = track(DataVersion(lambda: app.state.sessionmaker(), settings.data_version_ttl))
    app.state.data_version = version
    replicas = _replicas(settings, engine, version)
    app.state.replicas = replicas
    app.state.render_cache = RenderCache(settings.render_cache_mb * 1_000_000)
    app.state.per_data_version = PerDataVersion()
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=settings.session_cookie,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    # Outside SessionMiddleware: what may be shared is decided on the final headers, Set-Cookie
    # included (inside it, a stored /login page once carried one visitor's session to all).
    app.add_middleware(
        ConditionalGetMiddleware,
        version=version,
        session_cookie=settings.session_cookie,
        render_cache=app.state.render_cache,
    )
    if replicas is not None:
        # Outside the shared-cache decision, which must know of the client's own write; a read
        # answered again from the primary (its replica failed) runs through it once more.
        app.add_middleware(
            ReplicaRoutingMiddleware,
            cookie=WroteCookie(
                settings.secret_key,
                settings.replica_max_lag_s + 2 * settings.replica_check_interval_s + 1,
            ),
            secure=settings.environment == "production",
        )
    app.add_middleware(HeadAsGetMiddleware)

    # Outside the conditional GETs, so 304s and cached responses carry CORS headers too.
    app.add_middleware(ApiCorsMiddleware)

    # Added last, so it runs first (inside only the security headers, see Parley above).
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.trusted_proxies:
        # Outside the rest: the client address and scheme are settled before anything reads
        # them (the login throttle counts per address). Only these proxies are believed.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for feature in (
        matrix_routes,
        statement_routes,
        statement_edit_routes,
        statement_review_routes,
        statement_corrections_routes,
        source_picker,
        party_routes,
        demand_routes,
        # Before the reader pages: /proposals/new is not a proposal called "new".
        proposal_editor_routes,
        proposal_routes,
        compare_routes,
        share_routes,
        share_embeds,
        share_oembed,
        source_routes,
        timeline_routes,
        follow_routes,
        search_routes,
        about_routes,
    ):
        app.include_router(feature.router)
    app.include_router(auth_routes.router)
    app.include_router(account_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(user_routes.router)
    app.include_router(webhook_routes.router)
    app.include_router(health.router)
    app.include_router(security.router)
    app.include_router(api_docs.router)
    for feature_api in (
        statement_api,
        party_api,
        demand_api,
        source_api,
        matrix_api,
        negotiation_api,
        proposal_api,
    ):
        app.include_router(feature_api.router)
    install_openapi(app)
    install_error_pages(app)
    install_outage_page(app)
    install_guards(app)
    return app


def _replicas(settings: Settings, primary: Engine, version: DataVersion) -> Replicas | None:
    """The read replicas of PARLEY_DATABASE_REPLICA_URLS, or None (none given, or SQLite)."""
    urls = settings.replica_urls
    if not urls:
        return None
    connect_args = {
        "options": f"-c statement_timeout={settings.statement_timeout_ms}",
        "connect_timeout": settings.replica_connect_timeout_s,
    }
    return Replicas(
        primary,
        [make_engine(settings, url, connect_args=connect_args) for url in urls],
        max_lag_s=settings.replica_max_lag_s,
        check_interval_s=settings.replica_check_interval_s,
        served_revision=version.known,
    )
