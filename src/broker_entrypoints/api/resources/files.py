"""``GET /v1/files/{key}``: downloads through signed, expiring links (local storage only)."""

from __future__ import annotations

import os
import posixpath
from typing import BinaryIO

import falcon

from broker_adapters.content_disposition import content_disposition
from broker_core.errors import NotFound, PermissionDenied
from broker_entrypoints.api.services import DownloadVerifier

INVALID_LINK = "This download link is invalid or has expired."
FILE_GONE = "The requested file does not exist."

_CONTENT_TYPES = {".csv": "text/csv", ".txt": "text/plain"}


class FileDownload:
    """Anyone holding a valid link may download: the signature is the credential, not the session."""

    auth_required = False

    def __init__(self, verifier: DownloadVerifier) -> None:
        self._verifier = verifier

    def on_get(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
        filename = self._check_link(req, key)
        stream = self._open(key)
        size = os.fstat(stream.fileno()).st_size
        self._describe(resp, filename, size)
        resp.set_stream(stream, size)

    def on_head(self, req: falcon.Request, resp: falcon.Response, key: str) -> None:
        filename = self._check_link(req, key)
        with self._open(key) as stream:
            size = os.fstat(stream.fileno()).st_size
        self._describe(resp, filename, size)
        resp.content_length = size

    def _check_link(self, req: falcon.Request, key: str) -> str:
        expires = req.get_param("expires")
        filename = req.get_param("filename")
        signature = req.get_param("signature")
        if not key or expires is None or filename is None or signature is None:
            raise PermissionDenied(INVALID_LINK)
        try:
            valid = self._verifier.verify(key, expires, filename, signature)
        except (ValueError, TypeError, UnicodeError):
            valid = False
        if not valid:
            raise PermissionDenied(INVALID_LINK)
        return filename

    def _open(self, key: str) -> BinaryIO:
        try:
            path = self._verifier.path_for(key)
            stream = path.open("rb")
        except (ValueError, OSError):  # missing, a folder, a symlink loop, unreadable: nothing to serve
            raise NotFound(FILE_GONE) from None
        return stream

    @staticmethod
    def _describe(resp: falcon.Response, filename: str, size: int) -> None:
        suffix = posixpath.splitext(filename)[1].lower()
        resp.content_type = _CONTENT_TYPES.get(suffix, "application/octet-stream")
        resp.set_header("Content-Disposition", content_disposition(filename))
