"""A DABS submission end to end over HTTP in local mode: upload, validate, generate, report, certify.

The same flow runs against the production configuration in ``tests/e2e/test_production_submission.py``
(S3 uploads with temporary credentials, RQ workers, PostgreSQL); the steps live in
:mod:`tests.submission_flow` so both run exactly the same checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import Api, logged_in_user
from tests.submission_flow import (
    LocalUploads,
    check_invalid_files_are_reported,
    run_whole_submission,
)


@pytest.fixture(scope="module")
def submitter(server: str, server_data_dir: Path) -> Api:
    return logged_in_user(
        server, server_data_dir, "submitter@example.com", "Sam Submitter", "--affiliation", "020:submitter"
    )


def test_a_submission_goes_from_upload_to_certified(api: Api, submitter: Api) -> None:
    run_whole_submission(api, submitter, LocalUploads(api))


def test_invalid_files_show_header_and_row_errors_in_check_status(api: Api) -> None:
    check_invalid_files_are_reported(api, LocalUploads(api))
