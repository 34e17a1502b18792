"""One access line per HTTP request, written by the gateway in place of uvicorn's.

uvicorn's access line holds the query string, and a GET's query string is the GraphQL
document with its variables: customer data in the log. This line has the path alone, the
status, the bytes sent and the client's address; the request's id, tenant, operation and
duration come with every line logged during the request (gateway/web/logs.py), this one
included, since it is written before the request's fields are let go.
"""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.web.logs import CURRENT, RequestLog
from gateway.web.middleware import SCOPE_KEY

log = logging.getLogger("gateway.access")


class AccessLogMiddleware:
    """Sets the request's log fields for everything inside; logs the access line after.

    It runs inside RequestIdMiddleware, whose id it takes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = CURRENT.set(RequestLog(scope.get(SCOPE_KEY) or uuid.uuid4().hex))
        response = _Response()

        async def counting(message: Message) -> None:
            response.saw(message)
            await send(message)

        try:
            await self.app(scope, receive, counting)
        finally:
            _log_access(scope, response)
            CURRENT.reset(token)


class _Response:
    """The status and the body bytes of what was sent."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.bytes = 0

    def saw(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.bytes += len(message.get("body", b""))


def _log_access(scope: Scope, response: _Response) -> None:
    # Quoted, as uvicorn does: the path is decoded, and a %0A in it would start a new line.
    path = quote(scope["path"])
    # None when the app raised before answering: the server then answers 500.
    status = response.status or 500
    client = scope.get("client")
    log.info(
        "%s %s %d",
        scope["method"],
        path,
        status,
        extra={
            "method": scope["method"],
            "path": path,
            "status": status,
            "bytes": response.bytes,
            "client": client[0] if client else None,
        },
    )
