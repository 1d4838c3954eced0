"""A DABS submission end to end in the production configuration: two gunicorn API processes, an RQ
worker, PostgreSQL, Redis and S3 (moto). Files go to S3 with the temporary credentials that
submit_files hands out, as the web client uploads them; the steps are those of the local-mode test.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import PASSWORD, Api
from tests.submission_flow import S3Uploads, check_invalid_files_are_reported, run_whole_submission

from .conftest import Production


@pytest.fixture(scope="module")
def submitter(production: Production) -> Api:
    production.cli("users", "add", "submitter@example.com", "--name", "Sam Submitter", "--password-stdin",
                   "--affiliation", "020:submitter", stdin=PASSWORD + "\n")  # fmt: skip
    client = Api(production.api_bases[1])  # the other API process
    client.login("submitter@example.com")
    return client


def test_a_submission_goes_from_s3_upload_to_certified(production: Production, submitter: Api) -> None:
    run_whole_submission(production.api(0), submitter, S3Uploads(production.s3_endpoint))


def test_invalid_files_are_reported_in_production_too(production: Production) -> None:
    check_invalid_files_are_reported(production.api(1), S3Uploads(production.s3_endpoint))
