"""Configuration from the environment. Every setting defaults to local mode."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import attrs

DEFAULT_DATA_DIR = "./broker-data"


@attrs.frozen
class Config:
    data_dir: Path
    database_url: str
    storage_url: str
    queue_url: str
    secret_key: bytes
    public_url: str
    cors_origins: tuple[str, ...] = ("*",)
    url_expiry: int = 60
    #: Endpoint of an S3-compatible server (None: AWS itself).
    s3_endpoint_url: str | None = None
    #: RQ: seconds a generation may run before the worker kills it, and retries after a failure.
    job_timeout: int = 3600
    job_retries: int = 2
    #: RQ: seconds without a heartbeat after which a worker (and the job it ran) counts as dead.
    worker_ttl: int = 60
    #: The FPDS ATOM feed (``broker load fpds``); tests point it at a local fake.
    fpds_url: str = "https://www.fpds.gov/ezsearch/FEEDS/ATOM"
    #: FPDS: seconds to wait for each answer, and retries of a page after a transient failure.
    fpds_timeout: int = 60
    fpds_retries: int = 5
    #: Processes that prepare and stage a validated file's batches on PostgreSQL (1: none).
    validation_workers: int = 1
    #: MAX's CAS server (``/v1/max_login/`` validates tickets at ``{cas_url}/serviceValidate``).
    cas_url: str = "https://login.max.gov/cas"
    #: The MAX parent group whose ``<parent>-CGAC_…`` groups grant broker rights.
    cas_parent_group: str = "EXAMPLE"
    #: Seconds to wait for CAS to connect and to answer.
    cas_timeout: int = 30
    #: Largest file ``/v1/local_upload/`` accepts, in bytes (local mode).
    max_upload_bytes: int = 2 * 1024**3
    #: S3 mode: the IAM role whose temporary credentials clients upload with (None: a federation token).
    upload_role_arn: str | None = None
    #: Take the client's address from ``X-Forwarded-For`` (behind one trusted proxy) for login limits.
    trust_proxy: bool = False
    #: Failed logins allowed per account and per client address within the window, before 429s.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 300
    #: How long an API process remembers an authenticated session (ms, at most 2000; 0: never).
    #: Default: 1000 with several processes (a ``redis://`` queue), 0 in local mode.
    session_cache_ms: int = 0
    #: How long an API process remembers a detached generation job that has ended (ms, at most
    #: 2000; 0: never). Such a job no longer changes. Default: as ``session_cache_ms``.
    job_cache_ms: int = 0

    @property
    def storage_root(self) -> Path:
        """Root folder of local file storage (``file://`` storage URLs)."""
        if not self.storage_url.startswith("file://"):
            raise ValueError(f"BROKER_STORAGE_URL {self.storage_url!r} is not a local (file://) location")
        return Path(self.storage_url.removeprefix("file://"))

    @property
    def is_local_storage(self) -> bool:
        return self.storage_url.startswith("file://")

    @property
    def is_local_queue(self) -> bool:
        return self.queue_url == "inprocess"


def load_config(
    env: Mapping[str, str] | None = None,
    *,
    data_dir: str | Path | None = None,
    public_url: str | None = None,
) -> Config:
    """Build the configuration: explicit arguments, then ``BROKER_*`` variables, then local defaults."""
    env = os.environ if env is None else env
    root = Path(data_dir or env.get("BROKER_DATA_DIR") or DEFAULT_DATA_DIR).resolve()
    root.mkdir(parents=True, exist_ok=True)
    return Config(
        data_dir=root,
        database_url=env.get("BROKER_DATABASE_URL") or f"sqlite:///{root / 'broker.sqlite3'}",
        storage_url=env.get("BROKER_STORAGE_URL") or f"file://{root / 'files'}",
        queue_url=env.get("BROKER_QUEUE_URL") or "inprocess",
        secret_key=_secret_key(env, root),
        public_url=(public_url or env.get("BROKER_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        cors_origins=tuple(
            o.strip() for o in (env.get("BROKER_CORS_ORIGINS") or "*").split(",") if o.strip()
        ),
        url_expiry=_positive_int(env, "BROKER_URL_EXPIRY", 60),
        s3_endpoint_url=env.get("BROKER_S3_ENDPOINT_URL") or None,
        job_timeout=_positive_int(env, "BROKER_JOB_TIMEOUT", 3600),
        job_retries=_positive_int(env, "BROKER_JOB_RETRIES", 2, minimum=0),
        worker_ttl=_positive_int(env, "BROKER_WORKER_TTL", 60),
        fpds_url=env.get("BROKER_FPDS_URL") or "https://www.fpds.gov/ezsearch/FEEDS/ATOM",
        fpds_timeout=_positive_int(env, "BROKER_FPDS_TIMEOUT", 60),
        fpds_retries=_positive_int(env, "BROKER_FPDS_RETRIES", 5, minimum=0),
        cas_url=(env.get("BROKER_CAS_URL") or "https://login.max.gov/cas").rstrip("/"),
        cas_parent_group=(env.get("BROKER_CAS_PARENT_GROUP") or "").strip() or "EXAMPLE",
        cas_timeout=_positive_int(env, "BROKER_CAS_TIMEOUT", 30),
        max_upload_bytes=_positive_int(env, "BROKER_MAX_UPLOAD_BYTES", 2 * 1024**3),
        upload_role_arn=env.get("BROKER_UPLOAD_ROLE_ARN") or None,
        trust_proxy=_flag(env, "BROKER_TRUST_PROXY"),
        login_max_failures_per_account=_positive_int(env, "BROKER_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        login_max_failures_per_address=_positive_int(env, "BROKER_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        login_window_seconds=_positive_int(env, "BROKER_LOGIN_WINDOW_SECONDS", 300),
        session_cache_ms=_cache_ms(env, "BROKER_SESSION_CACHE_MS"),
        job_cache_ms=_cache_ms(env, "BROKER_JOB_CACHE_MS"),
        validation_workers=_positive_int(env, "BROKER_VALIDATION_WORKERS", _cores()),
    )


def _cache_ms(env: Mapping[str, str], name: str) -> int:
    """A per-process cache lifetime: 1 s with several processes (a ``redis://`` queue), off in local mode."""
    local = (env.get("BROKER_QUEUE_URL") or "inprocess") == "inprocess"
    return min(2000, _positive_int(env, name, 0 if local else 1000, minimum=0))


def _positive_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a whole number") from None
    if value < minimum:
        raise ValueError(f"{name}: must be at least {minimum}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name}: {raw!r} is not true or false")


def _secret_key(env: Mapping[str, str], root: Path) -> bytes:
    # Without a configured key, keep one beside the data so that signed URLs
    # and hashes stay valid across restarts of the same installation.
    if env.get("BROKER_SECRET_KEY"):
        return env["BROKER_SECRET_KEY"].encode()
    key_file = root / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip().encode()


def _cores() -> int:
    return max(len(os.sched_getaffinity(0)), 1)
