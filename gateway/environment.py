"""Every environment variable the gateway reads, as `gateway CMD --help` shows it."""

from __future__ import annotations

from gateway.settings import DEFAULT_ASSET_CACHE, DEFAULT_DATABASE_URL

# Every variable, its default as shown to operators, and its meaning: `gateway CMD --help`.
ENVIRONMENT = {
    "GATEWAY_DATABASE_URL": (DEFAULT_DATABASE_URL, "postgres://, postgresql:// or sqlite:// URL"),
    "GATEWAY_PROFILE": ("development", "development or production"),
    "GATEWAY_JWT_SECRET": ("a development secret", "HS256 secret, at least 32 bytes"),
    "GATEWAY_JWT_ALGORITHMS": ("HS256", "comma-separated allow-list"),
    "GATEWAY_JWT_PUBLIC_KEY_FILE": ("unset", "PEM public key for RS*/ES* tokens"),
    "GATEWAY_JWT_JWKS_FILE": ("unset", "JWKS file, keys chosen by kid"),
    "GATEWAY_JWT_ISSUER": ("unset", "required iss claim"),
    "GATEWAY_JWT_AUDIENCE": ("unset", "required aud claim"),
    "GATEWAY_JWT_LEEWAY_SECONDS": ("30", "clock leeway, at most 30"),
    "GATEWAY_CORS_ORIGINS": ("none", "comma-separated allowed origins"),
    "GATEWAY_INTROSPECTION": ("on, off in production", "schema introspection"),
    "GATEWAY_GRAPHIQL": ("on, off in production", "GraphiQL for browsers"),
    "GATEWAY_SUGGESTIONS": ("on, off in production", '"Did you mean" in errors'),
    "GATEWAY_ASSET_CACHE_DIR": (str(DEFAULT_ASSET_CACHE), "GraphiQL's fetched assets"),
    "GATEWAY_REQUEST_TIMEOUT": ("10", "seconds of database work per request"),
    "GATEWAY_HEADER_TIMEOUT": ("10", "seconds a client has to send its headers"),
    "GATEWAY_MAX_CONNECTIONS": ("1000", "open connections per process"),
    "GATEWAY_DB_POOL_SIZE": ("20", "PostgreSQL connections kept per process"),
    "GATEWAY_RESPONSE_CACHE_MB": ("64", "encoded answers kept per process; 0 is off"),
    "GATEWAY_GC_FREEZE": ("1", "keep long-lived objects out of full GC walks"),
    "GATEWAY_PERSISTED_QUERIES_MAX": ("10000", "APQ documents stored per tenant; 0 stores none"),
    "GATEWAY_TRUSTED_DOCUMENTS": ("unset", "manifest file: only its documents run"),
    "GATEWAY_MAX_DEPTH": ("12", "query depth"),
    "GATEWAY_MAX_ALIASES": ("30", "aliases per document"),
    "GATEWAY_MAX_TOKENS": ("2000", "tokens per document"),
    "GATEWAY_MAX_BODY_BYTES": ("1048576", "request body size"),
    "GATEWAY_MAX_PAGE_SIZE": ("500", "page size"),
    "GATEWAY_MAX_BULK": ("200", "entries per bulk mutation"),
    "GATEWAY_MAX_Q_LENGTH": ("2000", "characters of a q or sort"),
    "GATEWAY_MAX_REGEX_LENGTH": ("200", "characters of a q regex (~) pattern"),
    "GATEWAY_MAX_MATCH_SEGMENTS": ("200", "segmentIds of one matchItems"),
    "GATEWAY_MAX_MATCH_ITEMS": ("500", "itemIds of one matchItems"),
    "GATEWAY_MAX_SORT_KEYS": ("10", "sort keys"),
    "GATEWAY_MAX_PATH_PARTS": ("10", "parts of a q or sort path"),
    "GATEWAY_MAX_MIXINS_DEPTH": ("32", "nesting of mixins (also in the import)"),
    "GATEWAY_MAX_COST": ("50000", "objects an operation may return"),
    "GATEWAY_LOG_LEVEL": ("INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    "GATEWAY_LOG_FORMAT": ("text on a terminal, else json", "json (one object a line) or text"),
    "GATEWAY_MAX_WEBSOCKETS": ("1000", "subscription sockets per process"),
    "GATEWAY_MAX_SUBSCRIPTIONS": ("100", "subscriptions per socket"),
    "GATEWAY_MAX_QUEUED_EVENTS": ("1000", "events waiting per subscription"),
    "GATEWAY_TRACING": ("off", "OpenTelemetry spans: off, otlp or console"),
    "GATEWAY_WEBHOOK_ALLOW_HTTP": ("0", "webhook targets may be http://, not only https://"),
    "GATEWAY_WEBHOOK_ALLOW_PRIVATE": ("0", "webhook targets may resolve to private addresses"),
    "GATEWAY_WEBHOOK_SECRET_KEYS": ("unset", "Fernet keys sealing webhook secrets, newest first"),
    "GATEWAY_WEBHOOK_DELIVERY": ("1", "serve also delivers webhooks (0: run `gateway deliver`)"),
    "GATEWAY_WEBHOOK_RETRY_SCHEDULE": (
        "5,300,1800,7200,18000,36000,36000",
        "seconds between delivery attempts",
    ),
    "GATEWAY_WEBHOOK_LEASE_SECONDS": ("30", "a process's claim on a subscription's deliveries"),
    "GATEWAY_EVENT_RETENTION_SECONDS": ("604800", "delivered events are pruned after"),
}

# What `gateway deliver` reads, besides the database.
DELIVERY = (
    "GATEWAY_WEBHOOK_RETRY_SCHEDULE",
    "GATEWAY_WEBHOOK_LEASE_SECONDS",
    "GATEWAY_WEBHOOK_ALLOW_HTTP",
    "GATEWAY_WEBHOOK_ALLOW_PRIVATE",
    "GATEWAY_WEBHOOK_SECRET_KEYS",
    "GATEWAY_EVENT_RETENTION_SECONDS",
)
