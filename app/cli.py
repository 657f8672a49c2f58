"""The `parley` command: serve, migrate, load the demo data."""

from __future__ import annotations

import argparse
import sys

from app.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="parley", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true", help="restart on code changes")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="apply migrations and load the demo data into an empty database first",
    )
    commands.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    commands.add_parser("demo", help="load the demo data into an empty database")
    commands.add_parser(
        "bench-data",
        help="fill a database with synthetic benchmark data (bench/generate.py; see --help)",
        add_help=False,
    )

    args, rest = parser.parse_known_args(argv)
    if args.command == "bench-data":
        return bench_data(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "migrate":
        return migrate()
    if args.command == "demo":
        migrate()
        return load_demo_if_empty()
    if args.command == "serve":
        return serve_app(args)
    return 2  # pragma: no cover - argparse already refused


def migrate() -> int:
    from app.db import make_engine
    from app.migrate import upgrade

    engine = make_engine(get_settings())
    upgrade(engine)
    engine.dispose()
    print(f"parley: database at {_display_url()} is at the latest schema")
    return 0


def load_demo_if_empty() -> int:
    from app.db import make_engine, make_sessionmaker
    from app.demo import database_is_empty, load_demo

    engine = make_engine(get_settings())
    with make_sessionmaker(engine).begin() as session:
        if not database_is_empty(session):
            print("parley: the database already holds data; demo data not loaded")
            return 0
        count = load_demo(session)
    engine.dispose()
    print(f"parley: loaded the demo data ({count} statements from the AP article)")
    return 0


def serve_app(args: argparse.Namespace) -> int:
    import uvicorn

    if args.demo:
        migrate()
        load_demo_if_empty()
    print(f"parley: serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        proxy_headers=True,
    )
    return 0


def bench_data(argv: list[str]) -> int:
    # bench/ lives in the checkout, not in the installed package.
    from app.migrate import ROOT

    sys.path.insert(0, str(ROOT))
    from bench.generate import main as generate

    return generate(argv)


def _display_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().sqlalchemy_url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
