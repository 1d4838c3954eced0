"""Login (password and MAX), logout, the session check, the current user and their settings."""

from __future__ import annotations

import falcon

from broker_core.identity import IdentityProvider
from broker_core.services.auth import AuthService
from broker_entrypoints.api.media import read_body
from broker_entrypoints.api.middleware import SESSION_HEADER, client_address, current_user, session_id
from broker_entrypoints.api.serialization import user_json


class Login:
    """``POST /v1/login/`` with ``username``/``password`` (JSON or form); the session id comes back in a header.

    Too many failed logins for the account or from the client's address: 429 with ``Retry-After``.
    """

    auth_required = False

    def __init__(self, auth: AuthService, *, trust_proxy: bool = False) -> None:
        self._auth = auth
        self._trust_proxy = trust_proxy

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        address = client_address(req, trust_proxy=self._trust_proxy)
        result = self._auth.login(read_body(req), client_address=address)
        resp.set_header(SESSION_HEADER, result.session_uid)
        resp.media = {**user_json(result.user), "message": "Login successful"}


class MaxLogin:
    """``POST /v1/max_login/`` with ``ticket``/``service`` from MAX's login page; answers like ``Login``."""

    auth_required = False

    def __init__(
        self, auth: AuthService, provider: IdentityProvider, parent_group: str, *, trust_proxy: bool = False
    ) -> None:
        self._auth = auth
        self._provider = provider
        self._parent_group = parent_group
        self._trust_proxy = trust_proxy

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        address = client_address(req, trust_proxy=self._trust_proxy)
        result = self._auth.max_login(
            read_body(req), self._provider, parent_group=self._parent_group, client_address=address
        )
        resp.set_header(SESSION_HEADER, result.session_uid)
        resp.media = {**user_json(result.user), "message": "Login successful"}


class Logout:
    """``POST /v1/logout/``: always 200, logged in or not."""

    auth_required = False

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self._auth.logout(session_id(req))
        resp.media = {"message": "Logout successful"}


class SessionCheck:
    """``GET /v1/session/``: whether the session is logged in, as the strings ``"True"``/``"False"``."""

    auth_required = False

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": str(self._auth.session_is_live(session_id(req)))}


class CurrentUser:
    """``GET /v1/current_user/`` (and its newer name ``/v1/active_user/``)."""

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = user_json(self._auth.user_view(current_user(req)))


class SetSkipGuide:
    """``POST /v1/set_skip_guide/`` with ``skip_guide`` (true/false, JSON or form); echoes it as a boolean."""

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        skip = self._auth.set_skip_guide(current_user(req), read_body(req))
        resp.media = {"message": "skip_guide set successfully", "skip_guide": skip}
