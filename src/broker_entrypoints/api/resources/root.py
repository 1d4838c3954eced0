from __future__ import annotations

import falcon


class Root:
    """``GET /``: the health check."""

    auth_required = False

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = "Broker is running"
