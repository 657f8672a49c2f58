"""Settings, read from the environment once. Nothing else in the app reads os.environ."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

# The secret this project once shipped as its development default: published in its history, so
# it signs nothing anywhere (anyone could forge a session with it). Refused as PARLEY_SECRET_KEY.
PUBLISHED_SECRETS = frozenset({"development-only-secret-do-not-use-in-production"})
# Words that mark a placeholder copied from an example rather than a generated secret.
PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "secret", "password", "example")
SECRET_MIN_LENGTH = 32
# token_urlsafe(48): 64 characters, ~40 distinct, ~330 bits; token_hex(16): ~110 bits; "aaaa…": 0.
SECRET_MIN_DISTINCT = 8
SECRET_MIN_BITS = 80
DEFAULT_DATABASE_URL = "sqlite:///parley.db"
# Where `parley serve` listens by default; development links point here unless told otherwise.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"
# The authority every instance used for its feed entry ids before feed_tag_authority existed.
LEGACY_TAG_AUTHORITY = "parley.statements,2026"
SECRET_FILE_SUFFIX = ".secret-key"


def secret_key_problem(secret: str) -> str | None:
    """Why `secret` is not fit to sign sessions in production, or None when it is."""
    advice = "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
    if secret in PUBLISHED_SECRETS:
        return f"PARLEY_SECRET_KEY is a value published in Parley's source; generate one, {advice}"
    if len(secret) < SECRET_MIN_LENGTH:
        return (
            f"PARLEY_SECRET_KEY (or SECRET_KEY) must be a random value of at least "
            f"{SECRET_MIN_LENGTH} characters in production, {advice}"
        )
    counts = Counter(secret)
    # Shannon entropy of the characters as drawn, times the length: a rough upper bound on the
    # guessing work, enough to tell generated secrets from typed patterns ("abcabc…", "aaaa…").
    bits = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values()) * len(secret)
    if len(counts) < SECRET_MIN_DISTINCT or bits < SECRET_MIN_BITS:
        return (
            f"PARLEY_SECRET_KEY looks typed, not generated ({len(counts)} distinct characters, "
            f"about {bits:.0f} bits; at least {SECRET_MIN_DISTINCT} and {SECRET_MIN_BITS} "
            f"needed): generate one, {advice}"
        )
    # "abcabc…", "0123456789" × 4: a short pattern repeated (the string is found inside itself).
    if (secret + secret).find(secret, 1) < len(secret):
        return f"PARLEY_SECRET_KEY repeats a short pattern; generate one, {advice}"
    if any(word in secret.lower() for word in PLACEHOLDER_WORDS):
        return f"PARLEY_SECRET_KEY looks like a placeholder from an example; generate one, {advice}"
    return None


def _state_home() -> Path:
    """Where development keeps its secret when the database is not a SQLite file."""
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "parley"


def development_secret_file(database_url: str) -> Path | None:
    """Beside a SQLite database file (`parley.db.secret-key`), else in the user's state
    directory ($XDG_STATE_HOME/parley/secret-key); None for an in-memory database."""
    url = make_url(database_url) if "://" in database_url else None
    if url is not None and url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return Path(url.database + SECRET_FILE_SUFFIX)
    return _state_home() / "secret-key"


def read_or_create_secret(path: Path) -> str:
    """The secret kept in `path`, made (random, mode 0600) the first time."""
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting at once must not each write their own; the loser reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip() or secret
    with os.fdopen(fd, "w") as out:
        out.write(secret + "\n")
    return secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    # DATABASE_URL and SECRET_KEY are also read unprefixed: that is what hosting platforms set.
    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("PARLEY_DATABASE_URL", "DATABASE_URL"),
    )
    # Required in production. In development, when unset, a random one is made at first start
    # and kept in `secret_key_file` (see development_secret_file), so sessions survive restarts.
    secret_key: str = Field(
        "",
        validation_alias=AliasChoices("PARLEY_SECRET_KEY", "SECRET_KEY"),
    )
    # Development only: where the generated secret is kept. Empty: beside the SQLite database
    # file, or $XDG_STATE_HOME/parley/secret-key (~/.local/state/…) for other databases.
    secret_key_file: str = ""
    # Streaming replicas of the primary (comma-separated PostgreSQL URLs) that anonymous reads
    # may use; ignored on SQLite. See docs/scaling.md.
    database_replica_urls: str = Field(
        "",
        validation_alias=AliasChoices("PARLEY_DATABASE_REPLICA_URLS", "DATABASE_REPLICA_URLS"),
    )
    # A replica further behind the primary than this (seconds) is skipped until it catches up.
    replica_max_lag_s: float = Field(5.0, ge=0, le=3600)
    # How often each app process checks its replicas (reachable? how far behind?), in seconds.
    replica_check_interval_s: float = Field(1.0, gt=0, le=60)
    # A replica that does not accept a connection within this long counts as down (libpq's
    # minimum is 2 s).
    replica_connect_timeout_s: int = Field(2, ge=2, le=60)
    # Every query is cut off after this long (PostgreSQL), so a runaway query cannot hold a worker.
    statement_timeout_ms: int = Field(5000, ge=100)
    # How long an app server trusts its copy of the data version (seconds) before asking the
    # database again; writes through this server refresh it at once. 0 asks every time.
    data_version_ttl: float = Field(1.0, ge=0, le=60)
    # Rendered anonymous responses kept per app process, keyed by data version and URL; 0: none.
    render_cache_mb: int = Field(32, ge=0, le=100_000)
    # The session cookie's name: requests that carry it are never served from shared caches.
    session_cookie: str = "parley_session"
    # Request bodies over this many bytes are refused (413, plain text) before anything parses
    # them: the cap for every route.
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # HTML forms over this many bytes get the 413 error page. Far above any real form (a
    # 4,000-character quote of 4-byte characters, percent-encoded, is 48 kB) and far below what
    # would cost us to parse; within max_body_bytes, or the page could never be reached.
    max_form_bytes: int = Field(262_144, ge=1024)
    # CSV exports streaming at once per app process; more get 429 with Retry-After.
    max_concurrent_exports: int = Field(4, ge=1, le=1000)
    # A streamed response whose client takes longer than this to accept one chunk is ended.
    export_send_timeout: float = Field(10.0, gt=0, le=600)
    # Password hashes (Argon2: ~0.1 s of CPU and 64 MB each) computed at once per app process;
    # a login that cannot get a turn within login_queue_timeout seconds gets 503.
    max_concurrent_logins: int = Field(2, ge=1, le=1000)
    login_queue_timeout: float = Field(5.0, gt=0, le=120)
    # The instance's name: page titles, the header, feeds, link previews, the about page, the
    # second factor's issuer. An instance tracking another negotiation sets its own.
    site_name: str = "Parley"
    # What this instance tracks, in one sentence: the pages' default description (search
    # results, link previews).
    site_description: str = (
        "Where each side of the Russia–Ukraine negotiation stands on each term, over time, "
        "with sources."
    )

    # The public address of this instance (`https://parley.example.org`): every absolute URL
    # (feeds, links to come in emails) is built from it, never from a request's Host header,
    # which anyone can set. Required in production.
    base_url: str | None = None
    # Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed (the client address feeds the login throttle). Empty: none.
    trusted_proxies: str = ""
    # The authority of this instance's feed entry ids (tag: URIs, RFC 4151: "host,year"). Empty:
    # the base URL's host with the year feeds began, so two instances never share an id. The
    # instance that published feeds before this setting keeps its readers' ids by setting it to
    # LEGACY_TAG_AUTHORITY (see the README).
    feed_tag_authority: str = Field(
        "", max_length=200, pattern=r"^([a-z0-9.-]+,\d{4}(-\d\d){0,2})?$"
    )

    # Webhooks (app/webhooks/): the worker never posts to a private, loopback, link-local or
    # otherwise non-public address (app/outbound.py, the link checker's guard too); tests and a
    # developer's own machine may allow loopback only, never in production (refused below).
    webhook_allow_loopback: bool = False
    # How long the worker keeps retrying one delivery (exponential backoff), and how many
    # deliveries in a row may fail before an endpoint is switched off.
    webhook_retry_hours: float = Field(24.0, gt=0, le=24 * 7)
    webhook_disable_after: int = Field(20, ge=1, le=10_000)
    webhook_timeout_s: float = Field(10.0, gt=0, le=120)
    # The first retry's wait; each next one doubles it (at most an hour).
    webhook_first_retry_s: float = Field(30.0, gt=0, le=3600)

    # The source link checker (app/sources/link_check.py). It never fetches a private,
    # loopback, link-local or otherwise non-public address; tests and a developer's own machine
    # may allow loopback (127.0.0.0/8, ::1) only, and never in production (refused below).
    link_check_allow_loopback: bool = False
    link_check_timeout_s: float = Field(10.0, gt=0, le=120)
    link_check_max_redirects: int = Field(5, ge=0, le=20)
    link_check_concurrency: int = Field(8, ge=1, le=64)

    # True when secret_key was generated (development, none given): see cli.serve_app.
    _secret_generated: bool = PrivateAttr(default=False)

    @field_validator("base_url")
    @classmethod
    def _a_plain_origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(
                "PARLEY_BASE_URL must be an http(s) address such as https://parley.example.org"
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _form_within_body(self) -> Settings:
        if self.max_form_bytes > self.max_body_bytes:
            raise ValueError("max_form_bytes must not exceed max_body_bytes")
        return self

    @model_validator(mode="after")
    def _outbound_public_only(self) -> Settings:
        if self.environment != "production":
            return self
        if self.link_check_allow_loopback:
            raise ValueError(
                "PARLEY_LINK_CHECK_ALLOW_LOOPBACK is for tests and development only: in "
                "production the link checker fetches public addresses only."
            )
        if self.webhook_allow_loopback:
            raise ValueError(
                "PARLEY_WEBHOOK_ALLOW_LOOPBACK is for tests and development only: in "
                "production webhooks go to public addresses only."
            )
        return self

    @model_validator(mode="after")
    def _secret(self) -> Settings:
        if self.secret_key in PUBLISHED_SECRETS:
            raise ValueError(secret_key_problem(self.secret_key))
        if self.environment == "production":
            problem = secret_key_problem(self.secret_key)
            if problem:
                raise ValueError(problem)
        elif not self.secret_key:
            path = (
                Path(self.secret_key_file)
                if self.secret_key_file
                else development_secret_file(self.database_url)
            )
            # An in-memory database lives as long as the process: so may its secret.
            self.secret_key = read_or_create_secret(path) if path else secrets.token_urlsafe(48)
            self._secret_generated = True
        if self.environment == "production" and not self.base_url:
            raise ValueError(
                "PARLEY_BASE_URL must be set in production: the public address of this "
                "instance (e.g. https://parley.example.org), used for every absolute link."
            )
        return self

    @property
    def secret_key_generated(self) -> bool:
        return self._secret_generated

    @property
    def public_base_url(self) -> str:
        """The base of absolute URLs: PARLEY_BASE_URL, or the default development address."""
        return self.base_url or DEVELOPMENT_BASE_URL

    @property
    def tag_authority(self) -> str:
        """The authority of feed entry ids: the setting, else the base URL's host and 2026."""
        if self.feed_tag_authority:
            return self.feed_tag_authority
        host = urlsplit(self.public_base_url).hostname or "localhost"
        return f"{host},2026"

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with our driver: plain postgres:// URLs (as hosts give them) use psycopg 3."""
        return _with_driver(self.database_url)

    @property
    def replica_urls(self) -> list[str]:
        """The read replicas' URLs with our driver; none on SQLite (a file has no replicas)."""
        if self.sqlalchemy_url.startswith("sqlite"):
            return []
        urls = (url.strip() for url in self.database_replica_urls.split(","))
        return [_with_driver(url) for url in urls if url]

    @field_validator("database_replica_urls")
    @classmethod
    def _postgres_replicas(cls, value: str) -> str:
        for url in (url.strip() for url in value.split(",")):
            if url and not url.startswith(("postgres://", "postgresql://", "postgresql+")):
                raise ValueError(
                    "PARLEY_DATABASE_REPLICA_URLS must be PostgreSQL URLs, comma-separated"
                )
        return value


def _with_driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
