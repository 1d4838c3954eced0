"""S3 :class:`~broker_core.ports.FileStorage`: objects in one bucket, under an optional key prefix.

Keys are the same relative POSIX keys as in local mode (validated by
:meth:`LocalFileStorage.validate_key`) and are stored as ``<prefix>/<key>``.

Writes stream: chunks are buffered only up to ``part_size`` bytes, each full part
is sent with ``upload_part`` (in the background, ``parts_in_flight`` at a time, see
:mod:`broker_adapters.s3_multipart`) and the object appears when
``complete_multipart_upload`` succeeds, so readers see the previous object or
the complete new one. A failed write aborts its multipart upload. A stream
shorter than one part is sent with a single ``put_object``. A writer killed
before it could abort leaves an incomplete upload (invisible, but billed);
:meth:`S3FileStorage.discard_partial` removes those.

Downloads are presigned ``GET`` URLs served by S3 itself, carrying a
``Content-Disposition: attachment`` header with the download filename.
"""

from __future__ import annotations

import contextlib
import re
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from broker_adapters.content_disposition import content_disposition
from broker_adapters.local_storage import CHUNK_SIZE, LocalFileStorage
from broker_adapters.s3_multipart import MultipartUpload

MiB = 1024 * 1024
#: S3's smallest part (every part but the last must be at least this big).
MIN_PART_SIZE = 5 * MiB
#: S3's largest part.
MAX_PART_SIZE = 5 * 1024 * MiB

_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


def _client_config(endpoint_url: str | None) -> Config:
    return Config(
        signature_version="s3v4",
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        # S3-compatible servers (MinIO, moto, ...) are usually not reachable as <bucket>.<host>.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )


#: How long a signed download URL is handed out again instead of signing a new one.
_REUSE_SIGNED_URL_SECONDS = 1.0


class S3FileStorage:
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        part_size: int = 5 * MiB,
        parts_in_flight: int = 2,
        client: Any | None = None,
    ) -> None:
        if not isinstance(bucket, str) or not _BUCKET_NAME.fullmatch(bucket):
            raise ValueError(f"not a valid S3 bucket name: {bucket!r}")
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise ValueError(f"part_size must be between 5 MiB and 5 GiB, not {part_size}")
        prefix = prefix.strip("/")
        if prefix:
            try:
                LocalFileStorage.validate_key(prefix)
            except ValueError:
                raise ValueError(f"not a valid S3 key prefix: {prefix!r}") from None
        self.bucket = bucket
        self.prefix = prefix
        self.part_size = part_size
        self.parts_in_flight = parts_in_flight
        #: Signed URLs handed out in the last second, by (object, filename, lifetime).
        self._signed: dict[tuple[str, str, int], tuple[float, str]] = {}
        self._client: Any = (
            client
            if client is not None
            else boto3.client("s3", endpoint_url=endpoint_url, config=_client_config(endpoint_url))
        )

    @classmethod
    def from_url(cls, url: str, *, endpoint_url: str | None = None) -> S3FileStorage:
        """Storage for ``s3://bucket`` or ``s3://bucket/some/prefix`` (the ``BROKER_STORAGE_URL`` form)."""
        problem = f"BROKER_STORAGE_URL={url!r} is not a valid S3 location (use s3://bucket/prefix)"
        try:
            parts = urllib.parse.urlsplit(url)
            port = parts.port
        except ValueError:
            raise ValueError(problem) from None
        if (
            parts.scheme != "s3"
            or not parts.hostname
            or parts.netloc != parts.hostname
            or port is not None
            or parts.query
            or parts.fragment
            or "?" in url
            or "#" in url
        ):
            raise ValueError(problem)
        try:
            return cls(parts.netloc, parts.path, endpoint_url=endpoint_url)
        except ValueError as error:
            raise ValueError(f"{problem}: {error}") from None

    # ------------------------------------------------------------------ keys

    def object_key(self, key: str) -> str:
        """The S3 object key that holds ``key``; raises :class:`ValueError` for unsafe keys."""
        LocalFileStorage.validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    # ------------------------------------------------------------------ FileStorage

    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        name = self.object_key(key)
        part_size = self.part_size
        buffer = bytearray()
        size = 0
        upload = MultipartUpload(self._client, self.bucket, name, in_flight=self.parts_in_flight)
        try:
            for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= part_size:
                    with memoryview(buffer) as view:
                        body = bytes(view[:part_size])
                    del buffer[:part_size]
                    upload.send(body)
                    del body
            if not upload.started:
                self._client.put_object(Bucket=self.bucket, Key=name, Body=bytes(buffer))
            else:
                if buffer:
                    upload.send(bytes(buffer))
                buffer.clear()
                upload.complete()
        except BaseException:
            upload.abort()
            raise
        return size

    def read(self, key: str) -> Iterator[bytes]:
        """Chunks of the stored object. Raises :class:`FileNotFoundError` at once if it is missing."""
        name = self.object_key(key)
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_missing(error):
                raise FileNotFoundError(f"no stored object {key!r}") from None
            raise
        return _chunks(response["Body"])

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(f"no stored object {key!r}")
        return int(head["ContentLength"])

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self.object_key(key))

    def url(self, key: str, *, filename: str, expires_in: int) -> str:
        """A presigned GET URL, valid for ``expires_in`` seconds (S3 allows at most 7 days)."""
        name = self.object_key(key)
        # Signing costs more CPU than the rest of a status check: a URL signed less than
        # a second ago is handed out again (it is valid for ``expires_in`` less that second).
        now = time.monotonic()
        remembered = self._signed.get((name, filename, int(expires_in)))
        if remembered is not None and now - remembered[0] < _REUSE_SIGNED_URL_SECONDS:
            return remembered[1]
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": name,
                "ResponseContentDisposition": content_disposition(filename),
            },
            ExpiresIn=int(expires_in),
        )
        if len(self._signed) >= 1000:
            self._signed.clear()
        self._signed[(name, filename, int(expires_in))] = (now, url)
        return url

    def discard_partial(self, prefix: str) -> int:
        """Abort every incomplete multipart upload whose key starts with ``prefix``; return how many.

        Only for uploads of writers that died: an upload still in progress would be
        aborted too (its ``write`` then fails), so call it when no writer is active
        under ``prefix``. Completed objects are untouched.
        """
        LocalFileStorage.validate_key_prefix(prefix)
        full = f"{self.prefix}/{prefix}" if self.prefix else prefix
        aborted = 0
        paginator = self._client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
            for upload in page.get("Uploads", []):
                try:
                    self._client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                except ClientError as error:
                    if _error_code(error) == "NoSuchUpload":  # completed or aborted meanwhile
                        continue
                    raise
                aborted += 1
        return aborted

    def list(self, prefix: str) -> Iterator[str]:
        """Keys of the objects starting with ``prefix`` (``list_objects_v2``, page by page).

        Folder markers (names ending in ``/``) and names that are not valid keys are left out;
        incomplete multipart uploads are not objects and never show up.
        """
        LocalFileStorage.validate_key_prefix(prefix)
        return self._list(f"{self.prefix}/{prefix}" if self.prefix else prefix)

    def _list(self, full_prefix: str) -> Iterator[str]:
        skip = len(self.prefix) + 1 if self.prefix else 0
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
            for item in page.get("Contents", []):
                key = item["Key"][skip:]
                try:
                    LocalFileStorage.validate_key(key)
                except ValueError:
                    continue
                yield key

    # ------------------------------------------------------------------ helpers

    def _head(self, key: str) -> dict[str, Any] | None:
        name = self.object_key(key)
        try:
            head: dict[str, Any] = self._client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_missing(error):
                return None
            raise
        return head


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _is_missing(error: ClientError) -> bool:
    return _error_code(error) in _MISSING_CODES


def _chunks(body: Any) -> Iterator[bytes]:
    with contextlib.closing(body):
        for chunk in body.iter_chunks(CHUNK_SIZE):
            if chunk:
                yield chunk
