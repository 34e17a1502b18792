"""The gateway's OpenTelemetry spans, imported only when tracing is on (gateway/web/tracing.py).

A request is one server span, made by OpenTelemetry's ASGI middleware (which also continues
an incoming W3C `traceparent`), named for its route and tagged with the tenant. Under it: the
parse and validate step, the execution, and each SQL statement (gateway/store/spans.py).
Spans carry no customer data: no query text, variables or URL query string, no statement
parameters, no error messages (which can quote input); failures show as an ERROR status and
an `error.type` that is a code or an exception class.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.resources import SERVICE_NAME, OTELResourceDetector, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
)
from opentelemetry.trace import Span, Status, StatusCode
from opentelemetry.util.http import get_excluded_urls
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware
from starlette.routing import Match
from starlette.types import Scope

from gateway.api.execution import Prepared, RequestError
from gateway.store import spans as statement_spans
from gateway.web.tracing import EXECUTE, Tracing

T = TypeVar("T")
P = ParamSpec("P")
SERVICE = "segment-gateway"
TRACER = "gateway"
TENANT = "gateway.tenant"
ERROR_TYPE = "error.type"
# Where the ASGI middleware puts the URL; a GET's query string holds the GraphQL document
# and its variables, so these are rewritten without it.
URL_ATTRIBUTES = ("http.url", "url.full", "http.target", "url.query")


class Spans(Tracing):
    """Tracing turned on: spans to one tracer provider, through the OpenTelemetry API."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider
        self.tracer = trace.get_tracer(TRACER, tracer_provider=provider)

    def middleware(self) -> list[Middleware]:
        return [
            Middleware(
                OpenTelemetryMiddleware,
                tracer_provider=self.provider,
                default_span_details=route_span_details,
                server_request_hook=without_query_string,
                # A span per ASGI message would double the spans of every request.
                exclude_spans=["receive", "send"],
                # Paths to leave untraced (probes, say): OTEL_PYTHON_ASGI_EXCLUDED_URLS.
                excluded_urls=get_excluded_urls("ASGI"),
            )
        ]

    def watch(self, engine: AsyncEngine) -> None:
        statement_spans.trace_statements(engine.sync_engine, self.tracer)

    def tag_request(self, tenant: str) -> None:
        trace.get_current_span().set_attribute(TENANT, tenant)

    def step(self, name: str, step: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        with self._span(name, {}):
            return step(*args, **kw)

    def execution(self, prepared: Prepared, work: Awaitable[T]) -> Awaitable[T]:
        operation = prepared.operation
        attributes = {"graphql.operation.type": operation.operation.value}
        if operation.name is not None:
            attributes["graphql.operation.name"] = operation.name.value
        return self._executed(attributes, work)

    async def _executed(self, attributes: dict[str, str], work: Awaitable[T]) -> T:
        with self._span(EXECUTE, attributes) as span:
            body = await work
            if isinstance(body, dict) and body.get("errors"):
                _failed(span, _codes(body["errors"]))
            return body

    @contextmanager
    def _span(self, name: str, attributes: dict[str, str]) -> Iterator[Span]:
        # Not the API's own exception recording: its event holds the message.
        with self.tracer.start_as_current_span(
            name, attributes=attributes, record_exception=False, set_status_on_exception=False
        ) as span:
            try:
                yield span
            except BaseException as error:
                codes = _codes(error.errors) if isinstance(error, RequestError) else ""
                _failed(span, codes or type(error).__name__)
                raise


def _failed(span: Span, error_type: str) -> None:
    span.set_attribute(ERROR_TYPE, error_type)
    span.set_status(Status(StatusCode.ERROR))


def _codes(errors: list[dict[str, Any]]) -> str:
    """The errors' distinct codes, in order: "BAD_USER_INPUT", "INTERNAL,NOT_FOUND"."""
    codes = (error.get("extensions", {}).get("code", "") for error in errors)
    return ",".join(sorted({code for code in codes if code}))


def route_span_details(scope: Scope) -> tuple[str, dict[str, str]]:
    """The request span's name and route: "POST /{tenant}/graphql", not the tenant's path."""
    method = scope.get("method", "")
    for route in scope["app"].routes:
        if route.matches(scope)[0] is not Match.NONE:
            return f"{method} {route.path}", {"http.route": route.path}
    return method, {}


def without_query_string(span: Span, scope: Scope) -> None:
    """Rewrites the URL attributes the middleware set without the query string."""
    recorded = getattr(span, "attributes", None) or {}
    for key in URL_ATTRIBUTES:
        value = recorded.get(key)
        if isinstance(value, str):
            span.set_attribute(key, "" if key == "url.query" else value.split("?", 1)[0])


def sdk_provider(mode: str) -> TracerProvider:
    """The SDK set up as GATEWAY_TRACING says, named by OTEL_SERVICE_NAME if set."""
    named = Resource.create({SERVICE_NAME: SERVICE})
    provider = TracerProvider(resource=named.merge(OTELResourceDetector().detect()))
    provider.add_span_processor(_processor(mode))
    return provider


def _processor(mode: str) -> SpanProcessor:
    if mode == "console":
        # Printed as each span ends, to this process's stdout at the time.
        return SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stdout))
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    # Endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables.
    return BatchSpanProcessor(OTLPSpanExporter())
