"""The GraphQL-over-HTTP view of /{tenant}/graphql: media types, status codes, tokens."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import OperationType
from starlette.requests import Request
from starlette.responses import Response

from gateway.api.execution import Prepared, RequestError, prepare, run, unavailable
from gateway.auth.principal import Principal
from gateway.auth.tokens import InvalidToken
from gateway.errors import ErrorCode
from gateway.store.availability import is_unavailable, within_deadline
from gateway.web.middleware import request_id_of
from gateway.web.negotiation import JSON, prefers_html, response_media_type
from gateway.web.request_context import build_context
from gateway.web.response_cache import answer
from gateway.web.runtime import Runtime, runtime_of

log = logging.getLogger("gateway.web.view")

TENANT = re.compile(r"[a-z][a-z0-9]{2,15}")
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


@dataclass(frozen=True)
class Params:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


async def graphql_endpoint(request: Request) -> Response:
    """GET and POST /{tenant}/graphql, and the GraphiQL page for browsers."""
    runtime = runtime_of(request)
    started = time.perf_counter()
    outcome = Outcome()
    response = await _respond(request, runtime, outcome)
    elapsed = time.perf_counter() - started
    runtime.metrics.observe(outcome.operation_type, response.status_code, elapsed)
    runtime.metrics.count_errors(outcome.error_codes)
    return response


async def _respond(request: Request, runtime: Runtime, outcome: Outcome) -> Response:
    tenant = request.path_params["tenant"]
    if not TENANT.fullmatch(tenant):
        message = (
            "Not found: a tenant is 3 to 16 lowercase letters or digits, starting with a letter."
        )
        return _failure(HttpError(404, message, ErrorCode.NOT_FOUND), JSON, outcome)
    if request.method not in ("GET", "POST"):
        error = HttpError(405, "Use GET or POST.", headers={"Allow": "GET, POST"})
        return _failure(error, JSON, outcome)
    accept = request.headers.get("accept")
    if request.method == "GET" and runtime.graphiql is not None and prefers_html(accept):
        return runtime.graphiql.page(request, tenant)
    media_type = response_media_type(accept)
    if media_type is None:
        message = "Accept application/graphql-response+json or application/json."
        return _failure(HttpError(406, message), JSON, outcome)
    try:
        body = await _execute(request, runtime, tenant, outcome)
        if isinstance(body, bytes):
            return _encoded(body, 200, media_type)
    except HttpError as error:
        return _failure(error, media_type, outcome)
    except RequestError as error:
        return _request_failure(error, media_type, outcome)
    except Exception as error:
        if is_unavailable(error):
            log.warning("request %s: database unavailable (%r)", request_id_of(request), error)
            return _request_failure(unavailable(), media_type, outcome)
        return _internal(request, media_type, outcome)
    return _json(body, 200, media_type, outcome)


async def _execute(
    request: Request, runtime: Runtime, tenant: str, outcome: Outcome
) -> bytes | dict[str, Any]:
    """The response body: encoded when it has no errors and went through the cache."""
    principal = _authenticate(request, runtime, tenant)
    params = await _read_params(request, runtime.settings.limits.max_body_bytes)
    prepared = prepare(
        runtime.graphql_schema,
        runtime.settings,
        params.query,
        variables=params.variables,
        operation_name=params.operation_name,
        allow_mutations=request.method == "POST",
    )
    outcome.operation_type = prepared.operation.operation.value
    work = _run(request, runtime, tenant, principal, prepared, params)
    # One deadline for all of the request's database work; its TimeoutError is answered
    # 503 like any other sign of an unavailable database.
    return await within_deadline(work, runtime.settings.request_timeout_seconds)


async def _run(
    request: Request,
    runtime: Runtime,
    tenant: str,
    principal: Principal,
    prepared: Prepared,
    params: Params,
) -> bytes | dict[str, Any]:
    if runtime.sessions is None:
        raise RuntimeError("the database is not open: the app's lifespan has not started")
    context = await build_context(
        settings=runtime.settings,
        sessions=runtime.sessions,
        tenant=tenant,
        principal=principal,
        accept_language=request.headers.get("accept-language"),
        request_id=request_id_of(request),
        operation=prepared.operation,
    )
    cache = runtime.responses
    if cache is None or prepared.operation.operation is not OperationType.QUERY:
        return await run(runtime.graphql_schema, prepared, context)
    body, hit = await answer(
        cache,
        context,
        query=params.query,
        variables=params.variables,
        operation_name=params.operation_name,
        produce=lambda: run(runtime.graphql_schema, prepared, context),
        encode=_dumps,
    )
    if hit is not None:
        runtime.metrics.count_cache_lookup(hit=hit)
    return body


def _authenticate(request: Request, runtime: Runtime, tenant: str) -> Principal:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HttpError(
            401,
            "Send a bearer token in the Authorization header.",
            ErrorCode.UNAUTHENTICATED,
            {"WWW-Authenticate": "Bearer"},
        )
    try:
        principal = runtime.verifier.verify(token)
    except InvalidToken as error:
        raise HttpError(
            401,
            f"The bearer token is not valid: {error}.",
            ErrorCode.UNAUTHENTICATED,
            {"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    if principal.tenant != tenant:
        raise HttpError(403, "The token belongs to another tenant.", ErrorCode.FORBIDDEN)
    return principal


async def _read_params(request: Request, limit: int) -> Params:
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
    query = source.get("query")
    if not isinstance(query, str):
        raise HttpError(400, "The request needs a `query` string.")
    variables = _json_object(source.get("variables"), "variables", encoded)
    _json_object(source.get("extensions"), "extensions", encoded)
    # Absent is null or missing (and, for GET, which cannot send null, an empty parameter);
    # any other non-string (0, [], false) is a malformed request, not "no name".
    operation_name = source.get("operationName")
    if encoded and operation_name == "":
        operation_name = None
    if operation_name is not None and not isinstance(operation_name, str):
        raise HttpError(400, "`operationName` must be a string.")
    return Params(query, variables, operation_name)


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


def _failure(error: HttpError, media_type: str, outcome: Outcome) -> Response:
    return _json(error.body, error.status, media_type, outcome, error.headers)


def _request_failure(error: RequestError, media_type: str, outcome: Outcome) -> Response:
    status = error.status
    headers = {"Allow": "POST"} if status == 405 else {}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if status == 400 and media_type == JSON:
        # Legacy application/json clients get request errors with 200, as the spec says.
        status = 200
    return _json({"errors": error.errors}, status, media_type, outcome, headers)


def _internal(request: Request, media_type: str, outcome: Outcome) -> Response:
    request_id = request_id_of(request)
    log.exception("request %s failed", request_id)
    error = {
        "message": f"Internal error. Quote request id {request_id} when reporting it.",
        "extensions": {"code": ErrorCode.INTERNAL.value, "requestId": request_id},
    }
    return _json({"errors": [error]}, 500, media_type, outcome)


def _json(
    body: dict[str, Any],
    status: int,
    media_type: str,
    outcome: Outcome,
    headers: Mapping[str, str] | None = None,
) -> Response:
    outcome.error_codes = [e.get("extensions", {}).get("code") for e in body.get("errors", ())]
    return _encoded(_dumps(body), status, media_type, headers)


def _encoded(
    body: bytes, status: int, media_type: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        body,
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers={**NO_STORE, **(headers or {})},
    )


def _dumps(body: dict[str, Any]) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:
        # orjson refuses integers past 64 bits, which a JSON value may hold.
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
