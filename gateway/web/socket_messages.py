"""graphql-transport-ws: its close codes and the messages the gateway reads and sends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from gateway.web.request_context import bearer_token

PROTOCOL = "graphql-transport-ws"
CONNECTION_INIT_TIMEOUT_S = 10.0


class Closed(Exception):
    """Ends the connection with a close code and a reason (at most 123 bytes)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


BAD_MESSAGE = 4400
FORBIDDEN = 4403  # a missing, bad or expired token, or one of another tenant
INIT_TIMEOUT = 4408
DUPLICATE_ID = 4409
TOO_MANY_INITS = 4429
# WebSocket's own codes (RFC 6455): past a limit of the gateway.
POLICY_VIOLATION = 1008  # a subscriber too slow to keep up with its events
TOO_BIG = 1009
TRY_AGAIN_LATER = 1013  # the process serves as many sockets as it may


@dataclass(frozen=True)
class Message:
    type: str
    id: str | None
    payload: Any


def parse(text: str, max_bytes: int) -> Message:
    """One client message; Closed for one over `max_bytes` or that the protocol does not know."""
    if len(text) > max_bytes or len(text.encode()) > max_bytes:
        raise Closed(TOO_BIG, f"Messages are at most {max_bytes} bytes.")
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise Closed(BAD_MESSAGE, "Invalid message received: not JSON.") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise Closed(BAD_MESSAGE, "Invalid message received: no type.")
    id_ = message.get("id")
    if message["type"] in ("subscribe", "complete") and (not isinstance(id_, str) or not id_):
        raise Closed(BAD_MESSAGE, f"Invalid message received: {message['type']} needs an id.")
    return Message(message["type"], id_, message.get("payload"))


def encoded(type_: str, id_: str | None = None, payload: Any = None) -> str:
    message: dict[str, Any] = {"type": type_}
    if id_ is not None:
        message["id"] = id_
    if payload is not None:
        message["payload"] = payload
    return orjson.dumps(message).decode()


def bearer_of(payload: Any) -> str | None:
    """The token of a connection_init payload, {"Authorization": "Bearer <JWT>"}."""
    if not isinstance(payload, dict):
        return None
    header = payload.get("Authorization", payload.get("authorization"))
    return bearer_token(header) if isinstance(header, str) else None
