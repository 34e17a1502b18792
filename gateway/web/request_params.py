"""A GraphQL-over-HTTP request's parameters (query, variables, operationName), GET or POST."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request

from gateway.web.negotiation import JSON
from gateway.web.responses import HttpError


@dataclass(frozen=True)
class Params:
    # Empty when the request names a persisted document instead (gateway/web/persisted/).
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None = None
    document_id: str | None = None


async def read_params(request: Request, limit: int) -> Params:
    """The parameters of a GET's query string or a POST's JSON body (at most `limit` bytes)."""
    if request.method == "GET":
        return _params(request.query_params, encoded=True)
    _check_content_type(request.headers.get("content-type"))
    raw = await _read_body(request, limit)
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise HttpError(400, "The request body is not valid JSON.") from None
    if isinstance(document, list):
        raise HttpError(400, "Batching is not supported: send one operation per request.")
    if not isinstance(document, dict):
        raise HttpError(400, "The request body must be a JSON object with a `query`.")
    return _params(document)


def _check_content_type(header: str | None) -> None:
    # Only JSON: this also refuses the form and text/plain bodies of cross-site requests.
    mime, *params = (header or "").split(";")
    if mime.strip().lower() != JSON:
        raise HttpError(415, "POST bodies must be application/json.", headers={"Accept-Post": JSON})
    for param in params:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in {"utf-8", "utf8"}:
            raise HttpError(
                415, "POST bodies must be UTF-8 encoded.", headers={"Accept-Post": JSON}
            )


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = HttpError(413, f"The request body is over the limit of {limit} bytes.")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise HttpError(400, "Content-Length must be a number of bytes.")
        if int(declared) > limit:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    # Counted while streaming too: a chunked body declares no length.
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _params(source: Mapping[str, Any], *, encoded: bool = False) -> Params:
    variables = _json_object(source.get("variables"), "variables", encoded)
    extensions = _json_object(source.get("extensions"), "extensions", encoded)
    document_id = _optional_string(source, "documentId", encoded)
    query = source.get("query")
    # A persisted document's hash may stand in for the document (gateway/web/persisted/).
    if query is None and (document_id is not None or "persistedQuery" in (extensions or {})):
        query = ""
    if not isinstance(query, str):
        raise HttpError(400, "The request needs a `query` string.")
    # Absent is null or missing (and, for GET, which cannot send null, an empty parameter);
    # any other non-string (0, [], false) is a malformed request, not "no name".
    operation_name = _optional_string(source, "operationName", encoded)
    return Params(query, variables, operation_name, extensions, document_id)


def _optional_string(source: Mapping[str, Any], name: str, encoded: bool) -> str | None:
    value = source.get(name)
    if encoded and value == "":
        return None
    if value is not None and not isinstance(value, str):
        raise HttpError(400, f"`{name}` must be a string.")
    return value


def _json_object(value: Any, name: str, encoded: bool) -> dict[str, Any] | None:
    if encoded and isinstance(value, str):
        if not value:
            return None
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise HttpError(400, f"`{name}` is not valid JSON.") from None
    if value is not None and not isinstance(value, dict):
        raise HttpError(400, f"`{name}` must be a JSON object.")
    return value
