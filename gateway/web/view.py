"""The GraphQL-over-HTTP view of /{tenant}/graphql: media types, status codes, tokens."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from graphql import OperationType
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from gateway.api.execution import Prepared, RequestError, prepare, run, unavailable
from gateway.auth.principal import Principal
from gateway.auth.tokens import InvalidToken
from gateway.context import Context
from gateway.errors import ErrorCode
from gateway.store.availability import is_unavailable, within_deadline
from gateway.web import http_cache
from gateway.web.logs import note_operation, note_tenant
from gateway.web.middleware import request_id_of
from gateway.web.negotiation import JSON, prefers_html, response_media_type
from gateway.web.request_context import (
    LEGAL_ENTITY_HEADER,
    anonymous_introspection,
    bearer_token,
    build_context,
    is_introspection_only,
    with_legal_entity_header,
)
from gateway.web.request_params import Params, read_params
from gateway.web.response_cache import ResponseCache, answer
from gateway.web.responses import (
    HttpError,
    Outcome,
    http_failure,
    json_response,
    request_failure,
)
from gateway.web.runtime import Runtime, runtime_of
from gateway.web.tracing import PARSE_VALIDATE

log = logging.getLogger("gateway.web.view")

TENANT = re.compile(r"[a-z][a-z0-9]{2,15}")


async def graphql_endpoint(request: Request) -> Response:
    """GET and POST /{tenant}/graphql, and the GraphiQL page for browsers."""
    runtime = runtime_of(request)
    started = time.perf_counter()
    outcome = Outcome()
    with runtime.requests.one():
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
        return http_failure(HttpError(404, message, ErrorCode.NOT_FOUND), JSON, outcome)
    note_tenant(tenant)
    runtime.tracing.tag_request(tenant)
    if request.method not in ("GET", "POST"):
        error = HttpError(405, "Use GET or POST.", headers={"Allow": "GET, POST"})
        return http_failure(error, JSON, outcome)
    accept = request.headers.get("accept")
    if request.method == "GET" and runtime.graphiql is not None and prefers_html(accept):
        return runtime.graphiql.page(request, tenant, runtime.settings)
    media_type = response_media_type(accept)
    if media_type is None:
        message = "Accept application/graphql-response+json or application/json."
        return http_failure(HttpError(406, message), JSON, outcome)
    return await _answer(request, runtime, tenant, media_type, outcome)


async def _answer(
    request: Request, runtime: Runtime, tenant: str, media_type: str, outcome: Outcome
) -> Response:
    try:
        body = await _execute(request, runtime, tenant, outcome)
    except HttpError as error:
        return http_failure(error, media_type, outcome)
    except RequestError as error:
        return request_failure(error, media_type, outcome)
    except Exception as error:
        if is_unavailable(error):
            log.warning("request %s: database unavailable (%r)", request_id_of(request), error)
            return request_failure(unavailable(), media_type, outcome)
        return _internal(request, media_type, outcome)
    return http_cache.answered(request, body, media_type, outcome)


async def _execute(
    request: Request, runtime: Runtime, tenant: str, outcome: Outcome
) -> bytes | dict[str, Any]:
    """The response body: encoded when it has no errors and went through the cache."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None and anonymous_introspection(runtime.settings):
        principal, params, prepared = await _anonymous(request, runtime, tenant)
    else:
        principal = _authenticate(request, runtime, tenant, token)
        params, prepared = await _read_and_prepare(request, runtime, tenant)
    outcome.operation_type = prepared.operation.operation.value
    note_operation(prepared.operation)
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
    context = await build_context(
        settings=runtime.settings,
        sessions=_sessions(runtime),
        tenant=tenant,
        principal=principal,
        accept_language=request.headers.get("accept-language"),
        request_id=request_id_of(request),
        operation=prepared.operation,
    )

    def produce() -> Awaitable[dict[str, Any]]:
        return runtime.tracing.execution(prepared, run(runtime.graphql_schema, prepared, context))

    cache = runtime.responses
    if cache is None or prepared.operation.operation is not OperationType.QUERY:
        return await produce()
    return await _cached(runtime, cache, context, params, produce)


async def _cached(
    runtime: Runtime,
    cache: ResponseCache,
    context: Context,
    params: Params,
    produce: Callable[[], Awaitable[dict[str, Any]]],
) -> bytes | dict[str, Any]:
    """A query's answer through the response cache, counting the lookup if there was one."""
    body, hit = await answer(
        cache,
        context,
        query=params.query,
        variables=params.variables,
        operation_name=params.operation_name,
        produce=produce,
        encode=http_cache.encode,
    )
    if hit is not None:
        runtime.metrics.count_cache_lookup(hit=hit)
    return body


async def _read_and_prepare(
    request: Request, runtime: Runtime, tenant: str, *, register: bool = True
) -> tuple[Params, Prepared]:
    """The request's parameters, its persisted document in place, parsed and validated;
    a document sent with its hash is stored when `register` (never for anonymous callers)."""
    sessions = _sessions(runtime)
    sent = await read_params(request, runtime.settings.limits.max_body_bytes)
    lookup = await runtime.documents.resolve(sent, tenant, sessions)
    prepared = runtime.tracing.step(PARSE_VALIDATE, _prepare, request, runtime, lookup.params)
    await runtime.documents.settle(lookup, prepared, tenant, sessions, register=register)
    return lookup.params, prepared


def _sessions(runtime: Runtime) -> async_sessionmaker[AsyncSession]:
    if runtime.sessions is None:
        raise RuntimeError("the database is not open: the app's lifespan has not started")
    return runtime.sessions


def _prepare(request: Request, runtime: Runtime, params: Params) -> Prepared:
    return prepare(
        runtime.graphql_schema,
        runtime.settings,
        params.query,
        variables=params.variables,
        operation_name=params.operation_name,
        allow_mutations=request.method == "POST",
    )


async def _anonymous(
    request: Request, runtime: Runtime, tenant: str
) -> tuple[Principal, Params, Prepared]:
    """A tokenless request that may run: a valid query of only introspection fields.

    Anything else is answered as any tokenless request is (401), whatever its body."""
    try:
        params, prepared = await _read_and_prepare(request, runtime, tenant, register=False)
    except (HttpError, RequestError):
        raise _missing_token() from None
    if not is_introspection_only(prepared.operation):
        raise _missing_token()
    return Principal(tenant=tenant, scopes=frozenset()), params, prepared


def _missing_token() -> HttpError:
    return HttpError(
        401,
        "Send a bearer token in the Authorization header.",
        ErrorCode.UNAUTHENTICATED,
        {"WWW-Authenticate": "Bearer"},
    )


def _authenticate(request: Request, runtime: Runtime, tenant: str, token: str | None) -> Principal:
    if token is None:
        raise _missing_token()
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
    return with_legal_entity_header(principal, request.headers.get(LEGAL_ENTITY_HEADER))


def _internal(request: Request, media_type: str, outcome: Outcome) -> Response:
    request_id = request_id_of(request)
    log.exception("request %s failed", request_id)
    error = {
        "message": f"Internal error. Quote request id {request_id} when reporting it.",
        "extensions": {"code": ErrorCode.INTERNAL.value, "requestId": request_id},
    }
    return json_response({"errors": [error]}, 500, media_type, outcome)
