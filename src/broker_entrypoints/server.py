"""``broker serve``: gunicorn running the Falcon app, configured in code."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication

from broker_entrypoints.config import Config

log = logging.getLogger(__name__)


class BrokerServer(BaseApplication):
    """One worker process with threads: local mode keeps one in-process generation queue,
    and SQLite serialises writers anyway, so more processes would only contend."""

    def __init__(self, config: Config, *, host: str, port: int, threads: int = 8) -> None:
        self.config_obj = config
        self.options = {
            "bind": f"{host}:{port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 120,
            "graceful_timeout": 10,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "info",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in the worker process, after the fork: threads are started here.
        from broker_entrypoints.wsgi import build_app

        app, _broker = build_app(self.config_obj)
        return app
