"""WSGI entry point: ``gunicorn broker_entrypoints.wsgi:app`` (configured by ``BROKER_*`` variables).

In local mode each process also runs the in-process generation worker, and
re-enqueues the work the database says is outstanding when it starts. With a
``redis://`` queue the API only enqueues; ``broker worker`` processes run the
work. Migrations are applied once by ``broker migrate`` (or ``broker serve``)
before the processes start, not by every API process.
"""

from __future__ import annotations

import falcon

from broker_entrypoints.api.app import create_app
from broker_entrypoints.bootstrap import Broker, bootstrap
from broker_entrypoints.config import Config, load_config


def build_app(config: Config) -> tuple[falcon.App, Broker]:
    broker = bootstrap(config, queue_mode="thread", migrate=config.is_local_queue)
    broker.start_local_worker()
    return create_app(broker), broker


def __getattr__(name: str) -> object:
    # Build lazily so that importing this module (e.g. for tooling) has no side effects.
    if name == "app":
        app, _ = build_app(load_config())
        globals()["app"] = app
        return app
    raise AttributeError(name)
