"""docker-compose.yml cannot run here (no Docker engine), so check what it promises statically."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_postgres_16_with_a_tcp_healthcheck_and_no_published_port() -> None:
    db = compose()["services"]["db"]
    assert db["image"] == "postgres:16"
    assert "pg_isready -h 127.0.0.1" in " ".join(db["healthcheck"]["test"])
    assert "ports" not in db


def test_migrations_run_before_the_app_starts_and_only_the_app_is_published() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"][-1] == "migrate"
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert [name for name, s in services.items() if "ports" in s] == ["app"]
    assert services["app"]["environment"]["PARLEY_ENVIRONMENT"] == "production"


def test_the_image_has_everything_the_app_reads_at_run_time() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    # Templates, static files and migrations are inside app/ (package data, see test_wheel.py).
    for part in ("app", "alembic.ini", "requirements.lock"):
        assert f"COPY {part}" in dockerfile or f" {part} " in dockerfile, part
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {"app", "app/templates", "app/static", "app/migrations"} & set(ignored)


def test_readme_opens_with_the_serve_and_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```bash\n")[1:3]]
    assert blocks[0].endswith("parley serve --demo")
    assert blocks[1].endswith("pytest")
    assert readme.index("```bash") < 200
