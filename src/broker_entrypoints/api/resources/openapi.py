"""``GET /v1/openapi.json``: the API's OpenAPI 3.1 description (``api/openapi.yaml``), as JSON."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import falcon
import yaml

#: The package resource holding the description (docs/openapi.yaml links to it).
DOCUMENT = "openapi.yaml"


def load_document() -> dict[str, Any]:
    """The description, parsed from the YAML shipped in the package."""
    text = resources.files("broker_entrypoints.api").joinpath(DOCUMENT).read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return document


class OpenApiDocument:
    """Public, like ``GET /``: converted to JSON once, when the app is made."""

    auth_required = False

    def __init__(self) -> None:
        self._body = json.dumps(load_document(), ensure_ascii=False).encode("utf-8")

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.content_type = falcon.MEDIA_JSON
        resp.data = self._body
