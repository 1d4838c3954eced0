"""The JSON shapes of the API's answers, derived from the core's value objects by cattrs."""

from __future__ import annotations

from typing import Any

import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from broker_core.generation.model import GenerationStatus
from broker_core.services.auth import UserView
from broker_core.submissions.uploads import TemporaryCredentials


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter()
    # start/end exist only for D1/D2 statuses: None means "leave the key out" (spec §1.5).
    converter.register_unstructure_hook(
        GenerationStatus,
        make_dict_unstructure_fn(
            GenerationStatus,
            converter,
            start=override(omit_if_default=True),
            end=override(omit_if_default=True),
        ),
    )
    # AWS's own names, as the original passed STS's answer on.
    converter.register_unstructure_hook(
        TemporaryCredentials,
        make_dict_unstructure_fn(
            TemporaryCredentials,
            converter,
            access_key_id=override(rename="AccessKeyId"),
            secret_access_key=override(rename="SecretAccessKey"),
            session_token=override(rename="SessionToken"),
            expiration=override(rename="Expiration"),
        ),
    )
    return converter


#: The API's one converter: every answer is unstructured through it.
converter = _make_converter()


def status_json(status: GenerationStatus) -> dict[str, Any]:
    """``job_id, status, file_type, url, size, [start, end,] message, generated_at``."""
    result: dict[str, Any] = converter.unstructure(status, GenerationStatus)
    return result


def user_json(user: UserView) -> dict[str, Any]:
    """``user_id, name, title, skip_guide, website_admin, affiliations[{agency_name, permission}]``."""
    result: dict[str, Any] = converter.unstructure(user, UserView)
    return result
