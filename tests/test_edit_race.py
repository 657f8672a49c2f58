"""Two editors saving one record at the same moment, in two real transactions on two connections.

Not through the rolled-back test transaction: each side needs its own connection and commit,
so this test makes (and drops) its own database.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.db import begin_for_writing, make_sessionmaker
from app.models import Party, Revision
from app.parties.service import PartyFields, create_party, update_party
from app.revisions import StaleVersion
from app.users.service import system_user


def fields(name: str) -> PartyFields:
    return PartyFields(slug="racing", name=name, short_name="R", kind="state", colour="#123456")


def test_two_saves_of_one_version_at_once_one_wins_one_is_told(migrated_engine: Engine) -> None:
    sessions = make_sessionmaker(migrated_engine)
    with sessions.begin() as session:
        party_id = create_party(session, fields("Original"), user=system_user(session)).id

    outcome: dict[str, object] = {}
    first_wrote = threading.Event()

    def second_editor() -> None:
        first_wrote.wait()
        with sessions() as session:
            begin_for_writing(session)  # as the app does for every post
            party = session.get(Party, party_id)
            try:
                # Blocks on the first editor's row lock (PostgreSQL) or write lock (SQLite),
                # then finds version 1 gone.
                update_party(
                    session, party, fields("Second"), form_version=1, user=system_user(session)
                )
                session.commit()
                outcome["second"] = "saved"
            except StaleVersion as stale:
                session.rollback()
                outcome["second"] = f"stale, now at version {stale.current.version}"

    other = threading.Thread(target=second_editor)
    other.start()
    with sessions() as session:
        begin_for_writing(session)
        party = session.get(Party, party_id)
        update_party(session, party, fields("First"), form_version=1, user=system_user(session))
        first_wrote.set()
        other.join(timeout=0.5)  # give the second editor time to run into our lock
        session.commit()
    other.join(timeout=10)

    assert outcome == {"second": "stale, now at version 2"}
    with Session(migrated_engine) as session:
        stored = session.get(Party, party_id)
        assert (stored.name, stored.version) == ("First", 2)
        revisions = session.scalar(
            select(func.count())
            .select_from(Revision)
            .where(Revision.entity_type == "party", Revision.entity_id == party_id)
        )
        assert revisions == 2
