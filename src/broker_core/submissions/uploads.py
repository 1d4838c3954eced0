"""Where the files a client uploads for a submission are kept, and the rules for their names.

Two ways in (spec §2.3). With S3 storage the client puts each file straight into the bucket, at
the key submit_files answers with (``<submission id>/<epoch>_<name>``), using short-lived
credentials that reach only that submission's keys. In local mode the client first posts each
file to ``/v1/local_upload/``, which stores it under ``uploads/<user id>/`` and answers with its
key; submit_files then takes those keys back. Either way a name from a request never becomes a
path: it is reduced to one safe file name, and a key handed back must be one local_upload made
for the same user (the original took any path in local mode).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator

import attrs

from broker_core.errors import PayloadTooLarge, RequestInvalid

LOCAL_ONLY = "Route Only Valid For Local Installs"
NO_FILE = "Failure to read file"
FILE_FIELD = "file"
FILE_MISSING = "file: Missing data for required field."

#: Storage key prefix of the files posted to ``/v1/local_upload/``.
UPLOAD_PREFIX = "uploads/"
#: Longest file name kept (extension included); longer names are shortened before the extension.
MAX_NAME_LENGTH = 150

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
#: ``<epoch>_<token>_`` in front of a local upload's name.
_LOCAL_STAMP = re.compile(r"[0-9]+_[0-9a-f]{8}_")
_LOCAL_KEY = re.compile(r"uploads/(?P<user>[0-9]+)/(?P<stamp>[0-9]+_[0-9a-f]{8}_)(?P<name>[A-Za-z0-9._-]+)")


@attrs.frozen
class TemporaryCredentials:
    """What an S3 client needs to upload (``credentials`` of submit_files, AWS's own key names)."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    #: ISO 8601 UTC (``2016-01-22T15:25:23Z``), or "local".
    expiration: str


#: The credentials of local mode, where nothing is uploaded to S3 (all four "local").
LOCAL_CREDENTIALS = TemporaryCredentials("local", "local", "local", "local")


def epoch_seconds(now: dt.datetime) -> int:
    """Seconds since 1970 of a naive UTC time (``datetime.timestamp`` would read it as local time)."""
    return calendar.timegm(now.timetuple())


def base_name(name: str) -> str:
    """The last component of a client's file name (browsers and scripts may send a path)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


def safe_file_name(name: str) -> str:
    """``name`` as one portable file name: ASCII letters, digits, ``.``, ``-`` and ``_`` only.

    Directories are dropped, accents decomposed, anything else becomes ``_``; a leading dot
    becomes ``_`` (no hidden files) and long names are shortened before their extension.
    Raises :class:`RequestInvalid` (``Failure to read file``) when nothing is left.
    """
    plain = unicodedata.normalize("NFKD", base_name(name)).encode("ascii", "ignore").decode("ascii")
    safe = _UNSAFE.sub("_", plain)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    if not safe.strip("._-"):
        raise RequestInvalid(NO_FILE)
    if len(safe) > MAX_NAME_LENGTH:
        stem, dot, extension = safe.rpartition(".")
        if dot and 0 < len(extension) < 16:
            safe = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
        else:
            safe = safe[:MAX_NAME_LENGTH]
    return safe


def local_upload_key(user_id: int, name: str, epoch: int, token: str) -> str:
    """``uploads/<user id>/<epoch>_<token>_<safe name>``: the token keeps two uploads of one
    name in one second apart (the original's ``<epoch>_<name>`` let the second overwrite the first)."""
    if not re.fullmatch(r"[0-9a-f]{8}", token):
        raise ValueError(f"upload token must be 8 hex digits, not {token!r}")
    return f"{UPLOAD_PREFIX}{user_id}/{epoch}_{token}_{safe_file_name(name)}"


def local_key_of(value: object, user_id: int | None, field: str) -> tuple[str, str]:
    """(storage key, name shown to users) of a file value of submit_files in local mode.

    The value must be a key ``/v1/local_upload/`` answered the same user with; anything else
    (a path, another user's upload, ``..``) is refused, so a submission can only ever read
    files its user uploaded.
    """
    match = _LOCAL_KEY.fullmatch(value) if isinstance(value, str) else None
    if match is None or user_id is None or int(match["user"]) != user_id:
        raise RequestInvalid(f"{field}: Not a file uploaded through /v1/local_upload/")
    return match.group(0), match["name"]


def s3_upload_key(submission_id: int, epoch: int, name: str) -> str:
    """``<submission id>/<epoch>_<safe name>``, the key an S3 client uploads a file to."""
    return f"{submission_id}/{epoch}_{safe_file_name(name)}"


def shown_name(key: str) -> str:
    """The name a stored upload is shown under: its key's last part without the upload stamp."""
    name = key.rsplit("/", 1)[-1]
    stamp = _LOCAL_STAMP.match(name)
    return name[stamp.end() :] if stamp else name


def limited(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """The chunks, raising :class:`PayloadTooLarge` as soon as more than ``limit`` bytes came."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise PayloadTooLarge(f"The file is larger than the limit of {_size_text(limit)}")
        yield chunk


def _size_text(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"
