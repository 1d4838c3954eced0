"""Local mode's file routes: ``POST /v1/local_upload/`` and ``GET <storage folder>/<key>``.

``local_upload`` streams the multipart part ``file`` into storage (never holding the file in
memory) and answers with the key to give submit_files. ``GET <storage folder>/<key>`` is the
README's ``GET /<filename>``: the URL path is the storage folder's absolute path plus a key in
it. It serves only files inside the storage folder (``..``, absolute and hidden names, and
symlinks that lead outside are 404) and needs a login: the folder holds every agency's files.
With S3 storage neither route serves files (local_upload answers 400, the other is absent).
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Iterator
from typing import BinaryIO

import falcon

from broker_adapters.content_disposition import content_disposition
from broker_core.errors import NotFound, RequestInvalid
from broker_core.services.auth import AuthService
from broker_core.services.submission_uploads import SubmissionUploadService
from broker_core.submissions.uploads import FILE_FIELD, FILE_MISSING
from broker_entrypoints.api.middleware import current_user, session_id
from broker_entrypoints.api.resources.submissions import converter
from broker_entrypoints.api.services import DownloadVerifier

log = logging.getLogger(__name__)

NOT_MULTIPART = "Request must be a multipart/form-data type"
FILE_GONE = "The requested file does not exist."
#: What a multipart body carries besides the file itself (boundaries, part headers, other fields).
_MULTIPART_SLACK = 1024 * 1024
_CHUNK_SIZE = 64 * 1024
_CONTENT_TYPES = {".csv": "text/csv", ".txt": "text/plain"}


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK_SIZE):
        yield chunk


class LocalUpload:
    """``POST /v1/local_upload/``: multipart form with the file in the field ``file`` → ``{"path": key}``."""

    def __init__(self, service: SubmissionUploadService) -> None:
        self._service = service
        #: Read by the RequestLimits middleware: uploads may be far larger than JSON bodies.
        self.max_body_bytes = service.max_upload_bytes + _MULTIPART_SLACK

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = current_user(req)
        self._service.require_local_mode()
        media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
        if media_type != falcon.MEDIA_MULTIPART:
            raise RequestInvalid(NOT_MULTIPART)
        for part in req.get_media():
            if part.name != FILE_FIELD:
                continue  # the form's other fields are skipped unread
            result = self._service.local_upload(user, part.filename or None, _chunks(part.stream))
            resp.media = converter.unstructure(result)
            return
        raise RequestInvalid(FILE_MISSING)


class LocalFile:
    """``GET <storage folder>/<key>`` (a Falcon sink: the folder's path may hold any character)."""

    def __init__(self, verifier: DownloadVerifier, auth: AuthService) -> None:
        self._verifier = verifier
        self._auth = auth
        root = os.path.abspath(verifier.root).rstrip("/")
        self.prefix = re.compile(re.escape(root) + r"(?:/(?P<key>.*))?\Z", re.DOTALL)

    def __call__(self, req: falcon.Request, resp: falcon.Response, **groups: str | None) -> None:
        key = groups.get("key")
        if req.method not in ("GET", "HEAD"):
            raise falcon.HTTPMethodNotAllowed(["GET", "HEAD"])
        # A sink skips the session middleware: check the login here, before anything else.
        req.context.user = self._auth.authenticate(session_id(req))
        stream = self._open(key or "")
        size = os.fstat(stream.fileno()).st_size
        name = posixpath.basename(key or "")
        resp.content_type = _CONTENT_TYPES.get(
            posixpath.splitext(name)[1].lower(), "application/octet-stream"
        )
        resp.set_header("Content-Disposition", content_disposition(name))
        if req.method == "HEAD":
            stream.close()
            resp.content_length = size
            return
        resp.set_stream(stream, size)

    def _open(self, key: str) -> BinaryIO:
        # Hidden names are the temporary files of writes in progress (and nothing a user stored).
        if not key or any(segment.startswith(".") for segment in key.split("/")):
            raise NotFound(FILE_GONE)
        try:
            path = self._verifier.path_for(key)  # refuses "..", absolute keys and symlinks leaving the root
            return path.open("rb")
        except (ValueError, OSError):
            raise NotFound(FILE_GONE) from None


def add_upload_routes(
    app: falcon.App, service: SubmissionUploadService, auth: AuthService, verifier: DownloadVerifier | None
) -> list[tuple[str, object]]:
    """Add the local file sink to ``app`` (local storage only); return the routes to add."""
    if verifier is not None and service.local_mode:
        sink = LocalFile(verifier, auth)
        app.add_sink(sink, sink.prefix)
    return [("/v1/local_upload", LocalUpload(service))]
