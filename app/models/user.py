from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, one_of, text_limits

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 200


class Role(StrEnum):
    EDITOR = "editor"
    ADMIN = "admin"
    # Writes made by the software itself (the demo loader, imports); cannot log in.
    SYSTEM = "system"


class User(Versioned, Base):
    __tablename__ = "user"
    ENTITY_TYPE = "user"
    # Never the password hash: revisions are shown to editors.
    SNAPSHOT_FIELDS = ("email", "display_name", "role", "is_active")

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped at logout, deactivation and password reset: every older session cookie dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        *text_limits("email", EMAIL_MAX),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        *text_limits("display_name", DISPLAY_NAME_MAX),
        one_of("role", [r.value for r in Role]),
    )

    def __repr__(self) -> str:
        return f"<User {self.email}>"
