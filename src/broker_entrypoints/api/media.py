"""Request bodies: JSON or form-urlencoded, parsed once per request into a plain dict."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import falcon

#: Bodies larger than this are refused with 413.
MAX_BODY_BYTES = 10 * 1024 * 1024
#: A form with more fields than this is not one any client of the broker sends.
_MAX_FORM_FIELDS = 1000

_JSON_TYPES = frozenset({"application/json"})
_FORM_TYPE = "application/x-www-form-urlencoded"

NOT_JSON = "Request body is not valid JSON"
NOT_OBJECT = "Request body must be a JSON object"
NOT_UTF8 = "Request body is not valid UTF-8"
NOT_FORM = "Request body is not a valid form"


def body_too_large() -> falcon.HTTPError:
    return falcon.HTTPContentTooLarge(
        description=f"Request body is larger than the limit of {MAX_BODY_BYTES // (1024 * 1024)} MB"
    )


def read_body(req: falcon.Request) -> dict[str, object]:
    """The request body as a dict (empty when there is none); cached on ``req.context``."""
    cached = req.context.get("body")
    if cached is not None:
        return dict(cached)
    body = _parse(req)
    req.context.body = body
    return dict(body)


def _parse(req: falcon.Request) -> dict[str, object]:
    length = req.content_length
    if length is not None and length > MAX_BODY_BYTES:
        raise body_too_large()
    raw = req.bounded_stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise body_too_large()
    if not raw.strip():
        return {}
    media_type = (req.content_type or "").split(";", 1)[0].strip().lower()
    if media_type == _FORM_TYPE:
        return _parse_form(raw)
    if not media_type or media_type in _JSON_TYPES or media_type.endswith("+json"):
        return _parse_json(raw)
    raise falcon.HTTPUnsupportedMediaType(
        description="Request body must be JSON (application/json) or a form "
        "(application/x-www-form-urlencoded)"
    )


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise falcon.HTTPBadRequest(description=NOT_UTF8) from None


def _parse_json(raw: bytes) -> dict[str, object]:
    text = _decode(raw)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, huge integers, absurd nesting
        raise falcon.HTTPBadRequest(description=NOT_JSON) from None
    if not isinstance(value, dict):
        raise falcon.HTTPBadRequest(description=NOT_OBJECT)
    if not _encodable(value):
        # "\ud800" escapes decode to lone surrogates, which nothing downstream can store or print.
        raise falcon.HTTPBadRequest(description=NOT_UTF8)
    return value


def _parse_form(raw: bytes) -> dict[str, object]:
    text = _decode(raw)
    try:
        pairs = urllib.parse.parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=_MAX_FORM_FIELDS
        )
    except UnicodeDecodeError:
        raise falcon.HTTPBadRequest(description=NOT_UTF8) from None
    except ValueError:
        raise falcon.HTTPBadRequest(description=NOT_FORM) from None
    form: dict[str, object] = {}
    for key, value in pairs:
        form.setdefault(key, value)  # the first of repeated fields wins
    return form


def _encodable(value: Any) -> bool:
    """Whether every string in a parsed JSON document (keys included) can be encoded as UTF-8."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            strings: list[Any] = [item]
        elif isinstance(item, dict):
            strings = list(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
            continue
        else:
            continue
        for text in strings:
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def request_params(req: falcon.Request) -> dict[str, object]:
    """Body values overridden by query values, as the original's argument parser looked them up."""
    return {**read_body(req), **req.params}
