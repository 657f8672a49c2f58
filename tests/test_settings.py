from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings
from tests.test_secrets import PUBLISHED


def test_default_database_is_a_local_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("DATABASE_URL", "PARLEY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # development keeps its generated secret beside parley.db
    assert Settings().sqlalchemy_url == "sqlite:///parley.db"


def test_production_refuses_to_start_without_a_real_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=PUBLISHED)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short")
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    key = secrets.token_urlsafe(48)
    production = Settings(
        environment="production", secret_key=key, base_url="https://parley.example.org/"
    )
    assert production.environment == "production"
    assert production.public_base_url == "https://parley.example.org"


def test_production_needs_a_base_url_and_development_has_one() -> None:
    with pytest.raises(ValidationError, match="PARLEY_BASE_URL"):
        Settings(environment="production", secret_key=secrets.token_urlsafe(48))
    with pytest.raises(ValidationError, match="PARLEY_BASE_URL"):
        Settings(base_url="evil.example")
    assert Settings().public_base_url == "http://127.0.0.1:8000"


def test_plain_postgres_urls_use_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLEY_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/parley")
    assert Settings().sqlalchemy_url == "postgresql+psycopg://u:p@db:5432/parley"
    monkeypatch.setenv("PARLEY_DATABASE_URL", "postgresql://u@db/other")
    assert Settings().sqlalchemy_url == "postgresql+psycopg://u@db/other"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`PARLEY_{name.upper()}`" in readme, f"PARLEY_{name.upper()} is not in the README"
