from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, Versioned, one_of, text_limits

if TYPE_CHECKING:
    from app.models.negotiation import Negotiation

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 200


class Role(StrEnum):
    EDITOR = "editor"
    ADMIN = "admin"
    # Writes made by the software itself (the demo loader, imports); cannot log in.
    SYSTEM = "system"


# The roles a person can hold; "system" is the software's own account.
PERSON_ROLES = (Role.EDITOR, Role.ADMIN)
# Roles that write everywhere, whatever their grants say.
UNSCOPED_ROLES = frozenset({Role.ADMIN.value, Role.SYSTEM.value})

# The negotiations an editor without `all_negotiations` may edit. Not versioned itself: it is
# written only with the account (app/users/service.py), whose revision snapshot lists it.
user_negotiation = Table(
    "user_negotiation",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "negotiation_id",
        ForeignKey("negotiation.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)


class User(Versioned, Base):
    __tablename__ = "user"
    ENTITY_TYPE = "user"
    # Never the password hash nor the second factor's secret: revisions are shown to editors.
    # `second_factor` is a property (on or off), so the history says when it changed.
    # `negotiations` names the granted talks (titles, as the admin saw them), so a grant change
    # reads as one in the account's history.
    SNAPSHOT_FIELDS = (
        "email",
        "display_name",
        "role",
        "is_active",
        "second_factor",
        "all_negotiations",
        "negotiations",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, deactivation and password reset: every older session cookie dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # The TOTP secret, encrypted with a key derived from the app's secret key (app/auth/
    # second_factor.py): a copy of the database alone (a backup) does not give the codes.
    totp_secret: Mapped[str | None] = mapped_column(String(500))
    # The last time step (30 s) whose code was accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # An editor may edit every negotiation (True: what every editor could before migration
    # 0008), or only those in `granted`. Admins and the system edit all, whatever this says.
    all_negotiations: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Loaded when first asked for (a write, the admin page): a reader's request never is.
    granted: Mapped[list[Negotiation]] = relationship(
        secondary=user_negotiation,
        lazy="select",
        order_by="[Negotiation.display_order, Negotiation.id]",
    )

    __table_args__ = (
        *text_limits("email", EMAIL_MAX),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        *text_limits("display_name", DISPLAY_NAME_MAX),
        one_of("role", [r.value for r in Role]),
    )

    @property
    def is_person(self) -> bool:
        """A role someone can log in with (the system account never can)."""
        return self.role in {r.value for r in PERSON_ROLES}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    @property
    def must_have_second_factor(self) -> bool:
        """Admins can change every account: a stolen password alone must not be enough for that."""
        return self.is_admin

    @property
    def second_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def edits_every_negotiation(self) -> bool:
        return self.role in UNSCOPED_ROLES or self.all_negotiations

    @property
    def writes_negotiations(self) -> bool:
        """Negotiations and who takes part in them are the admins' (and the software's)."""
        return self.role in UNSCOPED_ROLES

    def may_edit_negotiation(self, negotiation_id: int) -> bool:
        return self.edits_every_negotiation or any(n.id == negotiation_id for n in self.granted)

    @property
    def negotiations(self) -> str:
        """The granted talks, for the revision snapshot: empty when every one is."""
        if self.edits_every_negotiation:
            return ""
        return ", ".join(n.title for n in self.granted)

    def __repr__(self) -> str:
        return f"<User {self.email}>"
