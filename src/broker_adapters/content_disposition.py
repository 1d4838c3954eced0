"""The ``Content-Disposition`` header of a download, shared by the local file route and S3 presigned URLs.

Both must name the file the same way, so a download looks the same whichever
storage served it.
"""

from __future__ import annotations

import posixpath
import re
import urllib.parse

_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9._ ()-]")


def content_disposition(filename: str) -> str:
    """``attachment; filename="..."`` with a plain-ASCII fallback, plus RFC 6266 ``filename*`` if needed.

    Only the last path segment of ``filename`` is used, as browsers do.
    """
    name = posixpath.basename(filename.replace("\\", "/")) or "download"
    fallback = _UNSAFE_FILENAME_CHARS.sub("_", name)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += "; filename*=UTF-8''" + urllib.parse.quote(name, safe="", errors="replace")
    return header
