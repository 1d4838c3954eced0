"""Local-mode :class:`~broker_core.ports.PasswordHasher`: Argon2id through argon2-cffi."""

from __future__ import annotations

import argon2
from argon2.exceptions import Argon2Error, InvalidHashError


class Argon2PasswordHasher:
    """Argon2id with argon2-cffi's default parameters (RFC 9106 low-memory profile)."""

    def __init__(self) -> None:
        self._hasher = argon2.PasswordHasher()

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True only if ``password`` matches; False on mismatch or a malformed hash, never raises."""
        try:
            return self._hasher.verify(password_hash, password)
        except (Argon2Error, InvalidHashError, ValueError, TypeError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError, TypeError):
            return True
