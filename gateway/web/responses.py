"""The view's answers: HTTP errors, status codes per media type, encoded JSON bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.responses import Response

from gateway.api.execution import RequestError
from gateway.errors import ErrorCode
from gateway.web.negotiation import JSON

NO_STORE = {"Cache-Control": "no-store"}
# What a 503 asks clients to wait: a restarting database is usually back within seconds.
RETRY_AFTER_SECONDS = 2


class HttpError(Exception):
    """Not a well-formed GraphQL-over-HTTP request: the status holds for every media type."""

    def __init__(
        self,
        status: int,
        message: str,
        code: ErrorCode = ErrorCode.BAD_USER_INPUT,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
        self.headers = dict(headers or {})


@dataclass
class Outcome:
    """What the metrics need to know about one answered request."""

    operation_type: str | None = None
    error_codes: list[Any] = field(default_factory=list)


def http_failure(error: HttpError, media_type: str, outcome: Outcome) -> Response:
    return json_response(error.body, error.status, media_type, outcome, error.headers)


def request_failure(error: RequestError, media_type: str, outcome: Outcome) -> Response:
    status = error.status
    headers = {"Allow": "POST"} if status == 405 else {}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if status in (400, 404) and media_type == JSON:
        # Legacy application/json clients get request errors (and PersistedQueryNotFound's
        # 404) with 200, as the spec says.
        status = 200
    return json_response({"errors": error.errors}, status, media_type, outcome, headers)


def json_response(
    body: dict[str, Any],
    status: int,
    media_type: str,
    outcome: Outcome,
    headers: Mapping[str, str] | None = None,
) -> Response:
    outcome.error_codes = [e.get("extensions", {}).get("code") for e in body.get("errors", ())]
    return encoded_response(dumps(body), status, media_type, headers)


def encoded_response(
    body: bytes, status: int, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        body,
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers={**NO_STORE, **(headers or {})},
    )


def dumps(body: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:
        # orjson refuses integers past 64 bits, which a JSON value may hold.
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
