"""The HTTP server: uvicorn, plus the header deadline and connection cap it lacks.

uvicorn has no timeout for a request's headers: `timeout_keep_alive` runs only between
requests and every byte received resets it, so a client that connects and sends nothing, or
trickles its headers, holds a connection forever (`--timeout-request-start` has been on
uvicorn's list since issue #157 in 2018; the PR implementing it, #1685, was closed
unmerged). Its `limit_concurrency` answers 503 only once a request's headers are complete,
so idle connections past it still each hold a descriptor until the process runs out.
Its users put a proxy with a header timeout in front, or wrap its protocol class. We keep
uvicorn (locked, already run under --workers, httptools' parser) rather than switch servers
for one timer, and add both in a small subclass of its httptools protocol:
- a timer armed when a connection opens and when a request starts on a kept-alive one,
  cancelled once the headers are complete; when it fires, 408 and the connection closes;
- past `max_connections` open connections, a new one gets 503 and is closed at once. Each
  connection runs at most one request at a time, so this one cap bounds concurrency too.
The settings travel in a Config subclass, which uvicorn pickles into each worker process,
and the protocol class is importable by path, as workers need.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from gateway.settings import Settings
from gateway.web.logs import logging_config
from gateway.web.workers import Workers, fresh_metrics_dir

log = logging.getLogger("gateway.web.server")
# For a protocol started from a plain uvicorn Config (`uvicorn --http gateway.web.server:...`).
_DEFAULTS = Settings()

# Descriptors kept for what is not a client connection: the listening socket, the database
# pool, SQLite's files, logs, the GraphiQL asset cache.
RESERVED_DESCRIPTORS = 100
REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
_BUSY_BODY = b"Too many connections; retry later.\n"
SERVICE_UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"retry-after: 2\r\nconnection: close\r\ncontent-length: "
    + str(len(_BUSY_BODY)).encode()
    + b"\r\n\r\n"
    + _BUSY_BODY
)


class GatewayConfig(uvicorn.Config):
    """uvicorn's configuration with the header deadline and the connection cap."""

    def __init__(
        self, app: Any, *, header_timeout: float, max_connections: int, **kwargs: Any
    ) -> None:
        super().__init__(app, http=HeaderTimeoutProtocol, **kwargs)
        self.header_timeout = header_timeout
        self.max_connections = max_connections


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """Drops connections that do not complete their headers in time; refuses past the cap."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout: float = getattr(
            config, "header_timeout", _DEFAULTS.header_timeout_seconds
        )
        self.max_connections: int = getattr(config, "max_connections", _DEFAULTS.max_connections)
        self.header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.write(SERVICE_UNAVAILABLE)
            transport.close()
            return
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        # The next request on a kept-alive connection gets its own deadline.
        if self.header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self.header_timer = self.loop.call_later(self.header_timeout, self._headers_too_late)

    def _cancel_header_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_late(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            self.transport.write(REQUEST_TIMEOUT)
            self.transport.close()


def raise_descriptor_limit() -> int:
    """Raises the soft limit on open files to the hard one; returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def connection_cap(wanted: int, descriptor_limit: int) -> int:
    """`wanted`, lowered so that connections alone can never exhaust the descriptors."""
    if descriptor_limit == resource.RLIM_INFINITY:
        return wanted
    cap = max(1, min(wanted, descriptor_limit - RESERVED_DESCRIPTORS))
    if cap < wanted:
        log.warning(
            "GATEWAY_MAX_CONNECTIONS=%d is over what %d file descriptors allow: capped at %d",
            wanted,
            descriptor_limit,
            cap,
        )
    return cap


def serve(app: Any, settings: Settings, *, workers: int, **options: Any) -> None:
    """Runs uvicorn until it is stopped; `app` is an import string when workers > 1."""
    cap = connection_cap(settings.max_connections, raise_descriptor_limit())
    config = GatewayConfig(
        app,
        header_timeout=settings.header_timeout_seconds,
        max_connections=cap,
        workers=workers,
        factory=isinstance(app, str),
        # Applied again by each worker; uvicorn's access log gives way to the gateway's.
        log_config=logging_config(settings.log_level, settings.log_format),
        access_log=False,
        # Subscription messages are bounded as request bodies are.
        ws="websockets-sansio",
        ws_max_size=settings.limits.max_body_bytes,
        **options,
    )
    # What uvicorn.run does, with our Config; each worker unpickles it, settings included.
    if workers > 1:
        # Before the workers start: each reads the directory from the environment it inherits.
        with fresh_metrics_dir():
            Workers(config, sockets=[config.bind_socket()]).run()
        return
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)
