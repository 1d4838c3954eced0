"""The production server's access logger: one combined-format line per request, or none when off."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config as GunicornConfig

from broker_entrypoints.access_log import AccessLogger
from broker_entrypoints.config import load_config
from broker_entrypoints.server import BrokerServer

ENVIRON = {
    "REMOTE_ADDR": "10.1.2.3",
    "REQUEST_METHOD": "GET",
    "RAW_URI": "/v1/check_detached_generation_status/?job_id=7",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_USER_AGENT": "pytest",
}


def _logger(accesslog: str | None) -> AccessLogger:
    cfg = GunicornConfig()
    cfg.set("accesslog", accesslog)
    return AccessLogger(cfg)


def test_one_line_per_request(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    logger = _logger(str(path))
    logger.access(SimpleNamespace(status="200 OK", sent=245), None, ENVIRON, dt.timedelta(microseconds=1250))
    logger.access(
        SimpleNamespace(status=404, sent=None), None, {**ENVIRON, "HTTP_REFERER": "x"}, dt.timedelta()
    )
    first, second = path.read_text().splitlines()
    assert first.startswith("10.1.2.3 - - [")
    assert first.endswith(
        '] "GET /v1/check_detached_generation_status/?job_id=7 HTTP/1.1" 200 245 "-" "pytest" 1.2ms'
    )
    assert second.endswith(
        '"GET /v1/check_detached_generation_status/?job_id=7 HTTP/1.1" 404 - "x" "pytest" 0.0ms'
    )


def test_nothing_when_access_logging_is_off(caplog: pytest.LogCaptureFixture) -> None:
    logger = _logger(None)
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access(SimpleNamespace(status="200 OK", sent=1), None, ENVIRON, dt.timedelta())
        _logger("-").access(SimpleNamespace(status="200 OK", sent=1), None, ENVIRON, dt.timedelta())
    assert len([r for r in caplog.records if r.name == "gunicorn.access"]) == 1  # only the one switched on


def test_the_production_server_uses_it_and_every_setting_of_gunicorn_conf(tmp_path: Path) -> None:
    server = BrokerServer.production(
        load_config({"BROKER_DATA_DIR": str(tmp_path)}), host="127.0.0.1", port=1
    )
    assert server.cfg.logger_class is AccessLogger
    assert server.cfg.worker_class_str == "gthread"
    assert server.cfg.max_requests == 100_000
