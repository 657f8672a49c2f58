"""Writes to user accounts, through the one write path (row + revision, one transaction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth import second_factor
from app.auth.passwords import hash_password, password_problem
from app.exceptions import AlreadyTaken, InvalidChoice
from app.field_types import DisplayName, EmailAddress
from app.models import Action, Negotiation, Role, User, user_negotiation
from app.models.base import utcnow
from app.models.user import PERSON_ROLES
from app.revisions import add_with_revision, record_revision, update_with_revision

SYSTEM_EMAIL = "system@parley.invalid"
DEMO_PASSWORD = "parley-demo-password"
DEMO_ACCOUNTS = (
    ("admin@example.org", "Demo admin", Role.ADMIN),
    ("editor@example.org", "Demo editor", Role.EDITOR),
)


class UserFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress
    display_name: DisplayName
    role: Role = Role.EDITOR

    @field_validator("email")
    @classmethod
    def _plausible_email(cls, value: str) -> str:
        local, at, domain = value.partition("@")
        if not at or not local or "." not in domain or any(c.isspace() for c in value):
            raise ValueError("must be an email address such as name@example.org")
        return value.lower()

    @field_validator("role")
    @classmethod
    def _a_person(cls, value: Role) -> Role:
        if value not in PERSON_ROLES:
            raise ValueError("must be editor or admin")
        return value


class PasswordProblem(ValueError):
    pass


def _checked_password(password: str, email: str) -> str:
    problem = password_problem(password, email)
    if problem:
        raise PasswordProblem(f"The password {problem}.")
    return password


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


class NegotiationGrant(BaseModel):
    """What an editor may edit: every negotiation, or the named ones (admins edit all)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all_negotiations: bool = True
    negotiation_ids: frozenset[int] = frozenset()


EVERY_NEGOTIATION = NegotiationGrant()


def _granted(session: Session, grant: NegotiationGrant) -> list[int]:
    """The grant's negotiation ids, each checked to exist (a field message for one that does
    not); none are kept when the grant is for all."""
    if grant.all_negotiations:
        return []
    ids = sorted(grant.negotiation_ids)
    known = set(session.scalars(select(Negotiation.id).where(Negotiation.id.in_(ids))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise InvalidChoice(
            "negotiations", f"There is no negotiation #{missing[0]}: choose one from the list."
        )
    return ids


def _write_grant(session: Session, user: User, ids: list[int]) -> None:
    session.execute(user_negotiation.delete().where(user_negotiation.c.user_id == user.id))
    if ids:
        session.execute(
            user_negotiation.insert(), [{"user_id": user.id, "negotiation_id": i} for i in ids]
        )
    # The snapshot reads the grant back: never from a collection loaded before this write.
    session.expire(user, ["granted"])


def create_user(
    session: Session,
    fields: UserFields,
    *,
    password: str,
    by: User,
    grant: NegotiationGrant = EVERY_NEGOTIATION,
) -> User:
    if user_by_email(session, fields.email) is not None:
        raise AlreadyTaken("email", "an account with this email already exists")
    ids = _granted(session, grant)
    user = User(
        email=fields.email,
        display_name=fields.display_name,
        role=fields.role.value,
        password_hash=hash_password(_checked_password(password, fields.email)),
        is_active=True,
        session_version=1,
        all_negotiations=grant.all_negotiations,
    )
    session.add(user)
    session.flush()
    _write_grant(session, user, ids)
    add_with_revision(session, user, user=by)
    return user


def set_negotiations(
    session: Session, user: User, grant: NegotiationGrant, *, form_version: int, by: User
) -> User:
    """Which negotiations an editor edits, as one edit of the account (its revision lists them).

    The grant rows are written first, then the account's version is checked and bumped: a stale
    form raises StaleVersion and the request's rollback takes the rows back too.
    """
    ids = _granted(session, grant)
    _write_grant(session, user, ids)
    return update_with_revision(
        session,
        user,
        {"all_negotiations": grant.all_negotiations},
        form_version=form_version,
        action=Action.EDIT,
        user=by,
        reason="negotiations changed",
    )


def set_active(session: Session, user: User, active: bool, *, form_version: int, by: User) -> User:
    """Deactivating also ends every session the account has open (its cookies stop working)."""
    values: dict[str, object] = {"is_active": active}
    if not active:
        values["session_version"] = user.session_version + 1
    return update_with_revision(
        session,
        user,
        values,
        form_version=form_version,
        action=Action.EDIT,
        user=by,
        reason="reactivated" if active else "deactivated",
    )


def change_role(session: Session, user: User, role: Role, *, form_version: int, by: User) -> User:
    if role not in PERSON_ROLES:
        raise InvalidChoice("role", "must be editor or admin")
    return update_with_revision(
        session,
        user,
        {"role": role.value},
        form_version=form_version,
        action=Action.EDIT,
        user=by,
        reason=f"role changed to {role.value}",
    )


def reset_password(
    session: Session, user: User, password: str, *, form_version: int, by: User
) -> User:
    """A new password; sessions opened with the old one end."""
    return update_with_revision(
        session,
        user,
        {
            "password_hash": hash_password(_checked_password(password, user.email)),
            "session_version": user.session_version + 1,
        },
        form_version=form_version,
        action=Action.EDIT,
        user=by,
        reason="password reset",
    )


def turn_on_second_factor(
    session: Session, user: User, secret: str, *, secret_key: str
) -> tuple[User, list[str]]:
    """Store a confirmed TOTP secret (encrypted) and ten new recovery codes, returned once."""
    user = update_with_revision(
        session,
        user,
        {
            "totp_secret": second_factor.seal(secret, secret_key),
            "totp_enabled_at": utcnow(),
        },
        form_version=user.version,
        action=Action.EDIT,
        user=user,
        reason="second factor turned on",
    )
    return user, second_factor.replace_recovery_codes(session, user, secret_key)


def replace_recovery_codes(
    session: Session, user: User, *, form_version: int, secret_key: str
) -> tuple[User, list[str]]:
    """New recovery codes; the old ones, used or not, stop working. Logged as a revision."""
    user = update_with_revision(
        session,
        user,
        {},
        form_version=form_version,
        action=Action.EDIT,
        user=user,
        reason="recovery codes replaced",
    )
    return user, second_factor.replace_recovery_codes(session, user, secret_key)


def reset_second_factor(session: Session, user: User, *, form_version: int, by: User) -> User:
    """Take away an account's second factor (a lost phone): it sets one up at its next login.

    Its open sessions end too: whoever holds one may be the reason for the reset.
    """
    user = update_with_revision(
        session,
        user,
        {
            "totp_secret": None,
            "totp_last_step": None,
            "totp_enabled_at": None,
            "session_version": user.session_version + 1,
        },
        form_version=form_version,
        action=Action.EDIT,
        user=by,
        reason="second factor reset",
    )
    # After the version check: a stale form raises above and leaves the codes alone.
    second_factor.forget_recovery_codes(session, user)
    return user


def end_sessions(session: Session, user: User) -> None:
    """Log out everywhere: bumping the session version kills every cookie issued before.

    Not a revision: nothing a reader or editor sees about the account changed.
    """
    user.session_version += 1
    session.flush()


def replace_password_hash(session: Session, user: User, new_hash: str) -> None:
    """A stronger hash of the same password, made at login (the only moment we hold it) when
    Argon2's recommended costs have risen. Made by the caller outside any transaction."""
    user.password_hash = new_hash
    session.flush()


def system_user(session: Session) -> User:
    """The account that software-made writes (demo data, imports) are attributed to.

    Its creation is its own first revision, attributed to itself.
    """
    user = session.scalar(select(User).where(User.email == SYSTEM_EMAIL))
    if user is None:
        user = User(
            email=SYSTEM_EMAIL,
            display_name="Parley (system)",
            password_hash=None,
            role=Role.SYSTEM.value,
            is_active=False,
            version=1,
        )
        session.add(user)
        session.flush()
        record_revision(session, user, action=Action.CREATE, user=user)
    return user


def create_demo_accounts(session: Session) -> list[str]:
    """In demo mode only: an admin and an editor with a published password. Returns new emails."""
    created = []
    for email, name, role in DEMO_ACCOUNTS:
        if user_by_email(session, email) is None:
            create_user(
                session,
                UserFields(email=email, display_name=name, role=role),
                password=DEMO_PASSWORD,
                by=system_user(session),
            )
            created.append(email)
    return created
