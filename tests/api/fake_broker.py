"""A stand-in for the composition root's ``Broker`` in in-process API tests.

Every service is optional: ``create_app`` leaves out the routes of a service that is None, so a
test wires only what it exercises.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs


@attrs.define
class FakeBroker:
    auth: Any
    generation: Any = None
    download_verifier: Any = None
    cors_origins: Sequence[str] = ("*",)
    identity_provider: Any = None
    cas_parent_group: str = ""
    submission_views: Any = None
    submission_files: Any = None
    submission_uploads: Any = None
    submissions: Any = None
