from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime

CODE_HASH_LENGTH = 64


class RecoveryCode(Base):
    """One single-use code that stands in for the authenticator app (a lost phone).

    Only a keyed hash is stored (HMAC-SHA256, app/auth/second_factor.py): the codes are random
    and long, so a slow password hash would only make checking ten of them slow.
    """

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(CODE_HASH_LENGTH))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # A login looks a code up by account and hash.
        Index("ix_recovery_code_user_id_code_hash", "user_id", "code_hash", unique=True),
    )

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of user {self.user_id}>"
