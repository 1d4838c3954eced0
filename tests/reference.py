"""Where the shared reference data lives.

The tests read the real reference files in place (they are never copied into the project).
They sit in a ``shared/reference`` directory beside the checkout; a clone made elsewhere can
point at them with ``BROKER_REFERENCE_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_reference_dir() -> Path:
    override = os.environ.get("BROKER_REFERENCE_DIR")
    if override:
        return Path(override)
    repo = Path(__file__).resolve().parents[1]
    for ancestor in repo.parents:
        candidate = ancestor / "shared" / "reference"
        if candidate.is_dir():
            return candidate
    return Path("/work/shared/reference")


REFERENCE_DIR = _find_reference_dir()
BROKER_CONFIG = REFERENCE_DIR / "broker-config"
