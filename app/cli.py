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
    worker = commands.add_parser(
        "worker", help="deliver webhooks from the outbox (runs until stopped)"
    )
    worker.add_argument("--poll", type=float, default=1.0, help="seconds between polls")
    worker.add_argument("--once", action="store_true", help="deliver what is due, then stop")
    commands.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    commands.add_parser("demo", help="load the demo data into an empty database")
    export = commands.add_parser("export", help="write every row and revision as JSON lines")
    export.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    load = commands.add_parser(
        "import", help="load an export into an empty database at the same schema revision"
    )
    load.add_argument("file", help="the export file ('-' reads stdin)")
    commands.add_parser(
        "bench-data",
        help="fill a database with synthetic benchmark data (app/synthetic_data.py; see --help)",
        add_help=False,
    )
    users = commands.add_parser("users", help="manage accounts")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    create = users_commands.add_parser("create", help="create an account (the first admin)")
    create.add_argument("email")
    create.add_argument("--admin", action="store_true", help="give the account the admin role")
    create.add_argument("--name", help="the name shown beside their changes (default: email)")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of prompting",
    )

    reset = users_commands.add_parser(
        "reset-second-factor",
        help="take away an account's second factor (a lost phone and lost recovery codes, or "
        "a changed secret key); it sets up a new one at its next login",
    )
    reset.add_argument("email")

    sources = commands.add_parser("sources", help="the sources statements cite")
    sources_commands = sources.add_subparsers(dest="sources_command", required=True)
    sources_commands.add_parser(
        "check",
        help="fetch every source URL (public addresses only) and record whether it still answers",
    )

    args, rest = parser.parse_known_args(argv)
    if args.command == "bench-data":
        return bench_data(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "migrate":
        return migrate()
    if args.command == "worker":
        return run_worker(args.poll, args.once)
    if args.command == "demo":
        migrate()
        return load_demo_if_empty()
    if args.command == "serve":
        return serve_app(args)
    if args.command == "export":
        return export_dataset(args.output)
    if args.command == "import":
        return import_dataset(args.file)
    if args.command == "sources":
        return check_source_links()
    if args.command == "users" and args.users_command == "reset-second-factor":
        return reset_second_factor_from_shell(args.email)
    if args.command == "users":
        return create_user_from_shell(args)
    return 2  # pragma: no cover - argparse already refused


def run_worker(poll_s: float, once: bool) -> int:
    """`parley worker`: app/webhooks/worker.py says how delivery survives being killed."""
    from app.db import make_engine, make_sessionmaker
    from app.webhooks.worker import run

    settings = get_settings()
    tally = run(make_sessionmaker(make_engine(settings)), settings, poll_s=poll_s, once=once)
    print(
        f"sent {tally.sent}, delivered {tally.delivered}, retried {tally.retried}, "
        f"failed {tally.failed}"
    )
    return 0


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


def check_source_links() -> int:
    from app.db import make_engine, make_sessionmaker
    from app.sources.link_check import check_sources

    settings = get_settings()
    engine = make_engine(settings)
    with make_sessionmaker(engine)() as session:
        counts = check_sources(session, settings)
    engine.dispose()
    print("parley: checked source links: " + ", ".join(f"{n} {o}" for o, n in counts.items()))
    return 0


def export_dataset(output: str) -> int:
    from app.dataset import write_export
    from app.db import make_engine

    engine = make_engine(get_settings())
    # One transaction, so the export is a consistent snapshot even while editors write.
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if output == "-":
            counts = write_export(connection, sys.stdout)
        else:
            with open(output, "w", encoding="utf-8") as out:
                counts = write_export(connection, out)
    engine.dispose()
    print(f"parley: exported {_describe(counts)}", file=sys.stderr)
    return 0


def import_dataset(path: str) -> int:
    from app.dataset import ImportRefused, import_lines
    from app.db import make_engine

    engine = make_engine(get_settings())
    try:
        with engine.begin() as connection:
            if path == "-":
                counts = import_lines(connection, sys.stdin)
            else:
                with open(path, encoding="utf-8") as lines:
                    counts = import_lines(connection, lines)
    except ImportRefused as refusal:
        print(f"parley: import refused, nothing was written: {refusal}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"parley: imported {_describe(counts)}", file=sys.stderr)
    return 0


def _describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def create_user_from_shell(args: argparse.Namespace) -> int:
    import getpass

    from app.db import make_engine, make_sessionmaker
    from app.exceptions import FieldProblem
    from app.models import Role
    from app.users.service import PasswordProblem, UserFields, create_user, system_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("parley: the passwords differ; no account created", file=sys.stderr)
            return 1
    try:
        fields = UserFields(
            email=args.email,
            display_name=args.name or args.email,
            role=Role.ADMIN if args.admin else Role.EDITOR,
        )
    except ValueError as problem:
        print(f"parley: {problem}", file=sys.stderr)
        return 1
    engine = make_engine(get_settings())
    try:
        with make_sessionmaker(engine).begin() as session:
            create_user(session, fields, password=password, by=system_user(session))
    except (FieldProblem, PasswordProblem) as problem:
        print(f"parley: {problem} No account created.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"parley: created {fields.role.value} account {fields.email}")
    return 0


def reset_second_factor_from_shell(email: str) -> int:
    """For when no admin can log in to reset it on the web (the only admin lost their phone)."""
    from app.db import make_engine, make_sessionmaker
    from app.users.service import reset_second_factor, system_user, user_by_email

    engine = make_engine(get_settings())
    try:
        with make_sessionmaker(engine).begin() as session:
            user = user_by_email(session, email)
            if user is None or not user.second_factor:
                print(f"parley: {email} has no second factor to reset", file=sys.stderr)
                return 1
            reset_second_factor(session, user, form_version=user.version, by=system_user(session))
    finally:
        engine.dispose()
    print(f"parley: reset the second factor of {email}; it sets up a new one at its next login")
    return 0


def create_demo_accounts() -> None:
    """Demo mode only: accounts anyone may use, so the published password is never a real one."""
    from app.db import make_engine, make_sessionmaker
    from app.users.service import DEMO_PASSWORD, create_demo_accounts

    engine = make_engine(get_settings())
    with make_sessionmaker(engine).begin() as session:
        created = create_demo_accounts(session)
    engine.dispose()
    for email in created:
        print(f"parley: demo mode: created {email} with the password {DEMO_PASSWORD!r}")
    if created:
        # Not weakened for the demo: the demo admin sets up its own, like any admin.
        print(
            "parley: demo mode: admin@example.org sets up a second factor (an authenticator "
            "app) at its first login"
        )


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name (or 0.0.0.0's spellings) that may reach beyond this machine


def serve_app(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    # Development links point at the address served, unless PARLEY_BASE_URL says otherwise
    # (production must say: see Settings). Set before anything reads the settings, and
    # inherited by the worker processes.
    if os.environ.get("PARLEY_ENVIRONMENT", "development") != "production":
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        host = f"[{host}]" if ":" in host else host
        os.environ.setdefault("PARLEY_BASE_URL", f"http://{host}:{args.port}")
        get_settings.cache_clear()
    settings = get_settings()
    if settings.secret_key_generated and not is_loopback(args.host):
        # The generated secret is fine for one person on this machine; on a network, sessions
        # must be signed with a secret someone chose and keeps (and production mode is better).
        print(
            f"parley: refusing to serve on {args.host} in development without "
            "PARLEY_SECRET_KEY: set it to a random value (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'), or serve on 127.0.0.1.",
            file=sys.stderr,
        )
        return 2
    if args.demo:
        migrate()
        load_demo_if_empty()
        create_demo_accounts()
    print(f"parley: serving on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        # The app trusts forwarded headers itself, only from PARLEY_TRUSTED_PROXIES (main.py);
        # uvicorn's own default would believe any process on 127.0.0.1.
        proxy_headers=False,
    )
    return 0


def bench_data(argv: list[str]) -> int:
    from app.synthetic_data import main as generate

    status: int = generate(argv)
    return status


def _display_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().sqlalchemy_url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
