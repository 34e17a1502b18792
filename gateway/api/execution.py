"""One GraphQL operation, end to end: parse, validate, execute, format errors."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    ValidationRule,
    execute,
    parse,
    specified_rules,
    subscribe,
    validate,
)
from graphql.error import GraphQLSyntaxError

from gateway.api.limits import validation_rules
from gateway.api.preflight import VariableErrors, check_operation
from gateway.context import Context
from gateway.errors import ErrorCode
from gateway.settings import Settings
from gateway.store.availability import is_unavailable

log = logging.getLogger("gateway.api.execution")

MAX_CACHED_DOCUMENTS = 512
# The schema's extensions may name the executor class to run it with (gateway/schema.py sets
# the catalog's); the executor itself knows no domain.
EXECUTOR = "gateway.executor_class"
MAX_CACHED_QUERY_LENGTH = 16 * 1024
_valid_documents: OrderedDict[tuple[Any, ...], DocumentNode] = OrderedDict()


class RequestError(Exception):
    """The request cannot run at all: HTTP status and GraphQL errors to send."""

    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["message"] if errors else str(status))
        self.status = status
        self.errors = errors


def request_error(status: int, message: str, code: ErrorCode) -> RequestError:
    return RequestError(status, [{"message": message, "extensions": {"code": code.value}}])


def unavailable() -> RequestError:
    """The database did not answer within the request's deadline, or is down: 503."""
    message = "The service is temporarily unavailable. Retry the request later."
    return request_error(503, message, ErrorCode.UNAVAILABLE)


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    variables: dict[str, Any] | None
    operation_name: str | None
    # Variables are coerced while executing; their errors must not suggest names either.
    hide_suggestions: bool = False


def _select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [o for o in operations if o.name and o.name.value == name]
        if not operations:
            raise request_error(400, f"Unknown operation named {name!r}.", ErrorCode.BAD_USER_INPUT)
    if len(operations) != 1:
        message = "Send exactly one operation or name one with operationName."
        raise request_error(400, message, ErrorCode.BAD_USER_INPUT)
    return operations[0]


def prepare(
    graphql_schema: Any,
    settings: Settings,
    query: str,
    *,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    allow_mutations: bool = True,
    allow_subscriptions: bool = False,
    extra_rules: tuple[Any, ...] = (),
) -> Prepared:
    """Parse and validate; raises RequestError for anything that must not execute."""
    document = _checked_document(graphql_schema, settings, query, extra_rules)
    _check_no_nul(variables)
    operation = _select_operation(document, operation_name)
    if operation.operation is OperationType.MUTATION and not allow_mutations:
        raise request_error(405, "Mutations must be sent with POST.", ErrorCode.BAD_USER_INPUT)
    if operation.operation is OperationType.SUBSCRIPTION and not allow_subscriptions:
        message = "Subscriptions run over WebSocket (graphql-transport-ws) on this path."
        raise request_error(400, message, ErrorCode.BAD_USER_INPUT)
    return Prepared(document, operation, variables, operation_name, not settings.suggestions)


def _checked_document(
    graphql_schema: Any, settings: Settings, query: str, extra_rules: tuple[Any, ...]
) -> DocumentNode:
    key = (id(graphql_schema), settings, extra_rules, query)
    cached = _valid_documents.get(key)
    if cached is not None:
        _valid_documents.move_to_end(key)
        return cached
    document = _parse_and_validate(graphql_schema, settings, query, extra_rules)
    # Storefronts send the same few documents over and over; only valid ones are kept, so
    # garbage cannot crowd them out, and only short ones, so memory stays bounded.
    if len(query) <= MAX_CACHED_QUERY_LENGTH:
        _valid_documents[key] = document
        if len(_valid_documents) > MAX_CACHED_DOCUMENTS:
            _valid_documents.popitem(last=False)
    return document


def _parse_and_validate(
    graphql_schema: Any, settings: Settings, query: str, extra_rules: tuple[Any, ...]
) -> DocumentNode:
    try:
        # Lexical tokens, so comments do not eat into the budget; they have their own.
        document = parse(
            query,
            max_lexical_tokens=settings.limits.max_tokens,
            max_comments=settings.limits.max_tokens,
        )
    except GraphQLSyntaxError as error:
        raise RequestError(400, [_format_graphql_error(error)]) from None
    errors = validate(
        graphql_schema,
        document,
        rules=[*specified_rules, *validation_rules(settings), NoNulStringsRule, *extra_rules],
        hide_suggestions=not settings.suggestions,
    )
    if errors:
        raise RequestError(400, [_format_graphql_error(e) for e in errors])
    return document


async def run(graphql_schema: Any, prepared: Prepared, context: Context) -> dict[str, Any]:
    """Execute a prepared operation; returns the response body as a dict."""
    try:
        return await _run(graphql_schema, prepared, context)
    finally:
        # The request's read connection goes back to the pool however the request ends.
        await context.reads.close()


async def _run(graphql_schema: Any, prepared: Prepared, context: Context) -> dict[str, Any]:
    cost = await _preflight(graphql_schema, prepared, context)
    result = execute(
        graphql_schema, prepared.document, **_arguments(graphql_schema, prepared, context)
    )
    if not isinstance(result, ExecutionResult):
        result = await result
    return _body(result, cost, context)


async def open_stream(
    graphql_schema: Any, prepared: Prepared, context: Context
) -> AsyncIterator[ExecutionResult] | ExecutionResult:
    """A subscription's results, after the same preflight as any operation (RequestError)."""
    await _preflight(graphql_schema, prepared, context)
    arguments = _arguments(graphql_schema, prepared, context)
    stream = subscribe(graphql_schema, prepared.document, **arguments)
    return await stream if isawaitable(stream) else stream


def _arguments(graphql_schema: Any, prepared: Prepared, context: Context) -> dict[str, Any]:
    """What graphql-core's execute and subscribe both take: one operation, run one way."""
    return {
        "context_value": context,
        "variable_values": prepared.variables,
        "operation_name": prepared.operation_name,
        "hide_suggestions": prepared.hide_suggestions,
        "executor_class": graphql_schema.extensions.get(EXECUTOR),
    }


def _body(result: ExecutionResult, cost: int, context: Context) -> dict[str, Any]:
    """The response body of an executed operation; RequestError when nothing could run."""
    cause = next((e.original_error for e in result.errors or () if _is_unavailable(e)), None)
    if cause is not None:
        # Nothing partial: the whole request failed for want of a database, and may be retried.
        log.warning("request %s: database unavailable (%r)", context.request_id, cause)
        raise unavailable()
    if result.errors and result.data is None and _is_coercion_failure(result.errors):
        # Variables that do not coerce: a request error, nothing ran.
        raise RequestError(400, [_format_graphql_error(e) for e in result.errors])
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [format_error(e, context.request_id) for e in result.errors]
    body["extensions"] = {"cost": {"requested": cost, "limit": context.settings.limits.max_cost}}
    return body


def _is_unavailable(error: GraphQLError) -> bool:
    # Resolvers' exceptions arrive wrapped; the database's are classified in one place.
    return error.original_error is not None and is_unavailable(error.original_error)


async def _preflight(graphql_schema: Any, prepared: Prepared, context: Context) -> int:
    """Arguments checked and the cost computed before any resolver: nothing runs if refused."""
    try:
        return await check_operation(
            graphql_schema,
            prepared.document,
            prepared.operation,
            prepared.variables,
            context,
            hide_suggestions=prepared.hide_suggestions,
        )
    except VariableErrors as refused:
        raise RequestError(400, [_format_graphql_error(e) for e in refused.errors]) from None
    except GraphQLError as refused:
        raise RequestError(400, [_format_graphql_error(refused)]) from None


def _is_coercion_failure(errors: list[GraphQLError]) -> bool:
    # Field errors always carry a path; variable coercion errors never do, and may wrap
    # the scalar's own GraphQLError as original_error.
    return all(e.path is None for e in errors)


def _format_graphql_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = error.formatted  # type: ignore[assignment]
    formatted.setdefault("extensions", {}).setdefault("code", ErrorCode.BAD_USER_INPUT.value)
    return formatted


def format_error(error: GraphQLError, request_id: str) -> dict[str, Any]:
    """Documented errors pass through; anything else is masked as INTERNAL."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return _format_graphql_error(error)
    log.error(
        "request %s: unhandled error at %s",
        request_id,
        error.path,
        exc_info=(type(original), original, original.__traceback__),
    )
    masked: dict[str, Any] = {
        "message": f"Internal error. Quote request id {request_id} when reporting it.",
        "extensions": {"code": ErrorCode.INTERNAL.value, "requestId": request_id},
    }
    if error.path is not None:
        masked["path"] = error.path
    if error.locations:
        masked["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return masked


NUL_MESSAGE = "Strings may not contain the NUL character (U+0000)."


class NoNulStringsRule(ValidationRule):
    """Refuses string literals holding U+0000, which PostgreSQL cannot store or compare."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if "\x00" in node.value:
            code = ErrorCode.BAD_USER_INPUT.value
            self.report_error(GraphQLError(NUL_MESSAGE, node, extensions={"code": code}))


def _check_no_nul(variables: Any) -> None:
    """The same for variables, keys of JSON objects included; iterative, so depth is free."""
    pending = [variables]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            raise request_error(400, f"Variables: {NUL_MESSAGE}", ErrorCode.BAD_USER_INPUT)
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
