"""Gives every request an id, carried in the X-Request-ID header of every response.

A client's X-Request-ID is adopted when it is 1 to 64 characters of A-Z a-z 0-9 . _ : -
starting with a letter or digit (UUIDs, ULIDs, hex and dotted trace ids all fit); anything
else is replaced by a generated id (32 hex digits), and the client's value is neither
logged nor echoed, so it cannot forge log lines or smuggle control characters into headers.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
SCOPE_KEY = "gateway.request_id"
MAX_LENGTH = 64
# An incoming id is kept only when it cannot smuggle anything into logs or headers.
SANE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_LENGTH - 1}}}")


def request_id_of(connection: HTTPConnection) -> str:
    found = connection.scope.get(SCOPE_KEY)
    return found if isinstance(found, str) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = HTTPConnection(scope).headers.get(HEADER, "")
        request_id = incoming if SANE.fullmatch(incoming) else uuid.uuid4().hex
        scope[SCOPE_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
