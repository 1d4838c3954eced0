"""``create_app``: the Falcon application over the broker's services."""

from __future__ import annotations

from typing import Any

import falcon

from broker_entrypoints.api import errors
from broker_entrypoints.api.middleware import Cors, RequestLimits, SessionAuth
from broker_entrypoints.api.resources.files import FileDownload
from broker_entrypoints.api.resources.generation import (
    CheckDetachedGenerationStatus,
    CheckGenerationStatus,
    GenerateDetachedFile,
    GenerateFile,
    GetDetachedFileUrl,
)
from broker_entrypoints.api.resources.openapi import OpenApiDocument
from broker_entrypoints.api.resources.root import Root
from broker_entrypoints.api.resources.submission_views import submission_view_routes
from broker_entrypoints.api.resources.submissions import submission_routes, submission_upload_routes
from broker_entrypoints.api.resources.uploads import add_upload_routes
from broker_entrypoints.api.resources.users import (
    CurrentUser,
    Login,
    Logout,
    MaxLogin,
    SessionCheck,
    SetSkipGuide,
)
from broker_entrypoints.api.services import ApiServices


def create_app(broker: ApiServices) -> falcon.App:
    # Order matters: CORS headers go on every answer, limits come before the login check.
    middleware: list[Any] = [Cors(broker.cors_origins), RequestLimits(), SessionAuth(broker.auth)]
    app = falcon.App(middleware=middleware)
    # The original accepts every path with and without its trailing slash.
    app.req_options.strip_url_path_trailing_slash = True
    # Bodies are parsed by media.read_body (JSON or form, once, with our own messages).
    app.req_options.auto_parse_form_urlencoded = False
    # "?job_id=" counts as a missing job_id.
    app.req_options.keep_blank_qs_values = False
    errors.register(app)

    current_user = CurrentUser(broker.auth)
    # Behind one trusted proxy, login limits count the address it forwards (absent: not trusted).
    trust_proxy = bool(getattr(broker, "trust_proxy", False))
    routes: list[tuple[str, object]] = [
        ("/", Root()),
        ("/v1/openapi.json", OpenApiDocument()),
        ("/v1/login", Login(broker.auth, trust_proxy=trust_proxy)),
        ("/v1/logout", Logout(broker.auth)),
        ("/v1/session", SessionCheck(broker.auth)),
        ("/v1/current_user", current_user),
        ("/v1/active_user", current_user),
        ("/v1/set_skip_guide", SetSkipGuide(broker.auth)),
        ("/v1/generate_detached_file", GenerateDetachedFile(broker.generation)),
        ("/v1/check_detached_generation_status", CheckDetachedGenerationStatus(broker.generation)),
        ("/v1/get_detached_file_url", GetDetachedFileUrl(broker.generation)),
    ]
    # A service may be None (test doubles of the broker): its routes are then left out.
    if broker.submission_files is not None:
        routes.append(("/v1/generate_file", GenerateFile(broker.submission_files)))
        routes.append(("/v1/check_generation_status", CheckGenerationStatus(broker.submission_files)))
    if broker.identity_provider is not None:
        routes.append(
            (
                "/v1/max_login",
                MaxLogin(
                    broker.auth, broker.identity_provider, broker.cas_parent_group, trust_proxy=trust_proxy
                ),
            )
        )
    if broker.submission_views is not None:
        routes.extend(submission_view_routes(broker.submission_views))
    verifier = broker.download_verifier
    if broker.submission_uploads is not None:
        routes.extend(submission_upload_routes(broker.submission_uploads))
        routes.extend(add_upload_routes(app, broker.submission_uploads, broker.auth, verifier))
    if broker.submissions is not None:
        routes.extend(submission_routes(broker.submissions))
    if verifier is not None:
        routes.append(("/v1/files/{key:path}", FileDownload(verifier)))
    for template, resource in routes:
        app.add_route(template, resource)
    return app
