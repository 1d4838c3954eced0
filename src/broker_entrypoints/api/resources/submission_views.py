"""Read-only submission routes: check_status, list_submissions, report links, obligations.

Request values are looked up in the query string, then the body (JSON or form), as the
original's webargs did; the GET forms of check_status and get_obligations read the query only.
"""

from __future__ import annotations

import falcon

from broker_core.services.submission_views import SubmissionViews
from broker_entrypoints.api.media import request_params
from broker_entrypoints.api.middleware import current_user


class CheckStatus:
    """``POST /v1/check_status/`` (body) or ``GET ?submission_id=`` → the submission's status."""

    def __init__(self, views: SubmissionViews) -> None:
        self._views = views

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._views.check_status(current_user(req), dict(req.params))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._views.check_status(current_user(req), request_params(req))


class ListSubmissions:
    """``GET /v1/list_submissions/?page=&limit=&certified=&sort=&order=``."""

    def __init__(self, views: SubmissionViews) -> None:
        self._views = views

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._views.list_submissions(current_user(req), dict(req.params))


class SubmissionReports:
    """``POST /v1/submission_error_reports/`` or ``/v1/submission_warning_reports/`` → report links."""

    def __init__(self, views: SubmissionViews, *, warning: bool) -> None:
        self._views = views
        self._warning = warning

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._views.error_reports(current_user(req), request_params(req), warning=self._warning)


class ReportUrl:
    """``POST /v1/submission/<id>/report_url`` with ``file_type``, ``warning``, ``cross_type``."""

    def __init__(self, views: SubmissionViews) -> None:
        self._views = views

    def on_post(self, req: falcon.Request, resp: falcon.Response, submission_id: int) -> None:
        resp.media = self._views.report_url(current_user(req), submission_id, request_params(req))


class GetObligations:
    """``POST /v1/get_obligations/`` (body) or ``GET ?submission_id=`` → File C obligation totals."""

    def __init__(self, views: SubmissionViews) -> None:
        self._views = views

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._views.obligations(current_user(req), dict(req.params))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self._views.obligations(current_user(req), request_params(req))


def submission_view_routes(views: SubmissionViews) -> list[tuple[str, object]]:
    """(URI template, resource) of every route above."""
    return [
        ("/v1/check_status", CheckStatus(views)),
        ("/v1/list_submissions", ListSubmissions(views)),
        ("/v1/submission_error_reports", SubmissionReports(views, warning=False)),
        ("/v1/submission_warning_reports", SubmissionReports(views, warning=True)),
        ("/v1/submission/{submission_id:int}/report_url", ReportUrl(views)),
        ("/v1/get_obligations", GetObligations(views)),
    ]
