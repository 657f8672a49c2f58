"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.auth.common_passwords import COMMON_PASSWORDS

PASSWORD_MIN = 12
PASSWORD_MAX = 200

_hasher = PasswordHasher()
# Verified against when the email is unknown, so that a wrong email costs as long as a wrong
# password and response times do not tell which accounts exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("no account has this password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _UNKNOWN_ACCOUNT_HASH, password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker settings than today's: rehash at the next login."""
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused, in words, or None."""
    folded = password.strip().lower()
    if email and folded and (folded == email.lower() or folded == email.lower().split("@")[0]):
        return "must not be the email address"
    if folded in COMMON_PASSWORDS:
        return "is one of the most common passwords, tried first by attackers: choose another"
    if len(password) < PASSWORD_MIN:
        return f"must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must be at most {PASSWORD_MAX} characters"
    if "\x00" in password:
        return "must not contain NUL bytes"
    return None
