"""Real databases for every test: a fresh PostgreSQL database per run, and a SQLite file.

Every test that takes `engine` (or anything built on it) runs once on each database. The schema
comes from the Alembic migrations and the demo data is loaded once per database; each test then
runs inside a transaction that is rolled back, with the app's sessions joined to it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.db import make_engine
from app.demo import load_demo
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings

# Development settings on PostgreSQL keep a generated secret in the user's state directory: a
# run's own, so the suite writes nothing into the home directory (servers it starts inherit it).
os.environ.setdefault("XDG_STATE_HOME", tempfile.mkdtemp(prefix="parley-test-state-"))

# The server to create throw-away test databases on (PostgreSQL's maintenance database).
POSTGRES_ADMIN_URL = os.environ.get(
    "PARLEY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def create_postgres_database() -> str:
    """A new, empty database on the test server; returns its URL."""
    name = f"parley_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# A run that is interrupted (Ctrl-C, a killed CI job) never drops its databases. Several runs
# share the server at once, so a database is only taken for stale when nobody is connected to it
# AND it is older than any run lasts.
STALE_AFTER = dt.timedelta(hours=2)


def drop_stale_test_databases(
    older_than: dt.timedelta = STALE_AFTER, like: str = r"parley\_test\_%"
) -> list[str]:
    """Drop the test databases (names matching `like`) that interrupted runs left behind.

    Age is the database directory's PG_VERSION file, written once by CREATE DATABASE. DROP
    DATABASE without FORCE refuses a database someone connected to since the check, so a run
    starting at that moment keeps its database. Returns the names dropped."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    dropped: list[str] = []
    try:
        with admin.connect() as connection:
            stale = connection.scalars(
                text(
                    "SELECT d.datname FROM pg_database d WHERE d.datname LIKE :like"
                    # missing_ok: a database another run is creating or dropping right now.
                    " AND (pg_stat_file('base/' || d.oid || '/PG_VERSION', true)).modification"
                    " <= now() - :older_than"
                    " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)"
                ),
                {"like": like, "older_than": older_than},
            ).all()
            for name in stale:
                try:
                    connection.execute(text(f'DROP DATABASE "{name}"'))
                except DBAPIError:
                    continue  # in use after all: not stale
                dropped.append(name)
    finally:
        admin.dispose()
    return dropped


def pytest_sessionstart(session: pytest.Session) -> None:
    try:
        drop_stale_test_databases()
    except DBAPIError as problem:  # no server, or not allowed to read file dates: not our job
        warnings.warn(f"stale test databases not swept: {problem}", stacklevel=1)


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A brand-new database without any schema, on each backend; dropped afterwards.

    For tests that need a database of their own: migrations, imports, real concurrent writers.
    """
    postgres = request.param == "postgresql"
    url = create_postgres_database() if postgres else f"sqlite:///{tmp_path / 'own.db'}"
    engine = make_engine(Settings(database_url=url))
    yield engine
    engine.dispose()
    if postgres:
        drop_postgres_database(url)


@pytest.fixture
def migrated_engine(empty_engine: Engine) -> Engine:
    """A database of the test's own at the latest schema, with no rows."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'parley-test.db'}"


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "postgres_url" if request.param == "postgresql" else "sqlite_url"
    return request.getfixturevalue(fixture)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # data_version_ttl=0: every request reads the data version, so tests see their own writes.
    return Settings(database_url=database_url, environment="development", data_version_ttl=0)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    """A migrated database holding the demo data."""
    engine = make_engine(settings)
    upgrade(engine)
    with Session(engine) as session, session.begin():
        load_demo(session)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


def joined_sessionmaker(connection: Connection) -> sessionmaker[Session]:
    # Sessions commit to a savepoint of the test's transaction, never to the database.
    return sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        autoflush=False,
    )


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with joined_sessionmaker(connection)() as session:
        yield session


@pytest.fixture
def app(settings: Settings, connection: Connection):  # type: ignore[no-untyped-def]
    app = create_app(settings)
    app.state.sessionmaker = joined_sessionmaker(connection)
    return app


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as client:
        yield client


@dataclass
class QueryLog:
    """SQL statements a block of code sent, savepoint bookkeeping left out."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        self.statements.clear()


@pytest.fixture
def queries(connection: Connection) -> Iterator[QueryLog]:
    log = QueryLog()

    def record(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            log.statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    yield log
    event.remove(connection, "before_cursor_execute", record)


SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@dataclass(frozen=True)
class Accounts:
    editor_id: int
    admin_id: int
    # The admin's second factor is on (admins must have one): these are its recovery codes.
    admin_recovery_codes: tuple[str, ...]


@pytest.fixture(scope="session")
def accounts(engine: Engine, settings: Settings) -> Accounts:
    """An editor and an admin, made once per database (hashing a password takes ~0.1 s).

    The admin has a second factor with a known secret (ADMIN_TOTP_SECRET), so that logging in
    as the admin goes through the code page, as it does for a real one.
    """
    from app.models import Role
    from app.users.service import UserFields, create_user, system_user, turn_on_second_factor
    from tests.factories import ADMIN_TOTP_SECRET, PASSWORD

    with Session(engine) as session, session.begin():
        by = system_user(session)
        editor = create_user(
            session,
            UserFields(email="ed@example.org", display_name="Ed Itor", role=Role.EDITOR),
            password=PASSWORD,
            by=by,
        )
        admin = create_user(
            session,
            UserFields(email="ad@example.org", display_name="Ad Min", role=Role.ADMIN),
            password=PASSWORD,
            by=by,
        )
        admin, codes = turn_on_second_factor(
            session, admin, ADMIN_TOTP_SECRET, secret_key=settings.secret_key
        )
        return Accounts(editor.id, admin.id, tuple(codes))


@pytest.fixture
def editor(session: Session, accounts: Accounts):  # type: ignore[no-untyped-def]
    from app.models import User

    return session.get(User, accounts.editor_id)


@pytest.fixture
def admin(session: Session, accounts: Accounts):  # type: ignore[no-untyped-def]
    from app.models import User

    return session.get(User, accounts.admin_id)


@pytest.fixture
def editor_client(client: TestClient, editor) -> TestClient:  # type: ignore[no-untyped-def]
    """`client`, logged in as an editor through the real login form."""
    from tests.editors import log_in

    log_in(client, editor)
    return client


@pytest.fixture
def admin_client(client: TestClient, admin) -> TestClient:  # type: ignore[no-untyped-def]
    from tests.editors import log_in

    log_in(client, admin)
    return client
