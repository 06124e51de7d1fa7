"""Staff passwords: argon2id hashes, computed off the event loop (each takes tens of ms)."""

from __future__ import annotations

from functools import lru_cache

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
_WEAK = {"1234567890", "0123456789", "password12", "banshi1234", "qwertyuiop", "abcdefghij"}
_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """The password is too easy to guess; the message says why, in Chinese."""


def check_strength(password: str, username: str = "") -> None:
    """Refuse short, common or name-derived passwords."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少要{MIN_LENGTH}位。")
    if password.lower() in _WEAK or len(set(password)) < 4:
        raise WeakPassword("这个密码太容易被猜到，请换一个。")
    if username and username.lower() in password.lower():
        raise WeakPassword("密码里不要包含用户名。")


def hash_password_sync(password: str) -> str:
    """The argon2id hash of ``password`` (blocking: for the command line)."""
    return _hasher.hash(password)


async def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, computed in a worker thread."""
    return await to_thread.run_sync(_hasher.hash, password)


def _verify(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A real hash to verify against when the user does not exist, so that an unknown user
    name takes as long to refuse as a wrong password (no user enumeration by timing)."""
    return _hasher.hash("banshi-no-such-user-password")


def _verify_or_dummy(stored_hash: str | None, password: str) -> bool:
    return _verify(stored_hash or _dummy_hash(), password) and stored_hash is not None


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False, after the same work, when None)."""
    return await to_thread.run_sync(_verify_or_dummy, stored_hash, password)
