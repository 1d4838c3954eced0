"""Submission routes that change things: submit_files, finalize_job, restart, certify, delete,
narratives, and the help page's protected files.

Request values are looked up in the query string, then the body (JSON or form), as the
original's webargs did. Answers are the services' values, unstructured by cattrs.
"""

from __future__ import annotations

from typing import Any

import falcon

from broker_core.services.submission_results import SubmitFilesResult
from broker_core.services.submission_uploads import SubmissionUploadService
from broker_core.services.submissions import SubmissionService
from broker_core.submissions.uploads import TemporaryCredentials
from broker_entrypoints.api.media import read_body, request_params
from broker_entrypoints.api.middleware import current_user
from broker_entrypoints.api.serialization import converter


def submit_files_json(result: SubmitFilesResult) -> dict[str, Any]:
    """``submission_id``, ``bucket_name``, ``<file_type>_key`` and ``<file_type>_id`` per file, ``credentials``."""
    answer: dict[str, Any] = {"submission_id": result.submission_id, "bucket_name": result.bucket_name}
    for slot in result.files:
        answer[f"{slot.file_type}_key"] = slot.key
        answer[f"{slot.file_type}_id"] = slot.job_id
    answer["credentials"] = converter.unstructure(result.credentials, TemporaryCredentials)
    return answer


class SubmitFiles:
    """``POST /v1/submit_files/``: a new submission (or a correction) and where to upload its files."""

    def __init__(self, service: SubmissionUploadService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = submit_files_json(self._service.submit_files(current_user(req), request_params(req)))


class FinalizeJob:
    """``POST /v1/finalize_job/`` with ``upload_id``: the file of that upload job is in place."""

    def __init__(self, service: SubmissionUploadService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = converter.unstructure(self._service.finalize_job(current_user(req), request_params(req)))


class RestartValidation:
    """``POST /v1/restart_validation/`` with ``submission_id``."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = converter.unstructure(
            self._service.restart_validation(current_user(req), request_params(req))
        )


class DeleteSubmission:
    """``POST /v1/delete_submission/`` with ``submission_id``."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = converter.unstructure(
            self._service.delete_submission(current_user(req), request_params(req))
        )


class CertifySubmission:
    """``POST /v1/certify_submission/`` with ``submission_id``."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = converter.unstructure(
            self._service.certify_submission(current_user(req), request_params(req))
        )


class SubmitDetachedFile:
    """``POST /v1/submit_detached_file/`` with ``submission_id``: publish a FABS submission."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = converter.unstructure(self._service.publish_fabs(current_user(req), request_params(req)))


class Narrative:
    """``GET`` / ``POST /v1/submission/<id>/narrative``: the per-file notes of a submission."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response, submission_id: int) -> None:
        resp.media = self._service.narratives(current_user(req), submission_id)

    def on_post(self, req: falcon.Request, resp: falcon.Response, submission_id: int) -> None:
        resp.media = self._service.set_narratives(current_user(req), submission_id, read_body(req))


class ProtectedFiles:
    """``GET /v1/get_protected_files/``: download links of the help page's files."""

    def __init__(self, service: SubmissionService) -> None:
        self._service = service

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = converter.unstructure(self._service.protected_files(current_user(req)))


def submission_upload_routes(service: SubmissionUploadService) -> list[tuple[str, object]]:
    """(URI template, resource) of submit_files and finalize_job."""
    return [
        ("/v1/submit_files", SubmitFiles(service)),
        ("/v1/finalize_job", FinalizeJob(service)),
    ]


def submission_routes(service: SubmissionService) -> list[tuple[str, object]]:
    """(URI template, resource) of every other route above."""
    return [
        ("/v1/restart_validation", RestartValidation(service)),
        ("/v1/delete_submission", DeleteSubmission(service)),
        ("/v1/certify_submission", CertifySubmission(service)),
        ("/v1/submit_detached_file", SubmitDetachedFile(service)),
        # The same converter as the report_url route: Falcon wants one per path level.
        ("/v1/submission/{submission_id:int}/narrative", Narrative(service)),
        ("/v1/get_protected_files", ProtectedFiles(service)),
    ]
