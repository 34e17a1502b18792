"""Tracing's switch: OpenTelemetry spans when the operator turns them on, nothing when off.

Off (`GATEWAY_TRACING=off`, the default, and no tracer provider handed to `create_app`), the
gateway never imports opentelemetry: the app gets no tracing middleware, the engine no
listener, and the view's hooks are methods of `OFF` that only call on or hand back, a fixed
few per request, none per field or statement. On, `gateway/web/spans.py` makes the spans
through the OpenTelemetry API only; the SDK behind it is the operator's choice (`otlp`,
`console`) or the provider an embedding application passes in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware import Middleware

from gateway.api.execution import Prepared
from gateway.settings import TRACING_INSTALL, Settings

T = TypeVar("T")
P = ParamSpec("P")
PARSE_VALIDATE = "graphql.parse_validate"
EXECUTE = "graphql.execute"


class Tracing:
    """The hooks the app and the view call; this base class is tracing turned off."""

    def middleware(self) -> list[Middleware]:
        """What wraps the app to make a span per request: nothing."""
        return []

    def watch(self, engine: AsyncEngine) -> None:
        """Spans for the engine's statements: none."""

    def tag_request(self, tenant: str) -> None:
        """Names the request's tenant on its span."""

    def step(self, name: str, step: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """`step(*args)`, inside a child span of the request when tracing."""
        return step(*args, **kw)

    def execution(self, prepared: Prepared, work: Awaitable[T]) -> Awaitable[T]:
        """The operation's execution, inside a span when tracing."""
        return work


OFF = Tracing()


def tracing_for(settings: Settings, tracer_provider: Any = None) -> Tracing:
    """Spans to `tracer_provider`, else as `settings.tracing` says; OFF when off."""
    if tracer_provider is None and settings.tracing == "off":
        return OFF
    try:
        from gateway.web import spans
    except ModuleNotFoundError as missing:
        if not (missing.name or "").startswith("opentelemetry"):
            raise
        raise RuntimeError(
            f"GATEWAY_TRACING={settings.tracing} needs OpenTelemetry: {TRACING_INSTALL}"
        ) from None
    if tracer_provider is None:
        tracer_provider = spans.sdk_provider(settings.tracing)
    return spans.Spans(tracer_provider)
