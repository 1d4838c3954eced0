"""Local-mode :class:`~broker_core.ports.FileStorage`: objects are files under one root directory.

Keys are relative POSIX paths (``generated/12/File-D1_..._1700000000.csv``). Every
key is validated before it touches the file system, and the resolved path must
stay inside the root even when symlinks are involved.

Writes stream to a hidden temporary file next to the target
(``.<name>.<uuid>.partial``), are fsynced and then renamed into place with
:func:`os.replace`, so a reader sees either the previous object or the complete
new one, never a partial file. A writer killed before it could clean up leaves
its temporary file behind; :meth:`LocalFileStorage.discard_partial` removes those.

Downloads go through the API (``GET /v1/files/{key}``) with links signed by
:meth:`LocalFileStorage.url` and checked by :meth:`LocalFileStorage.verify`:
an HMAC-SHA256 over the key, the expiry time and the download filename.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import time
import urllib.parse
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK_SIZE = 64 * 1024

_EXPIRES = re.compile(r"[0-9]{1,15}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
#: The temporary file of a write in progress (or of a writer that died): ``.<name>.<uuid>.partial``.
_PARTIAL = re.compile(r"\.(?P<name>.+)\.(?P<uuid>[0-9a-f]{32})\.partial", re.DOTALL)


class LocalFileStorage:
    def __init__(self, root: Path, *, public_base_url: str, secret_key: bytes) -> None:
        if not secret_key:
            raise ValueError("secret_key must not be empty")
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._real_root = os.path.realpath(self.root)
        self.public_base_url = public_base_url.rstrip("/")
        self._secret_key = bytes(secret_key)

    # ------------------------------------------------------------------ keys and paths

    @staticmethod
    def validate_key(key: str) -> str:
        """Return ``key`` if it is a safe relative POSIX path, else raise :class:`ValueError`."""
        if not isinstance(key, str) or not key:
            raise ValueError("storage key must be a non-empty string")
        if "\x00" in key or "\\" in key:
            raise ValueError(f"storage key contains a forbidden character: {key!r}")
        if key.startswith("/"):
            raise ValueError(f"storage key must be relative: {key!r}")
        for segment in key.split("/"):
            if segment in ("", ".", ".."):
                raise ValueError(f"storage key has an empty, '.' or '..' segment: {key!r}")
        return key

    @classmethod
    def validate_key_prefix(cls, prefix: str) -> str:
        """Return ``prefix`` if keys may start with it (empty, a safe key, or one plus ``/``), else raise."""
        if not isinstance(prefix, str):
            raise ValueError("storage key prefix must be a string")
        if prefix:
            cls.validate_key(prefix.removesuffix("/"))
        return prefix

    def path_for(self, key: str) -> Path:
        """The file that holds (or would hold) ``key``; raises :class:`ValueError` for unsafe keys."""
        self.validate_key(key)
        path = self.root.joinpath(*key.split("/"))
        real = os.path.realpath(path)
        if os.path.commonpath([self._real_root, real]) != self._real_root or real == self._real_root:
            raise ValueError(f"storage key resolves outside the storage root: {key!r}")
        return path

    # ------------------------------------------------------------------ FileStorage

    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # The directory may have been created through a symlink race; check again.
        self.path_for(key)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        size = 0
        try:
            with temp.open("xb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            raise
        _fsync_directory(path.parent)
        return size

    def read(self, key: str) -> Iterator[bytes]:
        """Chunks of the stored object. Raises :class:`FileNotFoundError` at once if it is missing."""
        stream = self.path_for(key).open("rb")
        return _chunks(stream)

    def size(self, key: str) -> int:
        return self.path_for(key).stat().st_size

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def url(self, key: str, *, filename: str, expires_in: int) -> str:
        self.validate_key(key)
        expires = str(int(time.time()) + int(expires_in))
        query = urllib.parse.urlencode(
            {"expires": expires, "filename": filename, "signature": self._sign(key, expires, filename)},
            quote_via=urllib.parse.quote,
        )
        return f"{self.public_base_url}/v1/files/{urllib.parse.quote(key, safe='/')}?{query}"

    def discard_partial(self, prefix: str) -> int:
        """Delete the temporary files of writes under ``prefix`` whose writer died; return how many.

        A write in progress under ``prefix`` would lose its temporary file too (and
        then fail), so call it when no writer is active there. Stored objects are untouched.
        """
        self.validate_key_prefix(prefix)
        directory, _, _ = prefix.rpartition("/")
        start = self.path_for(directory) if directory else self.root
        if not start.is_dir() or start.is_symlink():
            return 0
        removed = 0
        for dirpath, _dirnames, filenames in os.walk(start):
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for filename in filenames:
                match = _PARTIAL.fullmatch(filename)
                if match is None:
                    continue
                key = match["name"] if relative == "." else f"{relative}/{match['name']}"
                if not key.startswith(prefix):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(dirpath, filename))
                    removed += 1
        return removed

    def list(self, prefix: str) -> Iterator[str]:
        """Keys of the stored files starting with ``prefix`` (temporary files of writes are not listed).

        Only files :meth:`read` would serve are listed: symlinks out of the root, keys that are
        not valid and hidden temporary files are left out.
        """
        self.validate_key_prefix(prefix)
        directory, _, _ = prefix.rpartition("/")
        try:
            start = self.path_for(directory) if directory else self.root
        except ValueError:
            return iter(())
        if not start.is_dir() or start.is_symlink():
            return iter(())
        return self._walk(start, prefix)

    def _walk(self, start: Path, prefix: str) -> Iterator[str]:
        for dirpath, _dirnames, filenames in os.walk(start):  # does not descend into symlinks
            relative = Path(dirpath).relative_to(self.root).as_posix()
            for filename in filenames:
                if _PARTIAL.fullmatch(filename):
                    continue
                key = filename if relative == "." else f"{relative}/{filename}"
                if not key.startswith(prefix):
                    continue
                try:
                    if not self.path_for(key).is_file():
                        continue
                except ValueError:
                    continue
                yield key

    # ------------------------------------------------------------------ signed links

    def verify(self, key: str, expires: str, filename: str, signature: str, now: float | None = None) -> bool:
        """Whether a download link's parameters (as received) are authentic and not yet expired."""
        try:
            self.validate_key(key)
            if not _EXPIRES.fullmatch(expires) or not _SIGNATURE.fullmatch(signature):
                return False
            expected = self._sign(key, expires, filename)
        except (ValueError, TypeError):  # includes UnicodeError
            return False
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
            return False
        return (time.time() if now is None else now) < int(expires)

    def _sign(self, key: str, expires: str, filename: str) -> str:
        # The key holds no NUL and ``expires`` is digits, so this encoding is unambiguous.
        message = f"{key}\x00{expires}\x00{filename}".encode()
        return hmac.new(self._secret_key, message, hashlib.sha256).hexdigest()


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK_SIZE):
            yield chunk


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
