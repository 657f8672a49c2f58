"""The engine, the session factory, and the request's session dependency."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from anyio import CancelScope
from fastapi import Depends, Request
from sqlalchemy import (
    ColumnExpressionArgument,
    CursorResult,
    Engine,
    UpdateBase,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.caching import carries_session_cookie
from app.replicas import Replica, Replicas
from app.settings import Settings


def rows_changed(session: Session, statement: UpdateBase) -> int:
    """Run an UPDATE or DELETE in the session, and say how many rows it changed.

    Session.execute is typed as returning a plain Result; for these statements it is always a
    CursorResult, the one that knows its rowcount.
    """
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def next_in_order(
    session: Session,
    column: ColumnExpressionArgument[int],
    *within: ColumnExpressionArgument[bool],
) -> int:
    """One past the last place in an ordered list (`column`, among the rows `within`): where a
    new row goes, so it never jumps to the top of what readers see."""
    last = session.scalar(select(func.max(column)).where(*within))
    return 0 if last is None else last + 1


def make_engine(settings: Settings, url: str | None = None, **overrides: Any) -> Engine:
    """The engine of `settings`' database, or of `url` (a read replica) with the same options."""
    url = url or settings.sqlalchemy_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **overrides)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    options: dict[str, Any] = {
        # A connection killed by a database restart is noticed and replaced, not handed out.
        "pool_pre_ping": True,
        "pool_size": 10,
        "max_overflow": 5,
        # A full pool waits briefly, then fails (503) instead of hanging the request.
        "pool_timeout": 5,
        "connect_args": {
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            "connect_timeout": 5,
        },
    }
    options.update(overrides)
    return create_engine(url, **options)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling defers BEGIN and breaks SAVEPOINT; we take
    # over and emit BEGIN ourselves (the recipe in SQLAlchemy's SQLite dialect documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers and one writer overlap.
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


def _begin_sqlite(connection: Any) -> None:
    # IMMEDIATE for a transaction that will write (see begin_for_writing), deferred otherwise.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def begin_for_writing(session: Session) -> None:
    """Start the session's transaction as one that will write.

    On SQLite a deferred transaction that has read and then writes fails at once ("database is
    locked") if another writer committed in between: WAL cannot move its snapshot forward, and
    busy_timeout does not apply. BEGIN IMMEDIATE takes the write lock first, so a second editor
    waits for the first to commit and then reads, and the version check does the rest. Readers
    are never blocked (WAL). PostgreSQL needs nothing: its row locks and the version in the
    UPDATE's WHERE clause settle the race.
    """
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@contextmanager
def write_transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A short transaction of its own that will write: committed when the block ends, rolled
    back (by closing) when it raises.

    For work that must hold no connection while it waits on something slow: a login's password
    hash runs between two of these instead of inside the request's session.
    """
    with sessions() as session:
        begin_for_writing(session)
        yield session
        session.commit()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _read_replica(request: Request) -> Replica | None:
    """The replica this request reads from, or None for the primary (app/replicas.py)."""
    replicas: Replicas | None = getattr(request.app.state, "replicas", None)
    state = request.scope.get("state", {})
    if (
        replicas is None
        # HEAD arrives as GET (app.caching.HeadAsGetMiddleware).
        or request.method != "GET"
        or state.get("primary_only")
        # The same test as for what a shared cache may keep: an editor's page reads the primary.
        or carries_session_cookie(request.scope, request.app.state.settings.session_cookie)
    ):
        return None
    return replicas.choose(state.get("wrote_lsn"))


def _replica_session(request: Request, replica: Replica) -> Session | None:
    """A session on `replica` with its connection taken, or None when the replica is not there
    (stopped since the last check): the request then reads from the primary, at no extra cost
    beyond a refused (or timed-out) connection."""
    session = replica.sessions()
    try:
        session.connection()
    except OperationalError as problem:
        session.close()
        request.app.state.replicas.mark_unreachable(replica, problem)
        return None
    request.state.read_from = "replica"
    return session


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed once if the handler succeeds, rolled back otherwise.

    An anonymous GET may read from a replica; everything else reads and writes the primary.

    Async, with its I/O in threads: a sync generator costs two threadpool hops a request (one
    to enter, one to leave), each a wait for the GIL behind other requests' rendering. Making
    a session does no I/O, so only the end (COMMIT or ROLLBACK, then the connection back to the
    pool) goes to a thread, in one hop, shielded: a cancelled request still gives its
    connection back. A replica's session connects first, and a write takes SQLite's write lock
    first (begin_for_writing): those requests pay the hop to enter as before.
    """
    replica = _read_replica(request)
    session = None
    if replica is not None:
        session = await run_in_threadpool(_replica_session, request, replica)
    if session is None:
        replica = None
        session = request.app.state.sessionmaker()
        if getattr(request.app.state, "replicas", None) is not None:
            request.state.read_from = "primary"
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        await run_in_threadpool(begin_for_writing, session)
    # What a template asks of this request's data (app/auth/sessions.edits_negotiation, the
    # header's review count): the route's own session and transaction, never a second
    # connection, which would see less and cost a pool slot.
    request.state.db_session = session
    try:
        yield session
    except BaseException as problem:
        with CancelScope(shield=True):
            await run_in_threadpool(_roll_back, request, session, replica, problem)
        raise
    with CancelScope(shield=True):
        await run_in_threadpool(_commit, request, session, replica)


def _commit(request: Request, session: Session, replica: Replica | None) -> None:
    try:
        # A COMMIT whose answer is lost (the server dies just after it) may have been stored:
        # the outage page must not tell the editor that nothing was (app/errors.py).
        request.state.commit_unconfirmed = True
        session.commit()
        request.state.commit_unconfirmed = False
        replicas: Replicas | None = getattr(request.app.state, "replicas", None)
        if replicas is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            # Read your writes: this client's reads skip replicas that have not replayed it.
            request.state.written_lsn = replicas.primary_lsn(session)
    except BaseException as problem:
        _roll_back(request, session, replica, problem)
        raise
    session.close()


def _roll_back(
    request: Request, session: Session, replica: Replica | None, problem: BaseException
) -> None:
    try:
        session.rollback()
        if (
            replica is not None
            and isinstance(problem, DBAPIError)
            and problem.connection_invalidated
        ):
            # The replica went away mid-request: skip it, and have the request answered again
            # from the primary (ReplicaRoutingMiddleware) instead of with a 503. Only for a lost
            # connection: a query cut off by statement_timeout would cost the primary as much.
            request.app.state.replicas.mark_unreachable(replica, problem)
            request.state.replica_failed = True
    finally:
        session.close()


# scope="function": FastAPI runs the code after `yield` (our commit) when the endpoint returns,
# before the response is sent. With the default ("request") scope it runs after the response has
# gone out, so a commit that fails (a constraint, a lost connection) would follow a success page
# or a redirect the browser has already acted on.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
