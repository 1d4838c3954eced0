"""gunicorn settings for production (several API processes sharing PostgreSQL, Redis and S3).

Used by ``broker serve --production`` and usable directly::

    gunicorn -c python:broker_entrypoints.gunicorn_conf broker_entrypoints.wsgi:app

Every value can be overridden with a ``BROKER_GUNICORN_*`` variable or on the
gunicorn command line.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("BROKER_GUNICORN_BIND", "127.0.0.1:8000")
# One process per core plus one, each with a few threads: while one thread waits
# on PostgreSQL, Redis or S3 another runs. The API's requests are short and spend
# most of their time on CPU, so more processes than that (the sync worker's usual
# 2 x cores + 1) add context switches and memory without adding throughput
# (bench/load.py on 2 cores: 3 and 5 processes answered alike).
# The threaded (gthread) worker keeps client connections alive between requests (a
# sync worker closes each one after its response), so a client polling a status
# pays no TCP handshake per request. Each process holds a database pool of 10
# connections (make_engine): keep threads <= 10, or the pool's overflow connections
# are opened and closed per request.
workers = _int("BROKER_GUNICORN_WORKERS", multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("BROKER_GUNICORN_THREADS", 4)
# Generation runs in RQ workers, so no request should take long; a stuck
# process is recycled after this many seconds.
timeout = _int("BROKER_GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5
# Recycle processes now and then so that slow leaks cannot accumulate; not too
# often: a new process re-imports everything (about a second of CPU), and at
# 1,500 requests/s 10,000 requests would recycle each process every half minute.
max_requests = _int("BROKER_GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = 10_000
# One line per request to standard output ("-"), a file (appended to), or "off". The line is written by
# access_log.AccessLogger, a cheaper writer than gunicorn's own (access_log_format is
# not used): gunicorn's took a fifth of a status check's Python CPU.
_access_log = os.environ.get("BROKER_GUNICORN_ACCESS_LOG", "-")
accesslog = None if _access_log.strip().lower() in ("", "off", "none") else _access_log
logger_class = "broker_entrypoints.access_log.AccessLogger"
errorlog = "-"
loglevel = os.environ.get("BROKER_GUNICORN_LOG_LEVEL", "info")
# Each worker builds its own app (and database pool) after the fork.
preload_app = False
