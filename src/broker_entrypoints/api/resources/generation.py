"""File generation: detached requests (status, fresh link) and a submission's D1, D2, E and F."""

from __future__ import annotations

from typing import TYPE_CHECKING

import falcon

from broker_entrypoints.api.media import read_body, request_params
from broker_entrypoints.api.middleware import current_user
from broker_entrypoints.api.serialization import status_json

if TYPE_CHECKING:  # the service module pulls in the whole generation engine
    from broker_core.services.generation import GenerationService
    from broker_core.services.submission_generation import SubmissionGenerationService


class GenerateDetachedFile:
    """``POST /v1/generate_detached_file/`` (JSON body)."""

    def __init__(self, generation: GenerationService) -> None:
        self._generation = generation

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        status = self._generation.request_detached(read_body(req), current_user(req).user_id)
        resp.media = status_json(status)


class CheckDetachedGenerationStatus:
    """``GET ?job_id=`` (current clients) or ``POST {"job_id": ...}`` (older ones)."""

    def __init__(self, generation: GenerationService) -> None:
        self._generation = generation

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = status_json(self._generation.detached_status(req.get_param("job_id")))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = read_body(req)
        job_id = body["job_id"] if "job_id" in body else req.get_param("job_id")
        resp.media = status_json(self._generation.detached_status(job_id))


class GetDetachedFileUrl:
    """``GET /v1/get_detached_file_url/?job_id=`` → ``{"url": ...}``."""

    def __init__(self, generation: GenerationService) -> None:
        self._generation = generation

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"url": self._generation.detached_file_url(req.get_param("job_id"))}


class GenerateFile:
    """``POST /v1/generate_file/``: generate the submission's D1, D2, E or F file."""

    def __init__(self, files: SubmissionGenerationService) -> None:
        self._files = files

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = status_json(self._files.generate_file(current_user(req), request_params(req)))


class CheckGenerationStatus:
    """``GET ?submission_id=&file_type=`` (current clients) or ``POST`` with a body (older ones)."""

    def __init__(self, files: SubmissionGenerationService) -> None:
        self._files = files

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = status_json(self._files.generation_status(current_user(req), request_params(req)))

    on_post = on_get
