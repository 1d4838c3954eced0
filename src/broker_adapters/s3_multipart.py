"""One S3 multipart upload whose parts are sent in the background while the caller produces the next.

Generating a file is two kinds of work: reading rows from the database, and
sending bytes to S3. Done one after the other, each waits for the other;
with the parts sent by a small thread pool they overlap, and the generation
runs at the speed of the slower of the two. Memory stays bounded: at most
``in_flight`` parts are queued or being sent, and :meth:`send` blocks until one
finishes before accepting another.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

#: Each part carries its CRC32 and S3 checks it on arrival; the object's checksum is the
#: composite of the parts' (no second pass over the whole object, by S3 or an S3-compatible
#: server, when the upload completes).
CHECKSUM_ALGORITHM = "CRC32"


class MultipartUpload:
    """Started lazily by the first :meth:`send`; ends with :meth:`complete` or :meth:`abort`."""

    def __init__(self, client: Any, bucket: str, key: str, *, in_flight: int = 2) -> None:
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        self._client = client
        self._bucket = bucket
        self._key = key
        self._in_flight = in_flight
        self._pool: ThreadPoolExecutor | None = None
        self._upload_id: str | None = None
        self._pending: list[Future[dict[str, Any]]] = []
        self._parts: list[dict[str, Any]] = []

    @property
    def started(self) -> bool:
        return self._upload_id is not None

    def send(self, body: bytes) -> None:
        """Queue the next part; waits while ``in_flight`` parts are unfinished. Raises a failed part's error."""
        if self._upload_id is None:
            created = self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ChecksumAlgorithm=CHECKSUM_ALGORITHM
            )
            self._upload_id = created["UploadId"]
            self._pool = ThreadPoolExecutor(self._in_flight, thread_name_prefix="s3-part")
        assert self._pool is not None
        while len(self._pending) >= self._in_flight:
            self._parts.append(self._pending.pop(0).result())
        number = len(self._parts) + len(self._pending) + 1
        self._pending.append(self._pool.submit(self._upload_part, number, body))

    def complete(self) -> None:
        """Wait for every part, then make the object appear."""
        while self._pending:
            self._parts.append(self._pending.pop(0).result())
        self._client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )
        self._shutdown()

    def abort(self) -> None:
        """Stop sending and discard every part; never raises (the caller's error matters more)."""
        for future in self._pending:
            future.cancel()
        self._shutdown()  # waits for parts already being sent
        self._pending.clear()
        if self._upload_id is not None:
            # If this fails too, FileStorage.discard_partial() removes the upload later.
            with contextlib.suppress(Exception):
                self._client.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
                )

    def _upload_part(self, number: int, body: bytes) -> dict[str, Any]:
        response = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
            ChecksumAlgorithm=CHECKSUM_ALGORITHM,
        )
        part = {"PartNumber": number, "ETag": response["ETag"]}
        part.update({k: v for k, v in response.items() if k.startswith("Checksum") and v})
        return part

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
