"""The second factor: TOTP codes (RFC 6238: 30 s steps, 6 digits) and single-use recovery codes.

- The TOTP secret is stored encrypted (Fernet) with a key derived from the app's secret key, so
  a copy of the database alone (a leaked backup) gives no codes. Changing PARLEY_SECRET_KEY
  therefore makes every stored secret unreadable: those accounts need a reset (README).
- A code is accepted once: the accepted time step is stored, and a code for that step or an
  earlier one is refused, even a moment later, even on another app server (one conditional
  UPDATE, so two requests racing with the same code cannot both pass).
- Recovery codes carry ~59 random bits each; only an HMAC-SHA256 keyed with the app's secret is
  stored. A fast hash is right for random codes (nothing to guess from a dictionary), and
  checking one costs a single indexed lookup instead of ten slow password hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import Enum

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from markupsafe import Markup
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.auth import throttle
from app.db import rows_changed
from app.models import RecoveryCode, User
from app.models.base import utcnow

DIGITS = 6
STEP_SECONDS = 30
# One step either side: a phone clock a little off, or a code typed just as it changed.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand. 31 symbols, 12 of them: ~59 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 3, 4


def _derived_key(secret_key: str, purpose: bytes) -> bytes:
    # One app secret, separate keys per use: a key for one purpose never serves another.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived_key(secret_key, b"parley totp secret")))


def seal(secret: str, secret_key: str) -> str:
    """The TOTP secret encrypted for storage (or for the session during enrolment)."""
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def unseal(sealed: str, secret_key: str) -> str | None:
    """The TOTP secret, or None when it cannot be read (the app's secret key has changed)."""
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    # 32 base32 characters: 160 bits, the HMAC-SHA1 block RFC 4226 recommends.
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app that cannot scan."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=issuer
    )


def qr_svg(uri: str, label: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code.

    segno writes presentation attributes (fill, stroke), never a style attribute, so the page's
    CSP (no inline styles) allows it. Dark on white in dark mode too: scanners need the contrast.
    """
    code = segno.make(uri, error="m")
    svg = code.svg_inline(scale=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None)
    labelled = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    # segno's own markup, and the label escaped above: safe to put in the page as it is.
    return Markup(labelled)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step within the window whose code this is, if any.

    pyotp's verify() answers only yes or no; replay protection needs to know which step matched.
    """
    here = current_step(now)
    found = None
    for step in range(here - VALID_WINDOW, here + VALID_WINDOW + 1):
        # Every step is compared (no early exit), each in constant time.
        if hmac.compare_digest(code_at(secret, step), code):
            found = step
    return found


class Verdict(Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    REPLAYED = "replayed"
    # The stored secret cannot be decrypted: the app's secret key changed since it was set up.
    UNREADABLE = "unreadable"
    LOCKED = "locked"
    # Neither 6 digits nor the shape of a recovery code: a typing slip, not a guess.
    MALFORMED = "malformed"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    # Set when a recovery code was used: how many unused ones the account has left.
    recovery_codes_left: int | None = None
    retry_after_seconds: int | None = None

    @property
    def accepted(self) -> bool:
        return self.verdict is Verdict.ACCEPTED


def normalised(code: str) -> str:
    """What people type, as stored: spaces and dashes dropped, lower case."""
    return "".join(c for c in code if c not in " -\t").lower()


def looks_like_totp(code: str) -> bool:
    return len(code) == DIGITS and code.isdecimal() and code.isascii()


def looks_like_recovery_code(code: str) -> bool:
    return len(code) == RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH and all(
        c in RECOVERY_ALPHABET for c in code
    )


def accept_totp(
    session: Session, user: User, secret: str, code: str, now: float | None = None
) -> Verdict:
    """Check a 6-digit code against `secret` and, if good, mark its step used for `user`."""
    step = matching_step(secret, code, now)
    if step is None:
        return Verdict.WRONG
    taken = rows_changed(
        session,
        update(User)
        .where(
            User.id == user.id,
            (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False),
    )
    if taken != 1:
        return Verdict.REPLAYED
    session.refresh(user, ["totp_last_step"])
    return Verdict.ACCEPTED


def use_recovery_code(session: Session, user: User, code: str, secret_key: str) -> Verdict:
    found = session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == recovery_hash(code, secret_key),
        )
    )
    if found is None:
        return Verdict.WRONG
    # Conditional, like the TOTP step: two requests racing with one code cannot both use it.
    used = rows_changed(
        session,
        update(RecoveryCode)
        .where(RecoveryCode.id == found, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False),
    )
    return Verdict.ACCEPTED if used == 1 else Verdict.REPLAYED


def attempt(
    session: Session,
    user: User,
    typed: str,
    *,
    secret_key: str,
    client: str,
    candidate: str | None = None,
    recovery_codes: bool = True,
) -> Outcome:
    """One try at the second factor, throttled: a code from the app, or a recovery code.

    `candidate` is a secret being set up, checked instead of the stored one. Recovery codes
    count only at login (`recovery_codes`): they stand in for a lost phone, so they cannot set
    one up or buy new recovery codes. Failures are counted in the caller's transaction, which
    must commit them even though the answer is a refusal: the caller returns a page, not raises.
    """
    account_key, client_key = throttle.second_factor_keys(user.id, client)
    lock = throttle.locked(session, account_key, client_key)
    if lock is not None:
        return Outcome(Verdict.LOCKED, retry_after_seconds=lock.retry_after_seconds)
    code = normalised(typed)
    left = None
    if looks_like_totp(code):
        secret = candidate or unseal(user.totp_secret or "", secret_key)
        verdict = Verdict.UNREADABLE if secret is None else accept_totp(session, user, secret, code)
    elif recovery_codes and candidate is None and looks_like_recovery_code(code):
        verdict = use_recovery_code(session, user, code, secret_key)
        if verdict is Verdict.ACCEPTED:
            left = recovery_codes_left(session, user)
    else:
        return Outcome(Verdict.MALFORMED)
    if verdict is Verdict.ACCEPTED:
        throttle.forget_second_factor_failures(session, user.id)
    else:
        throttle.record_failed_second_factor(session, user.id, client)
    return Outcome(verdict, recovery_codes_left=left)


def recovery_hash(code: str, secret_key: str) -> str:
    key = _derived_key(secret_key, b"parley recovery codes")
    return hmac.new(key, normalised(code).encode(), hashlib.sha256).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten fresh codes, shown once, as `xxxx-xxxx-xxxx`."""
    return [
        "-".join(
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
            for _ in range(RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def replace_recovery_codes(session: Session, user: User, secret_key: str) -> list[str]:
    """Store new codes for `user` and forget every old one, used or not. Returns the new ones."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = new_recovery_codes()
    now = utcnow()
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=recovery_hash(c, secret_key), created_at=now)
        for c in codes
    )
    session.flush()
    return codes


def forget_recovery_codes(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def recovery_codes_left(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
