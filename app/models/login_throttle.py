from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime

KEY_MAX = 300


class LoginThrottle(Base):
    """Failed logins counted per account and per client, in the database.

    In the database rather than in process memory so that every app server behind a load
    balancer sees the same counts: an attacker cannot spread guesses over servers.
    """

    __tablename__ = "login_throttle"

    # "account:<email>" or "client:<address>".
    key: Mapped[str] = mapped_column(String(KEY_MAX), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Failures are counted in a window that starts at the first one.
    # Indexed so that sweeping stale rows (app/auth/throttle.py) is a short range scan.
    window_started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginThrottle {self.key} {self.failures}>"
