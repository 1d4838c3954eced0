"""Contract of :class:`broker_core.ports.PasswordHasher`, run against every hasher."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from broker_adapters.passwords import Argon2PasswordHasher
from broker_core.ports import PasswordHasher

HASHERS: dict[str, Callable[[], PasswordHasher]] = {"argon2": Argon2PasswordHasher}


@pytest.fixture(params=sorted(HASHERS))
def hasher(request: pytest.FixtureRequest) -> PasswordHasher:
    return HASHERS[request.param]()


def test_hash_is_not_the_password_and_verifies(hasher: PasswordHasher) -> None:
    password = "correct horse battery staple"
    hashed = hasher.hash(password)
    assert hashed != password
    assert password not in hashed
    assert hasher.verify(hashed, password)


def test_wrong_password_is_refused(hasher: PasswordHasher) -> None:
    hashed = hasher.hash("s3cret!")
    assert not hasher.verify(hashed, "s3cret")
    assert not hasher.verify(hashed, "S3cret!")
    assert not hasher.verify(hashed, "")


def test_hashes_are_salted(hasher: PasswordHasher) -> None:
    first, second = hasher.hash("same"), hasher.hash("same")
    assert first != second
    assert hasher.verify(first, "same") and hasher.verify(second, "same")


def test_unicode_and_empty_passwords(hasher: PasswordHasher) -> None:
    for password in ("pässwörd ✓ 密码", ""):
        assert hasher.verify(hasher.hash(password), password)
    assert not hasher.verify(hasher.hash("pässwörd"), "passwörd")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "$argon2id$v=19$m=65536,t=3,p=4$notbase64$notbase64",
        "$argon2id$v=19$m=65536,t=3,p=4$",
        "$2b$12$abcdefghijklmnopqrstuuJ0pC2yE0g0p0Qe6cL0KpQy3pFf7Vv1a",  # bcrypt
        "pbkdf2:sha256:260000$salt$deadbeef",
        "\x00\ud800",
    ],
)
def test_garbage_hash_is_false_not_an_error(hasher: PasswordHasher, garbage: str) -> None:
    assert hasher.verify(garbage, "password") is False


def test_truncated_hash_is_false(hasher: PasswordHasher) -> None:
    hashed = hasher.hash("password")
    assert hasher.verify(hashed[:-4], "password") is False
    assert hasher.verify(hashed, "password\ud800") is False
