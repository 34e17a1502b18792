"""A client span for every SQL statement an engine runs; imported only when tracing is on.

Not opentelemetry-instrumentation-sqlalchemy: it declares SQLAlchemy < 2.1 (the gateway
runs 2.1), instruments once per process rather than per engine, and puts the driver's
error text, which can quote row values, on the span's status. These are its three engine
events, lean: the span holds the dialect and the statement as compiled, with placeholders
and never parameter values. The async engine runs these sync events with the awaiting
task's context, so each span's parent is the request's current span.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext

# Where the span waits on SQLAlchemy's per-statement ExecutionContext until it ends.
SPAN = "_gateway_span"


def trace_statements(engine: Engine, tracer: Tracer) -> None:
    """Makes the engine give every statement a span from `tracer`."""
    system = engine.dialect.name

    def started(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _: Any
    ) -> None:
        attributes = {"db.system": system, "db.statement": statement}
        span = tracer.start_span(_operation(statement), kind=SpanKind.CLIENT, attributes=attributes)
        setattr(context, SPAN, span)

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", _ended)
    event.listen(engine, "handle_error", _failed)


def _operation(statement: str) -> str:
    """The span's name: the statement's first word (SELECT, INSERT, WITH), as OTel names them."""
    words = statement.split(None, 1)
    return words[0].upper() if words else "SQL"


def _ended(_conn: Any, _cursor: Any, _statement: str, _params: Any, context: Any, _: Any) -> None:
    span = getattr(context, SPAN, None)
    if span is not None:
        span.end()


def _failed(failure: ExceptionContext) -> None:
    span = getattr(failure.execution_context, SPAN, None)
    if span is None:
        return
    # SQLAlchemy's class, the same on both drivers (ProgrammingError, OperationalError).
    error = failure.sqlalchemy_exception or failure.original_exception
    span.set_attribute("error.type", type(error).__name__)
    span.set_status(Status(StatusCode.ERROR))
    span.end()
