"""Every environment variable the gateway reads, typed, with defaults, read once."""

from __future__ import annotations

import base64
import importlib.util
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from gateway.env_values import flag, integer, listed, seconds

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./gateway.db"
DEFAULT_ASSET_CACHE = Path.home() / ".cache" / "segment-gateway"
# A development-only secret so the README's first command works with no setup;
# the production profile refuses to start with it.
DEVELOPMENT_JWT_SECRET = "dev-secret-change-me-0123456789abcdef"
# What other tools write (libpq, Heroku, Django, psql) -> the async driver the gateway uses.
DATABASE_SCHEMES = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}

TRACING_MODES = ("off", "otlp", "console")
TRACING_INSTALL = "pip install 'segment-gateway[tracing]'"
LOG_VARIABLES = ("GATEWAY_LOG_LEVEL", "GATEWAY_LOG_FORMAT")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 1024 * 1024
    max_page_size: int = 500
    max_bulk: int = 200
    max_q_length: int = 2000
    max_regex_length: int = 200
    max_match_segments: int = 200
    max_match_items: int = 500
    max_sort_keys: int = 10
    max_path_parts: int = 10  # of a `q` or `sort` path such as mixins.a.b
    max_mixins_depth: int = 32  # nesting of JSON objects and arrays in mixins
    max_cost: int = 50_000  # objects an operation can return at most (see gateway/api/cost.py)
    max_websockets: int = 1000  # subscription sockets one process serves at once
    max_subscriptions: int = 100  # per socket
    max_queued_events: int = 1000  # per subscription; past it the socket closes (1008)


@dataclass(frozen=True)
class Delivery:
    """The webhook delivery worker (gateway/webhooks/worker.py) and the outbox's retention."""

    # The app sends webhooks itself: on for `gateway serve` (unless GATEWAY_WEBHOOK_DELIVERY
    # is 0, for operators who run `gateway deliver` apart), off for apps built in tests.
    in_serve: bool = False
    # Seconds between attempts; after the last one, a delivery is `failed`.
    retry_schedule: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
    # How long a process's claim on a subscription lasts unless renewed: after a crash,
    # how long its deliveries wait for another process.
    lease_seconds: float = 30.0
    # Delivered events older than this are pruned (and their deliveries with them).
    retention_seconds: float = 7 * 86400.0


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str = DEVELOPMENT_JWT_SECRET
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_public_key_file: str | None = None
    jwt_jwks_file: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_seconds: int = 30
    profile: str = "development"
    cors_origins: tuple[str, ...] = ()
    introspection: bool = True
    graphiql: bool = True
    suggestions: bool = True
    asset_cache_dir: Path = field(default_factory=lambda: DEFAULT_ASSET_CACHE)
    readiness_timeout_seconds: float = 2.0
    # A request that has not finished by then gets 503 UNAVAILABLE; no statement outlives it.
    request_timeout_seconds: float = 10.0
    # Clients that have not sent their request headers by then are disconnected.
    header_timeout_seconds: float = 10.0
    # Connections beyond this many at once are answered 503 instead of exhausting descriptors.
    max_connections: int = 1000
    # PostgreSQL connections the pool keeps per process (10 more on demand): about the
    # number of requests served at once, since each request reads on one connection.
    db_pool_size: int = 20
    # Encoded query answers kept per process (gateway/web/response_cache.py); 0 turns it off.
    response_cache_mb: int = 64
    # Keep long-lived objects (the app, each catalog index) out of the cyclic collector's
    # walks (gateway/app.py); on for `gateway serve`, off for apps built in tests.
    gc_freeze: bool = False
    # Documents a tenant may register through APQ (gateway/web/persisted/); 0 stores none.
    persisted_queries_max: int = 10_000
    # A manifest {sha256: document}: only those documents run (trusted documents).
    trusted_documents: Path | None = None
    log_level: str = "INFO"
    # None: text when stderr is a terminal, JSON lines otherwise (gateway/web/logs.py).
    log_format: str | None = None
    # OpenTelemetry spans (gateway/web/tracing.py): "off", or the exporter to send them to.
    tracing: str = "off"
    limits: Limits = field(default_factory=Limits)
    # Webhook targets (gateway/webhooks/targets.py): https and public addresses only, unless.
    webhook_allow_http: bool = False
    webhook_allow_private: bool = False
    # Fernet keys (gateway/webhooks/sealing.py): the first seals new secrets, every one
    # opens; unset, secrets are stored as they are.
    webhook_secret_keys: tuple[str, ...] = ()
    delivery: Delivery = field(default_factory=Delivery)

    @property
    def is_production(self) -> bool:
        return self.profile == "production"


def _limits(env: Mapping[str, str]) -> Limits:
    """Every limit from GATEWAY_<NAME>: GATEWAY_MAX_DEPTH for max_depth, and so on."""
    defaults = Limits()
    values = {}
    for limit in fields(Limits):
        name = f"GATEWAY_{limit.name.upper()}"
        value = integer(env, name, getattr(defaults, limit.name))
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
        values[limit.name] = value
    return Limits(**values)


def _pool_size(env: Mapping[str, str]) -> int:
    size = integer(env, "GATEWAY_DB_POOL_SIZE", Settings.db_pool_size)
    if size < 1:
        raise ValueError(f"GATEWAY_DB_POOL_SIZE must be at least 1, got {size}")
    return size


def log_options(env: Mapping[str, str] | None = None) -> tuple[str, str | None]:
    """GATEWAY_LOG_LEVEL and GATEWAY_LOG_FORMAT, checked; ValueError names a bad one."""
    env = os.environ if env is None else env
    level = (env.get("GATEWAY_LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raw = env.get("GATEWAY_LOG_LEVEL")
        raise ValueError(f"GATEWAY_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    log_format = (env.get("GATEWAY_LOG_FORMAT") or "").strip().lower() or None
    if log_format is not None and log_format not in LOG_FORMATS:
        raw = env.get("GATEWAY_LOG_FORMAT")
        raise ValueError(f"GATEWAY_LOG_FORMAT must be json or text, got {raw!r}")
    return level, log_format


def _tracing(env: Mapping[str, str]) -> str:
    mode = env.get("GATEWAY_TRACING", "off").strip().lower() or "off"
    if mode not in TRACING_MODES:
        raise ValueError(f"GATEWAY_TRACING must be off, otlp or console, got {mode!r}")
    # Refused at start, before any worker: not a failure of every worker's first import.
    if mode != "off" and not _importable("opentelemetry.sdk"):
        raise ValueError(f"GATEWAY_TRACING={mode} needs OpenTelemetry: {TRACING_INSTALL}")
    return mode


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def database_url(raw: str) -> str:
    """`raw` with its scheme mapped to the driver the gateway uses; ValueError if it has none."""
    scheme, separator, rest = raw.partition("://")
    driver = DATABASE_SCHEMES.get(scheme.lower())
    if not separator or driver is None:
        raise ValueError(f"GATEWAY_DATABASE_URL: {_unsupported(raw, scheme, separator)}")
    if driver.startswith("postgresql"):
        # libpq's sslmode (as in Heroku's URLs) is asyncpg's ssl, with the same values.
        rest = re.sub(r"([?&])sslmode=", r"\1ssl=", rest)
    return f"{driver}://{rest}"


def _unsupported(raw: str, scheme: str, separator: str) -> str:
    known = "postgres://, postgresql://, postgresql+asyncpg://, sqlite:// or sqlite+aiosqlite://"
    if not separator:
        return f"{_without_password(raw)!r} is not a URL; use {known}"
    if scheme.lower().startswith("postgres"):
        driver = scheme.partition("+")[2]
        return f"the gateway connects with asyncpg, not {driver}: write postgresql://… instead"
    return f"{scheme}:// is not supported; use {known}"


def _fernet_keys(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Each key as `Fernet.generate_key()` writes it: URL-safe base64 of 32 bytes."""
    keys = listed(env, name)
    for number, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ValueError(f"{name}: key {number} is not a Fernet key (base64 of 32 bytes)")
    return keys


def _without_password(raw: str) -> str:
    return re.sub(r":[^:@/]*@", ":***@", raw)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the gateway's configuration from the environment."""
    env = os.environ if env is None else env
    profile = env.get("GATEWAY_PROFILE", "development")
    if profile not in {"development", "production"}:
        raise ValueError(f"GATEWAY_PROFILE must be development or production, got {profile!r}")
    production = profile == "production"
    secret = env.get("GATEWAY_JWT_SECRET") or DEVELOPMENT_JWT_SECRET
    algorithms = listed(env, "GATEWAY_JWT_ALGORITHMS") or ("HS256",)
    shared_secret = any(a.upper().startswith("HS") for a in algorithms)
    if production and secret == DEVELOPMENT_JWT_SECRET and shared_secret:
        raise ValueError("GATEWAY_JWT_SECRET must be set in the production profile")
    limits = _limits(env)
    cache_dir = env.get("GATEWAY_ASSET_CACHE_DIR")
    trusted = env.get("GATEWAY_TRUSTED_DOCUMENTS") or None
    # With trusted documents, the tools that send documents as text are off unless asked for.
    tools = not production and trusted is None
    log_level, log_format = log_options(env)
    return Settings(
        database_url=database_url(env.get("GATEWAY_DATABASE_URL") or DEFAULT_DATABASE_URL),
        jwt_secret=secret,
        jwt_algorithms=algorithms,
        jwt_public_key_file=env.get("GATEWAY_JWT_PUBLIC_KEY_FILE") or None,
        jwt_jwks_file=env.get("GATEWAY_JWT_JWKS_FILE") or None,
        jwt_issuer=env.get("GATEWAY_JWT_ISSUER") or None,
        jwt_audience=env.get("GATEWAY_JWT_AUDIENCE") or None,
        jwt_leeway_seconds=max(0, min(integer(env, "GATEWAY_JWT_LEEWAY_SECONDS", 30), 30)),
        profile=profile,
        cors_origins=listed(env, "GATEWAY_CORS_ORIGINS"),
        introspection=flag(env, "GATEWAY_INTROSPECTION", tools),
        graphiql=flag(env, "GATEWAY_GRAPHIQL", tools),
        suggestions=flag(env, "GATEWAY_SUGGESTIONS", not production),
        asset_cache_dir=Path(cache_dir) if cache_dir else DEFAULT_ASSET_CACHE,
        request_timeout_seconds=seconds(env, "GATEWAY_REQUEST_TIMEOUT", 10.0),
        header_timeout_seconds=seconds(env, "GATEWAY_HEADER_TIMEOUT", 10.0),
        max_connections=integer(env, "GATEWAY_MAX_CONNECTIONS", 1000),
        db_pool_size=_pool_size(env),
        response_cache_mb=max(0, integer(env, "GATEWAY_RESPONSE_CACHE_MB", 64)),
        gc_freeze=flag(env, "GATEWAY_GC_FREEZE", True),
        persisted_queries_max=max(0, integer(env, "GATEWAY_PERSISTED_QUERIES_MAX", 10_000)),
        trusted_documents=Path(trusted) if trusted else None,
        log_level=log_level,
        log_format=log_format,
        tracing=_tracing(env),
        limits=limits,
        webhook_allow_http=flag(env, "GATEWAY_WEBHOOK_ALLOW_HTTP", False),
        webhook_allow_private=flag(env, "GATEWAY_WEBHOOK_ALLOW_PRIVATE", False),
        webhook_secret_keys=_fernet_keys(env, "GATEWAY_WEBHOOK_SECRET_KEYS"),
        delivery=_delivery(env),
    )


def _delivery(env: Mapping[str, str]) -> Delivery:
    name = "GATEWAY_WEBHOOK_RETRY_SCHEDULE"
    schedule = Delivery.retry_schedule
    if env.get(name):
        try:
            schedule = tuple(float(part) for part in env[name].split(","))
        except ValueError:
            raise ValueError(
                f"{name} must be seconds separated by commas, got {env[name]!r}"
            ) from None
        if any(not 0 <= step < 10**7 for step in schedule):
            raise ValueError(f"{name} must list seconds from 0 to 10,000,000, got {env[name]!r}")
    return Delivery(
        in_serve=flag(env, "GATEWAY_WEBHOOK_DELIVERY", True),
        retry_schedule=schedule,
        lease_seconds=seconds(env, "GATEWAY_WEBHOOK_LEASE_SECONDS", Delivery.lease_seconds),
        retention_seconds=seconds(
            env, "GATEWAY_EVENT_RETENTION_SECONDS", Delivery.retention_seconds, below=10**9
        ),
    )
