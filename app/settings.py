"""Settings, read from the environment once. Nothing else in the app reads os.environ."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"
DEFAULT_DATABASE_URL = "sqlite:///parley.db"
# Where `parley serve` listens by default; development links point here unless told otherwise.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    # DATABASE_URL and SECRET_KEY are also read unprefixed: that is what hosting platforms set.
    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("PARLEY_DATABASE_URL", "DATABASE_URL"),
    )
    secret_key: str = Field(
        DEVELOPMENT_SECRET,
        validation_alias=AliasChoices("PARLEY_SECRET_KEY", "SECRET_KEY"),
    )
    # Every query is cut off after this long (PostgreSQL), so a runaway query cannot hold a worker.
    statement_timeout_ms: int = Field(5000, ge=100)
    # How long an app server trusts its copy of the data version (seconds) before asking the
    # database again; writes through this server refresh it at once. 0 asks every time.
    data_version_ttl: float = Field(1.0, ge=0, le=60)
    # Rendered anonymous responses kept per app process, keyed by data version and URL; 0: none.
    render_cache_mb: int = Field(32, ge=0, le=100_000)
    # The session cookie's name: requests that carry it are never served from shared caches.
    session_cookie: str = "parley_session"
    # Request bodies over this many bytes are refused (413) before anything parses them.
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # Shown in the page footer and in feeds: who runs this instance.
    site_name: str = "Parley"
    # The public address of this instance (`https://parley.example.org`): every absolute URL
    # (feeds, links to come in emails) is built from it, never from a request's Host header,
    # which anyone can set. Required in production.
    base_url: str | None = None
    # Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto are believed (the client address feeds the login throttle). Empty: none.
    trusted_proxies: str = ""

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
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "PARLEY_SECRET_KEY (or SECRET_KEY) must be set to a random value of at least "
                "32 characters in production, e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`."
            )
        if self.environment == "production" and not self.base_url:
            raise ValueError(
                "PARLEY_BASE_URL must be set in production: the public address of this "
                "instance (e.g. https://parley.example.org), used for every absolute link."
            )
        return self

    @property
    def public_base_url(self) -> str:
        """The base of absolute URLs: PARLEY_BASE_URL, or the default development address."""
        return self.base_url or DEVELOPMENT_BASE_URL

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with our driver: plain postgres:// URLs (as hosts give them) use psycopg 3."""
        url = self.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
