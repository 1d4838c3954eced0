"""Contract of :class:`broker_core.ports.FileStorage`, run against every storage adapter.

To add an adapter (e.g. S3), add its name to ``STORAGE_ADAPTERS`` and a branch
to :func:`_make_harness` that builds it and says how to list everything it
stores and how to check one of its download URLs.
"""

from __future__ import annotations

import gc
import os
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import psutil
import pytest

from broker_adapters.local_storage import LocalFileStorage
from broker_core.ports import FileStorage

STORAGE_ADAPTERS = ["local"]

KEY = "generated/12/File-D1_20170101_20170131_awarding_1700000000.csv"
MiB = 1024 * 1024


@attrs.define
class StorageHarness:
    name: str
    storage: FileStorage
    #: Every object or leftover the adapter keeps, including temporary/partial ones.
    list_everything: Callable[[], list[str]]
    #: Whether a URL from ``storage.url`` would be honoured at time ``now`` (None: the real time).
    check_url: Callable[[str, float | None], bool]


def _local_harness(tmp_path: Path) -> StorageHarness:
    root = tmp_path / "files"
    storage = LocalFileStorage(root, public_base_url="http://broker.test/", secret_key=b"contract-secret")

    def list_everything() -> list[str]:
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir())

    def check_url(url: str, now: float | None) -> bool:
        parts = urllib.parse.urlsplit(url)
        prefix = "/v1/files/"
        assert f"{parts.scheme}://{parts.netloc}" == "http://broker.test"
        assert parts.path.startswith(prefix)
        key = urllib.parse.unquote(parts.path[len(prefix) :])
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        return storage.verify(key, query["expires"], query["filename"], query["signature"], now=now)

    return StorageHarness("local", storage, list_everything, check_url)


def _make_harness(name: str, tmp_path: Path) -> StorageHarness:
    if name == "local":
        return _local_harness(tmp_path)
    raise ValueError(name)


@pytest.fixture(params=STORAGE_ADAPTERS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> StorageHarness:
    return _make_harness(request.param, tmp_path)


@pytest.fixture
def storage(harness: StorageHarness) -> FileStorage:
    return harness.storage


def _pieces(*parts: bytes) -> Iterator[bytes]:
    yield from parts


class Boom(Exception):
    pass


def _failing_after(*parts: bytes) -> Iterator[bytes]:
    yield from parts
    raise Boom("the generator broke")


# --------------------------------------------------------------------------- round trips


def test_round_trip_of_a_multi_chunk_stream(storage: FileStorage) -> None:
    chunks = [b"header,row\n", b"", os.urandom(200_000), b"\xff\x00tail\n", b"x" * 70_000]
    expected = b"".join(chunks)

    size = storage.write(KEY, _pieces(*chunks))

    assert size == len(expected)
    assert storage.size(KEY) == len(expected)
    assert storage.exists(KEY)
    read_back = list(storage.read(KEY))
    assert b"".join(read_back) == expected
    assert len(read_back) > 1  # streamed, not one blob
    assert all(len(chunk) <= 64 * 1024 for chunk in read_back)


def test_empty_object(storage: FileStorage) -> None:
    assert storage.write("empty.txt", iter([])) == 0
    assert storage.exists("empty.txt")
    assert storage.size("empty.txt") == 0
    assert b"".join(storage.read("empty.txt")) == b""


def test_missing_object(storage: FileStorage) -> None:
    assert not storage.exists(KEY)
    with pytest.raises(FileNotFoundError):
        storage.size(KEY)
    with pytest.raises(FileNotFoundError):
        b"".join(storage.read(KEY))


def test_overwrite_replaces_the_content(storage: FileStorage) -> None:
    storage.write(KEY, [b"a much longer first version\n" * 100])
    assert storage.write(KEY, [b"short"]) == 5
    assert b"".join(storage.read(KEY)) == b"short"
    assert storage.size(KEY) == 5


def test_delete(harness: StorageHarness, storage: FileStorage) -> None:
    storage.write(KEY, [b"data"])
    storage.write("other/key.csv", [b"other"])

    storage.delete(KEY)

    assert not storage.exists(KEY)
    assert storage.exists("other/key.csv")
    assert harness.list_everything() == ["other/key.csv"]
    storage.delete(KEY)  # deleting a missing object is fine


def test_keys_are_independent(storage: FileStorage) -> None:
    storage.write("a/b.csv", [b"1"])
    storage.write("a/b.csv.bak", [b"2"])
    storage.write("a/c/b.csv", [b"3"])
    assert [b"".join(storage.read(k)) for k in ("a/b.csv", "a/b.csv.bak", "a/c/b.csv")] == [b"1", b"2", b"3"]


# --------------------------------------------------------------------------- atomicity


def test_failing_iterable_leaves_nothing(harness: StorageHarness, storage: FileStorage) -> None:
    with pytest.raises(Boom):
        storage.write(KEY, _failing_after(b"partial,", b"rows\n" * 10_000))

    assert not storage.exists(KEY)
    assert harness.list_everything() == []  # not even a temporary file


def test_failing_overwrite_keeps_the_previous_object(harness: StorageHarness, storage: FileStorage) -> None:
    storage.write(KEY, [b"version 1"])

    with pytest.raises(Boom):
        storage.write(KEY, _failing_after(b"version 2, half written"))

    assert b"".join(storage.read(KEY)) == b"version 1"
    assert harness.list_everything() == [KEY]


def test_object_is_invisible_while_being_written(harness: StorageHarness, storage: FileStorage) -> None:
    seen: list[bool] = []

    def chunks() -> Iterator[bytes]:
        yield b"first"
        seen.append(storage.exists(KEY))
        yield b"second"

    storage.write(KEY, chunks())

    assert seen == [False]
    assert b"".join(storage.read(KEY)) == b"firstsecond"
    assert harness.list_everything() == [KEY]


# --------------------------------------------------------------------------- keys

BAD_KEYS = [
    "",
    "../x",
    "..",
    "/etc/passwd",
    "/abs/key.csv",
    "a//b",
    "a/",
    "/",
    "a/../../b",
    "a/../b",
    "a/..",
    "./a",
    "a/./b",
    "a\\b",
    "..\\x",
    "a\x00b",
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_unsafe_keys_are_refused(harness: StorageHarness, storage: FileStorage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.write(key, [b"evil"])
    with pytest.raises(ValueError):
        storage.exists(key)
    with pytest.raises(ValueError):
        storage.size(key)
    with pytest.raises(ValueError):
        storage.read(key)
    with pytest.raises(ValueError):
        storage.delete(key)
    with pytest.raises(ValueError):
        storage.url(key, filename="x.csv", expires_in=60)
    assert harness.list_everything() == []


@pytest.mark.parametrize("key", ["%2e%2e/x", "..x/y", "a/...", "a/b..csv", "File-D1 (copy).csv"])
def test_unusual_but_safe_keys_are_literal_names(storage: FileStorage, key: str) -> None:
    storage.write(key, [key.encode()])
    assert b"".join(storage.read(key)) == key.encode()


def test_local_symlinks_cannot_escape_the_root(tmp_path: Path) -> None:
    root = tmp_path / "files"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    storage = LocalFileStorage(root, public_base_url="http://broker.test", secret_key=b"k")
    (root / "link").symlink_to(outside, target_is_directory=True)
    (root / "file-link").symlink_to(outside / "secret.txt")

    for key in ("link/secret.txt", "link/new.txt", "file-link"):
        with pytest.raises(ValueError):
            storage.write(key, [b"overwritten"])
        with pytest.raises(ValueError):
            storage.path_for(key)
        with pytest.raises(ValueError):
            storage.read(key)
    assert (outside / "secret.txt").read_bytes() == b"secret"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_local_path_for(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path / "files", public_base_url="http://broker.test", secret_key=b"k")
    storage.write(KEY, [b"content"])
    path = storage.path_for(KEY)
    assert path.read_bytes() == b"content"
    assert path == tmp_path / "files" / "generated" / "12" / KEY.rsplit("/", 1)[1]


# --------------------------------------------------------------------------- download URLs


def test_url_verifies(harness: StorageHarness, storage: FileStorage) -> None:
    storage.write(KEY, [b"content"])
    url = storage.url(KEY, filename="File D1 (Dept. of Example) & more?.csv", expires_in=600)
    assert harness.check_url(url, None)
    assert harness.check_url(url, time.time() + 590)


def test_url_with_unusual_key_and_filename(harness: StorageHarness, storage: FileStorage) -> None:
    key = "odd/%2e%2e/na me+plus#hash?.csv"
    storage.write(key, [b"x"])
    url = storage.url(key, filename="naïve/../ü &=;.csv", expires_in=60)
    assert "#" not in url and " " not in url
    assert harness.check_url(url, None)


def test_expired_url_fails(harness: StorageHarness, storage: FileStorage) -> None:
    url = storage.url(KEY, filename="f.csv", expires_in=60)
    assert not harness.check_url(url, time.time() + 61)
    assert not harness.check_url(storage.url(KEY, filename="f.csv", expires_in=-1), None)


def _tamper(url: str, param: str, value: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query[param] = value
    return parts._replace(query=urllib.parse.urlencode(query, quote_via=urllib.parse.quote)).geturl()


def test_tampered_urls_fail(harness: StorageHarness, storage: FileStorage) -> None:
    url = storage.url(KEY, filename="f.csv", expires_in=600)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    signature = query["signature"]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]

    tampered = [
        url.replace("/generated/12/", "/generated/13/"),
        url.replace(urllib.parse.quote(KEY.rsplit("/", 1)[1]), "other.csv"),
        _tamper(url, "filename", "g.csv"),
        _tamper(url, "expires", str(int(query["expires"]) + 3600)),
        _tamper(url, "expires", query["expires"] + ".0"),
        _tamper(url, "expires", "-" + query["expires"]),
        _tamper(url, "signature", flipped),
        _tamper(url, "signature", signature[:-2]),
        _tamper(url, "signature", signature.upper()),
        _tamper(url, "signature", ""),
        _tamper(url, "signature", "zz" * 32),
    ]
    for bad in tampered:
        assert bad != url
        assert not harness.check_url(bad, None), bad
    assert harness.check_url(url, None)


def test_local_verify_rejects_malformed_arguments(tmp_path: Path) -> None:
    storage = LocalFileStorage(tmp_path, public_base_url="http://broker.test", secret_key=b"k")
    url = storage.url(KEY, filename="f.csv", expires_in=600)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    good = (KEY, query["expires"], "f.csv", query["signature"])
    assert storage.verify(*good)
    assert not storage.verify("../" + KEY, *good[1:])
    assert not storage.verify(KEY, "١٢٣", "f.csv", query["signature"])  # non-ASCII digits
    assert not storage.verify(KEY, query["expires"], "f\ud800.csv", query["signature"])
    assert not storage.verify(KEY, query["expires"], "f.csv", "é" * 64)
    other_secret = LocalFileStorage(tmp_path, public_base_url="http://broker.test", secret_key=b"k2")
    assert not other_secret.verify(*good)


# --------------------------------------------------------------------------- memory


def _rss() -> int:
    return int(psutil.Process().memory_info().rss)


@pytest.mark.slow
def test_writing_and_reading_200_mb_streams(storage: FileStorage) -> None:
    total = 200 * MiB
    chunk_size = MiB
    gc.collect()
    baseline = _rss()
    peak = baseline

    def generate() -> Iterator[bytes]:
        nonlocal peak
        for i in range(total // chunk_size):
            yield bytes([i % 251]) * chunk_size
            if i % 8 == 0:
                peak = max(peak, _rss())

    assert storage.write("big/file.bin", generate()) == total
    peak = max(peak, _rss())
    assert peak - baseline < 50 * MiB, f"RSS grew by {(peak - baseline) / MiB:.0f} MiB while writing"

    read = 0
    for n, chunk in enumerate(storage.read("big/file.bin")):
        read += len(chunk)
        if n % 256 == 0:
            peak = max(peak, _rss())
    assert read == total
    assert peak - baseline < 50 * MiB, f"RSS grew by {(peak - baseline) / MiB:.0f} MiB while reading"
    assert storage.size("big/file.bin") == total
