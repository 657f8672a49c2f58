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
    default = {name: s for name, s in services.items() if "profiles" not in s}
    assert [name for name, s in default.items() if "ports" in s] == ["app"]
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
    assert blocks[1].endswith("pytest -n auto")
    assert readme.index("```bash") < 200


# --- docker compose --profile scale (docs/scaling.md) -------------------------------------------

DEPLOY = ROOT / "deploy"


def scale_profile() -> dict:  # type: ignore[type-arg]
    return {n: s for n, s in compose()["services"].items() if "scale" in s.get("profiles", ())}


def test_the_scale_profile_is_replica_two_apps_balancer_and_cache() -> None:
    services = scale_profile()
    assert set(services) == {"replica", "app-a", "app-b", "balancer", "cache"}
    # Only the cache, the CDN's stand-in, is published; the rest talk on compose's network.
    assert [name for name, s in services.items() if "ports" in s] == ["cache"]
    replica = services["replica"]
    assert replica["image"] == compose()["services"]["db"]["image"]
    entrypoint = (DEPLOY / "postgres" / "replica-entrypoint.sh").read_text()
    assert "pg_basebackup -h db" in entrypoint and " -R " in entrypoint
    assert "hot_standby=on" in entrypoint
    initdb = compose()["services"]["db"]["volumes"]
    assert any("allow-replication.sh:/docker-entrypoint-initdb.d/" in v for v in initdb)
    for name in ("app-a", "app-b"):
        env = services[name]["environment"]
        assert "@replica:5432/" in env["PARLEY_DATABASE_REPLICA_URLS"]
        assert env["PARLEY_ENVIRONMENT"] == "production"
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_the_balancer_checks_healthz_and_retries_only_reads() -> None:
    balancer = scale_profile()["balancer"]
    assert balancer["environment"]["PARLEY_APP1"] == "app-a:8000"
    assert balancer["environment"]["PARLEY_APP2"] == "app-b:8000"
    config = (DEPLOY / "haproxy.cfg").read_text()
    assert "http-check send meth GET uri /healthz" in config
    assert "http-check expect status 200" in config
    assert "option redispatch" in config
    assert "http-request disable-l7-retry unless METH_GET || METH_HEAD" in config
    assert 'server app1 "${PARLEY_APP1}"' in config and 'server app2 "${PARLEY_APP2}"' in config


def test_the_cache_passes_sessions_and_never_stores_cookies() -> None:
    vcl = (DEPLOY / "varnish" / "parley.vcl").read_text()
    cache = scale_profile()["cache"]
    assert any(v.endswith(":/etc/varnish/default.vcl:ro") for v in cache["volumes"])
    assert '.host = "balancer";' in vcl and '.port = "8080";' in vcl
    # The cookie names are the app's own (settings.session_cookie, replicas.WROTE_COOKIE).
    from app.replicas import WROTE_COOKIE
    from app.settings import Settings

    session_cookie = Settings.model_fields["session_cookie"].default
    assert f"({session_cookie}|{WROTE_COOKIE})" in vcl
    assert "beresp.http.Set-Cookie" in vcl
    assert '"(private|no-store|no-cache)"' in vcl
    assert "set beresp.uncacheable = true;" in vcl
