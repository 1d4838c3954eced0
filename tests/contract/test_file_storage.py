"""Contract of :class:`broker_core.ports.FileStorage`, run against every storage adapter.

To add an adapter, add its name to ``STORAGE_ADAPTERS`` and a branch to
:func:`_make_harness` that builds it and says how to list everything it stores,
how to check and download one of its URLs and what a killed writer leaves behind.

The ``s3`` adapter runs against moto's standalone server (``s3_server``), spoken
to only through boto3 and urllib over HTTP, in a fresh bucket per test.
"""

from __future__ import annotations

import email.message
import email.utils
import gc
import hashlib
import os
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import boto3
import psutil
import pytest

from broker_adapters.content_disposition import content_disposition
from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.s3_storage import MIN_PART_SIZE, S3FileStorage
from broker_core.ports import FileStorage
from tests.contract.failing import Boom
from tests.servers import S3Server

STORAGE_ADAPTERS = ["local", "s3"]

KEY = "generated/12/File-D1_20170101_20170131_awarding_1700000000.csv"
MiB = 1024 * 1024

#: Why the S3 server in these tests cannot show that expired or tampered URLs are refused.
#: Why the expired/tampered URL tests are local only.
MOTO_IGNORES_URL_AUTH = (
    "moto's S3 server serves presigned URLs without checking their signature or expiry "
    "(moto 5.x checks SigV4 only in the Authorization header, and only when IAM auth is on)"
)


@attrs.define
class StorageHarness:
    name: str
    storage: FileStorage
    #: Every object or leftover the adapter keeps, including temporary/partial ones.
    list_everything: Callable[[], list[str]]
    #: Whether a URL from ``storage.url`` would be honoured at time ``now`` (None: the real time).
    check_url: Callable[[str, float | None], bool]
    #: Fetches a URL as a browser would: the content and the name it would be saved under.
    download: Callable[[str], tuple[bytes, str]]
    #: Query parameter of a URL that holds its "expires", "filename" and "signature".
    url_params: dict[str, str]
    #: Leaves what a writer killed (SIGKILL) after sending ``data`` to ``key`` leaves; returns
    #: how ``list_everything`` shows that leftover.
    kill_writer: Callable[[str, bytes], str]


def _saved_as(header: str | None) -> str:
    """The filename a browser saves an ``attachment`` under, from its Content-Disposition header."""
    assert header is not None, "no Content-Disposition header"
    message = email.message.Message()
    message["Content-Disposition"] = header
    assert message.get_content_disposition() == "attachment", header
    names = [value for name, value in message.get_params(header="content-disposition") if name == "filename"]
    # Browsers prefer the RFC 6266 ``filename*`` (parsed into a tuple) over the plain fallback.
    extended = [email.utils.collapse_rfc2231_value(v) for v in names if isinstance(v, tuple)]
    plain = [v for v in names if isinstance(v, str)]
    assert len(extended) <= 1 and len(plain) == 1, header
    return (extended or plain)[0]


def _local_harness(tmp_path: Path) -> StorageHarness:
    root = tmp_path / "files"
    storage = LocalFileStorage(root, public_base_url="http://broker.test/", secret_key=b"contract-secret")

    def list_everything() -> list[str]:
        return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir())

    def parse(url: str) -> tuple[str, dict[str, str]]:
        parts = urllib.parse.urlsplit(url)
        prefix = "/v1/files/"
        assert f"{parts.scheme}://{parts.netloc}" == "http://broker.test"
        assert parts.path.startswith(prefix)
        key = urllib.parse.unquote(parts.path[len(prefix) :])
        return key, dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))

    def check_url(url: str, now: float | None) -> bool:
        key, query = parse(url)
        return storage.verify(key, query["expires"], query["filename"], query["signature"], now=now)

    def download(url: str) -> tuple[bytes, str]:
        # What GET /v1/files/{key} answers (the API layer has its own tests).
        assert check_url(url, None), url
        key, query = parse(url)
        return b"".join(storage.read(key)), _saved_as(content_disposition(query["filename"]))

    def kill_writer(key: str, data: bytes) -> str:
        path = storage.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Exactly the temporary file LocalFileStorage.write streams into before its rename.
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        temp.write_bytes(data)
        return temp.relative_to(root).as_posix()

    params = {"expires": "expires", "filename": "filename", "signature": "signature"}
    return StorageHarness("local", storage, list_everything, check_url, download, params, kill_writer)


def _s3_client(server: S3Server) -> Any:
    return boto3.client("s3", endpoint_url=server.endpoint_url)


def _fresh_bucket(request: pytest.FixtureRequest) -> tuple[S3Server, Any, str]:
    """A new, empty bucket on the session's moto server, emptied and removed after the test."""
    server: S3Server = request.getfixturevalue("s3_server")
    client = _s3_client(server)
    bucket = f"contract-{uuid.uuid4().hex}"
    client.create_bucket(Bucket=bucket)

    def remove() -> None:
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            for upload in page.get("Uploads", []):
                client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        client.delete_bucket(Bucket=bucket)

    request.addfinalizer(remove)
    return server, client, bucket


def _s3_harness(request: pytest.FixtureRequest) -> StorageHarness:
    server, client, bucket = _fresh_bucket(request)
    prefix = "broker/files"
    # The smallest part S3 allows, so that a few MiB already take the multipart path.
    storage = S3FileStorage(bucket, prefix, endpoint_url=server.endpoint_url, part_size=MIN_PART_SIZE)

    def relative(name: str) -> str:
        # Anything outside the prefix shows up with a marker, so no test can mistake it for a key.
        return name.removeprefix(prefix + "/") if name.startswith(prefix + "/") else f"<outside>{name}"

    def list_everything() -> list[str]:
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            found += [relative(item["Key"]) for item in page.get("Contents", [])]
        for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            found += [f"{relative(u['Key'])} <upload {u['UploadId']}>" for u in page.get("Uploads", [])]
        return sorted(found)

    def download(url: str) -> tuple[bytes, str]:
        parts = urllib.parse.urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == server.endpoint_url
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            return response.read(), _saved_as(response.headers.get("Content-Disposition"))

    def check_url(url: str, now: float | None) -> bool:
        # The server judges at the real time: ``now`` cannot be applied to it. (moto does not
        # check expiry anyway; see MOTO_IGNORES_URL_AUTH.)
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        expected_prefix = f"/{bucket}/{prefix}/"
        assert path.startswith(expected_prefix), url
        try:
            content, _ = download(url)
        except urllib.error.HTTPError:
            return False
        return content == b"".join(storage.read(path[len(expected_prefix) :]))

    def kill_writer(key: str, data: bytes) -> str:
        name = f"{prefix}/{key}"
        upload_id = client.create_multipart_upload(Bucket=bucket, Key=name)["UploadId"]
        client.upload_part(Bucket=bucket, Key=name, UploadId=upload_id, PartNumber=1, Body=data)
        return f"{key} <upload {upload_id}>"

    params = {
        "expires": "X-Amz-Expires",
        "filename": "response-content-disposition",
        "signature": "X-Amz-Signature",
    }
    return StorageHarness("s3", storage, list_everything, check_url, download, params, kill_writer)


def _make_harness(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> StorageHarness:
    if name == "local":
        return _local_harness(tmp_path)
    if name == "s3":
        return _s3_harness(request)
    raise ValueError(name)


@pytest.fixture(params=STORAGE_ADAPTERS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> StorageHarness:
    return _make_harness(request.param, tmp_path, request)


@pytest.fixture
def storage(harness: StorageHarness) -> FileStorage:
    return harness.storage


def _pieces(*parts: bytes) -> Iterator[bytes]:
    yield from parts


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


def test_multi_part_stream_round_trips(storage: FileStorage) -> None:
    # ~12 MiB in uneven chunks, one of them bigger than a 5 MiB part.
    sizes = [MiB + 7, 3, 6 * MiB + 1, 0, 2 * MiB - 1, 3 * MiB + 12_345]
    chunks = [os.urandom(n) for n in sizes]
    expected = hashlib.sha256(b"".join(chunks)).hexdigest()

    assert storage.write(KEY, iter(chunks)) == sum(sizes)

    assert storage.size(KEY) == sum(sizes)
    digest = hashlib.sha256()
    for chunk in storage.read(KEY):
        assert 0 < len(chunk) <= 64 * 1024
        digest.update(chunk)
    assert digest.hexdigest() == expected


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


def test_failing_multi_part_write_leaves_nothing(harness: StorageHarness, storage: FileStorage) -> None:
    storage.write(KEY, [b"version 1"])

    def chunks() -> Iterator[bytes]:
        for _ in range(12):  # 12 MiB: two full 5 MiB parts are sent before it breaks
            yield b"\x01" * MiB
        raise Boom("the generator broke after two parts")

    with pytest.raises(Boom):
        storage.write(KEY, chunks())
    with pytest.raises(Boom):
        storage.write("new/key.bin", chunks())

    assert b"".join(storage.read(KEY)) == b"version 1"
    assert not storage.exists("new/key.bin")
    assert harness.list_everything() == [KEY]  # no temporary file, no incomplete upload


def test_discard_partial_removes_what_a_killed_writer_left(
    harness: StorageHarness, storage: FileStorage
) -> None:
    storage.write(KEY, [b"complete"])
    storage.write("other/done.csv", [b"done"])
    storage.write("generated/12/done.csv", [b"done too"])
    over_existing = harness.kill_writer(KEY, b"half of version 2")
    fresh = harness.kill_writer("generated/12/new.csv", b"half")
    elsewhere = harness.kill_writer("other/elsewhere.csv", b"half")
    completed = [KEY, "generated/12/done.csv", "other/done.csv"]
    assert harness.list_everything() == sorted([*completed, over_existing, fresh, elsewhere])

    assert storage.discard_partial("generated/12/File-D2") == 0
    assert storage.discard_partial("generated/12/File-D1") == 1
    assert storage.discard_partial("generated/") == 1
    assert storage.discard_partial("generated/") == 0
    assert harness.list_everything() == sorted([*completed, elsewhere])
    assert storage.discard_partial("") == 1

    assert harness.list_everything() == completed
    assert b"".join(storage.read(KEY)) == b"complete"
    assert storage.discard_partial("") == 0
    assert storage.discard_partial("nothing/here/") == 0


@pytest.mark.parametrize("prefix", ["../", "/", "/abs", "a//", "a/../b", "./a", "a\\b", "a\x00"])
def test_discard_partial_refuses_unsafe_prefixes(
    harness: StorageHarness, storage: FileStorage, prefix: str
) -> None:
    with pytest.raises(ValueError):
        storage.discard_partial(prefix)


# --------------------------------------------------------------------------- listing


def test_list_finds_complete_objects_by_plain_prefix(harness: StorageHarness, storage: FileStorage) -> None:
    keys = ["help/Guide.pdf", "help/rss/Labels.xlsx", "helpdesk.txt", "errors/SubID-1_File-A.csv", "1/a.csv"]
    for key in keys:
        storage.write(key, [key.encode()])
    storage.write("errors/SubID-12_File-A.csv", [b"other submission"])
    harness.kill_writer("help/half.pdf", b"half")

    assert sorted(storage.list("help/")) == ["help/Guide.pdf", "help/rss/Labels.xlsx"]
    assert sorted(storage.list("help")) == ["help/Guide.pdf", "help/rss/Labels.xlsx", "helpdesk.txt"]
    assert sorted(storage.list("errors/SubID-1_")) == ["errors/SubID-1_File-A.csv"]
    assert sorted(storage.list("help/rss/La")) == ["help/rss/Labels.xlsx"]
    assert sorted(storage.list("")) == sorted([*keys, "errors/SubID-12_File-A.csv"])
    assert list(storage.list("nothing/here/")) == []
    storage.delete("helpdesk.txt")
    assert sorted(storage.list("help")) == ["help/Guide.pdf", "help/rss/Labels.xlsx"]


def test_list_streams_many_keys(storage: FileStorage) -> None:
    # More than one page of list_objects_v2 (1,000 keys) on S3.
    keys = {f"many/{n:04d}.csv" for n in range(1_005)}
    for key in keys:
        storage.write(key, [b""])
    listed = storage.list("many/")
    assert not isinstance(listed, list | tuple | set)
    assert set(listed) == keys


@pytest.mark.parametrize("prefix", ["../", "/", "/abs", "a//", "a/../b", "./a", "a\\b", "a\x00"])
def test_list_refuses_unsafe_prefixes(storage: FileStorage, prefix: str) -> None:
    with pytest.raises(ValueError):
        storage.list(prefix)


def test_local_list_skips_symlinks_out_of_the_root(tmp_path: Path) -> None:
    root = tmp_path / "files"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    storage = LocalFileStorage(root, public_base_url="http://broker.test", secret_key=b"k")
    storage.write("help/guide.pdf", [b"g"])
    (root / "help" / "link").symlink_to(outside, target_is_directory=True)
    (root / "help" / "file-link").symlink_to(outside / "secret.txt")
    (root / "help" / "inside-link").symlink_to(root / "help" / "guide.pdf")

    assert sorted(storage.list("")) == ["help/guide.pdf", "help/inside-link"]


def test_s3_list_stays_under_the_storage_prefix(request: pytest.FixtureRequest) -> None:
    server, client, bucket = _fresh_bucket(request)
    storage = S3FileStorage(bucket, "broker/files", endpoint_url=server.endpoint_url)
    storage.write("help/guide.pdf", [b"g"])
    client.put_object(Bucket=bucket, Key="broker/files/help/", Body=b"")  # a console's folder marker
    client.put_object(Bucket=bucket, Key="broker/files/help//odd.pdf", Body=b"")  # not a valid key
    client.put_object(Bucket=bucket, Key="broker/filesystem/help/x.pdf", Body=b"")
    client.put_object(Bucket=bucket, Key="help/outside.pdf", Body=b"")

    assert sorted(storage.list("")) == ["help/guide.pdf"]
    assert sorted(storage.list("help/")) == ["help/guide.pdf"]


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
    assert harness.download(url) == (b"content", "File D1 (Dept. of Example) & more?.csv")


def test_url_with_unusual_key_and_filename(harness: StorageHarness, storage: FileStorage) -> None:
    key = "odd/%2e%2e/na me+plus#hash?.csv"
    storage.write(key, [b"x"])
    url = storage.url(key, filename="naïve/../ü &=;.csv", expires_in=60)
    assert "#" not in url and " " not in url
    assert harness.check_url(url, None)
    # Saved under the last segment of the name, never with a path.
    assert harness.download(url) == (b"x", "ü &=;.csv")


def test_local_expired_url_fails(tmp_path: Path) -> None:
    # Local only: the API enforces local links. S3 enforces its presigned URLs itself, and
    # moto's server does not check them (test_s3_presigned_url_* checks what we send).
    harness = _local_harness(tmp_path)
    storage = harness.storage
    storage.write(KEY, [b"content"])  # so that only the expiry can make the download fail
    url = storage.url(KEY, filename="f.csv", expires_in=60)
    assert not harness.check_url(url, time.time() + 61)
    assert not harness.check_url(storage.url(KEY, filename="f.csv", expires_in=-1), None)


def _tamper(url: str, param: str, value: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query[param] = value
    return parts._replace(query=urllib.parse.urlencode(query, quote_via=urllib.parse.quote)).geturl()


def test_local_tampered_urls_fail(tmp_path: Path) -> None:
    # Local only: the API enforces local links. S3 enforces its presigned URLs itself, and
    # moto's server does not check them (test_s3_presigned_url_* checks what we send).
    harness = _local_harness(tmp_path)
    storage = harness.storage
    storage.write(KEY, [b"content"])  # so that only the tampering can make the download fail
    storage.write(KEY.replace("/12/", "/13/"), [b"content"])
    storage.write(KEY.rsplit("/", 1)[0] + "/other.csv", [b"content"])
    url = storage.url(KEY, filename="f.csv", expires_in=600)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    expires, filename, signature = (harness.url_params[p] for p in ("expires", "filename", "signature"))
    flipped = ("0" if query[signature][0] != "0" else "1") + query[signature][1:]

    tampered = [
        url.replace("/generated/12/", "/generated/13/"),
        url.replace(urllib.parse.quote(KEY.rsplit("/", 1)[1]), "other.csv"),
        _tamper(url, filename, "g.csv"),
        _tamper(url, expires, str(int(query[expires]) + 3600)),
        _tamper(url, expires, query[expires] + ".0"),
        _tamper(url, expires, "-" + query[expires]),
        _tamper(url, signature, flipped),
        _tamper(url, signature, query[signature][:-2]),
        _tamper(url, signature, query[signature].upper()),
        _tamper(url, signature, ""),
        _tamper(url, signature, "zz" * 32),
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


# --------------------------------------------------------------------------- S3 only


class _Recorder:
    """A boto3 client that records the operations it is asked for and can break one of them."""

    def __init__(self, client: Any, break_call: str | None = None, at: int = 1) -> None:
        self._client = client
        self._break_call = break_call
        self._at = at
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            if name == self._break_call and self.calls.count(name) == self._at:
                raise ConnectionError(f"{name} failed (injected)")
            return method(*args, **kwargs)

        return call


def _uploads(client: Any, bucket: str) -> list[dict[str, Any]]:
    return list(client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def _twelve_mib() -> Iterator[bytes]:
    for i in range(12):
        yield bytes([i]) * MiB


def test_s3_large_write_is_a_multipart_upload(request: pytest.FixtureRequest) -> None:
    _server, client, bucket = _fresh_bucket(request)
    recorder = _Recorder(client)
    storage = S3FileStorage(bucket, "p", part_size=MIN_PART_SIZE, client=recorder)

    assert storage.write("big.bin", _twelve_mib()) == 12 * MiB

    assert recorder.calls == [
        "create_multipart_upload",
        "upload_part",
        "upload_part",
        "upload_part",
        "complete_multipart_upload",
    ]
    assert client.head_object(Bucket=bucket, Key="p/big.bin")["ETag"].strip('"').endswith("-3")
    assert b"".join(storage.read("big.bin")) == b"".join(_twelve_mib())
    assert _uploads(client, bucket) == []
    # Every part was checked by CRC32 on arrival; the object carries the composite of the parts' CRC32.
    head = client.head_object(Bucket=bucket, Key="p/big.bin", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"]


def test_s3_small_write_is_one_put(request: pytest.FixtureRequest) -> None:
    _server, client, bucket = _fresh_bucket(request)
    recorder = _Recorder(client)
    storage = S3FileStorage(bucket, part_size=MIN_PART_SIZE, client=recorder)

    assert storage.write("a/b.csv", [b"x" * 1000, b"y"]) == 1001
    assert storage.write("empty", []) == 0

    assert recorder.calls == ["put_object", "put_object"]
    assert client.get_object(Bucket=bucket, Key="a/b.csv")["Body"].read() == b"x" * 1000 + b"y"
    assert client.head_object(Bucket=bucket, Key="empty")["ContentLength"] == 0


def test_s3_failing_stream_aborts_the_upload(request: pytest.FixtureRequest) -> None:
    _server, client, bucket = _fresh_bucket(request)
    recorder = _Recorder(client)
    storage = S3FileStorage(bucket, "p", part_size=MIN_PART_SIZE, client=recorder)

    def chunks() -> Iterator[bytes]:
        yield from _twelve_mib()
        raise Boom("broke after two parts")

    with pytest.raises(Boom):
        storage.write("k.bin", chunks())

    assert recorder.calls == [
        "create_multipart_upload",
        "upload_part",
        "upload_part",
        "abort_multipart_upload",
    ]
    assert _uploads(client, bucket) == []
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []


@pytest.mark.parametrize("broken", ["upload_part", "complete_multipart_upload"])
def test_s3_failing_call_aborts_the_upload_and_keeps_the_old_object(
    request: pytest.FixtureRequest, broken: str
) -> None:
    _server, client, bucket = _fresh_bucket(request)
    S3FileStorage(bucket, "p", client=client).write("k.bin", [b"version 1"])
    recorder = _Recorder(client, break_call=broken, at=2 if broken == "upload_part" else 1)
    storage = S3FileStorage(bucket, "p", part_size=MIN_PART_SIZE, client=recorder)

    with pytest.raises(ConnectionError):
        storage.write("k.bin", _twelve_mib())

    assert recorder.calls[-1] == "abort_multipart_upload"
    assert _uploads(client, bucket) == []
    assert b"".join(storage.read("k.bin")) == b"version 1"


def test_s3_discard_partial_stays_under_the_storage_prefix(request: pytest.FixtureRequest) -> None:
    server, client, bucket = _fresh_bucket(request)
    for name in ("mine/generated/a.csv", "theirs/generated/a.csv", "minefield/x"):
        upload_id = client.create_multipart_upload(Bucket=bucket, Key=name)["UploadId"]
        client.upload_part(Bucket=bucket, Key=name, UploadId=upload_id, PartNumber=1, Body=b"part")
    storage = S3FileStorage(bucket, "mine", endpoint_url=server.endpoint_url)

    assert storage.discard_partial("") == 1

    assert sorted(u["Key"] for u in _uploads(client, bucket)) == ["minefield/x", "theirs/generated/a.csv"]


def test_s3_presigned_url_is_sigv4_with_the_download_name(request: pytest.FixtureRequest) -> None:
    server, _client, bucket = _fresh_bucket(request)
    storage = S3FileStorage(bucket, "p/q", endpoint_url=server.endpoint_url)
    storage.write("a/b.csv", [b"1,2\n"])

    url = storage.url("a/b.csv", filename='x"y.csv', expires_in=321)

    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert parts.path == f"/{bucket}/p/q/a/b.csv"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-Expires"] == "321"
    assert (
        query["response-content-disposition"]
        == "attachment; filename=\"x_y.csv\"; filename*=UTF-8''x%22y.csv"
    )
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == b"1,2\n"
        assert _saved_as(response.headers["Content-Disposition"]) == 'x"y.csv'


def test_s3_from_url() -> None:
    storage = S3FileStorage.from_url("s3://my-bucket/some/prefix/", endpoint_url="http://127.0.0.1:1")
    assert (storage.bucket, storage.prefix, storage.object_key("k.csv")) == (
        "my-bucket",
        "some/prefix",
        "some/prefix/k.csv",
    )
    bare = S3FileStorage.from_url("s3://my-bucket")
    assert (bare.bucket, bare.prefix, bare.object_key("k.csv")) == ("my-bucket", "", "k.csv")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "my-bucket/prefix",
        "file:///tmp/files",
        "https://my-bucket/prefix",
        "s3://",
        "s3:///prefix",
        "s3://My_Bucket/prefix",
        "s3://user@my-bucket/prefix",
        "s3://my-bucket:99/prefix",
        "s3://my-bucket/a/../b",
        "s3://my-bucket/a//b",
        "s3://my-bucket/prefix?x=1",
        "s3://my-bucket/prefix#frag",
    ],
)
def test_s3_from_url_refuses_malformed_urls(url: str) -> None:
    with pytest.raises(ValueError, match="BROKER_STORAGE_URL"):
        S3FileStorage.from_url(url)


def test_s3_part_size_must_be_allowed_by_s3() -> None:
    with pytest.raises(ValueError):
        S3FileStorage("my-bucket", part_size=MIN_PART_SIZE - 1, client=object())


def test_s3_parts_go_out_in_the_background_but_never_more_than_in_flight() -> None:
    import threading

    from broker_adapters.s3_multipart import MultipartUpload

    release = threading.Event()
    lock = threading.Lock()
    sending: list[int] = []
    most = 0

    class SlowClient:
        def create_multipart_upload(self, **_: Any) -> dict[str, str]:
            return {"UploadId": "u"}

        def upload_part(self, *, PartNumber: int, **_: Any) -> dict[str, str]:
            nonlocal most
            with lock:
                sending.append(PartNumber)
                most = max(most, len(sending))
            assert release.wait(10)
            with lock:
                sending.remove(PartNumber)
            return {"ETag": f'"{PartNumber}"'}

        def complete_multipart_upload(self, *, MultipartUpload: dict[str, Any], **_: Any) -> None:
            assert [p["PartNumber"] for p in MultipartUpload["Parts"]] == [1, 2, 3, 4]

    upload = MultipartUpload(SlowClient(), "bucket", "key", in_flight=2)
    upload.send(b"1")
    upload.send(b"2")  # both accepted at once: the caller goes on producing
    third = threading.Thread(target=upload.send, args=(b"3",))
    third.start()
    third.join(0.3)
    assert third.is_alive()  # a third part waits until one of the two is sent
    release.set()
    third.join(10)
    upload.send(b"4")
    upload.complete()
    assert most == 2
