"""``broker serve``: gunicorn running the Falcon app, configured in code."""

from __future__ import annotations

import logging
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.config import KNOWN_SETTINGS

from broker_entrypoints.config import Config

log = logging.getLogger(__name__)


class BrokerServer(BaseApplication):
    """gunicorn configured in code.

    Local mode: one worker process with threads, because the in-process
    generation queue lives in one process and SQLite serialises writers anyway.
    Production (:meth:`production`): the settings of
    :mod:`broker_entrypoints.gunicorn_conf`, several processes.
    """

    def __init__(
        self, config: Config, *, host: str, port: int, threads: int = 8, options: dict[str, Any] | None = None
    ) -> None:
        self.config_obj = config
        self.options = options or {
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

    @classmethod
    def production(cls, config: Config, *, host: str, port: int, workers: int | None = None) -> BrokerServer:
        from broker_entrypoints import gunicorn_conf

        # Every gunicorn setting the module defines (its other names are helpers).
        settings = {setting.name for setting in KNOWN_SETTINGS}
        options = {name: value for name, value in vars(gunicorn_conf).items() if name in settings}
        options["bind"] = f"{host}:{port}"
        if workers is not None:
            options["workers"] = workers
        return cls(config, host=host, port=port, options=options)

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in the worker process, after the fork: threads are started here.
        from broker_entrypoints.wsgi import build_app

        app, _broker = build_app(self.config_obj)
        return app
