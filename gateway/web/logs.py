"""One log format for every process: JSON lines off a terminal, readable text on one.

Every record (the gateway's, uvicorn's, the libraries') reaches one handler on the root
logger whose formatter is structlog's ProcessorFormatter, so all are rendered alike. A
record logged during a request also carries the request's id, tenant, operation and the
milliseconds since it began: the `RequestLog` in the context, which the access log
middleware (gateway/web/access_log.py) sets and the view completes. The configuration is
one dictConfig, applied by `gateway` itself and handed to uvicorn, which applies it again in
each worker process it starts.
"""

from __future__ import annotations

import logging.config
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from structlog.dev import ConsoleRenderer
from structlog.processors import (
    CallsiteParameter,
    CallsiteParameterAdder,
    EventRenamer,
    JSONRenderer,
    format_exc_info,
)
from structlog.typing import EventDict, Processor, WrappedLogger

if TYPE_CHECKING:
    from graphql import OperationDefinitionNode

# The access line's own fields, passed as `extra`; other extras (uvicorn's colour codes)
# are left out.
ACCESS_FIELDS = ("method", "path", "status", "bytes", "client")


@dataclass
class RequestLog:
    """What every line logged during one request says about it."""

    request_id: str
    started: float = field(default_factory=time.perf_counter)
    tenant: str | None = None
    operation: str | None = None
    operation_type: str | None = None

    def fields(self) -> dict[str, Any]:
        known: dict[str, Any] = {
            "request_id": self.request_id,
            "tenant": self.tenant,
            "operation": self.operation,
            "operation_type": self.operation_type,
        }
        fields = {name: value for name, value in known.items() if value is not None}
        fields["duration_ms"] = round((time.perf_counter() - self.started) * 1000, 2)
        return fields


# One object per request, mutated rather than replaced: a task started during the request
# (graphql-core gathers resolvers) holds a copy of the context, but the same object.
CURRENT: ContextVar[RequestLog | None] = ContextVar("gateway_request_log", default=None)


def note_tenant(tenant: str) -> None:
    """The request's tenant, once the view has found it well-formed."""
    current = CURRENT.get()
    if current is not None:
        current.tenant = tenant


def note_operation(operation: OperationDefinitionNode) -> None:
    """The request's operation: its name (a GraphQL name, so safe to log) and type."""
    current = CURRENT.get()
    if current is not None:
        current.operation = operation.name.value if operation.name else None
        current.operation_type = operation.operation.value


def add_request_fields(logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
    current = CURRENT.get()
    if current is not None:
        for name, value in current.fields().items():
            event.setdefault(name, value)
    return event


_SHARED: list[Processor] = [
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.ExtraAdder(allow=ACCESS_FIELDS),
    add_request_fields,
]

_JSON: tuple[list[Processor], list[Processor]] = (
    # The process id tells the lines of --workers apart.
    [CallsiteParameterAdder([CallsiteParameter.PROCESS])],
    [format_exc_info, EventRenamer("message"), JSONRenderer()],
)


def formatter(format: str, colors: bool = False) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every line: "json" (one object a line) or "text"."""
    pre_chain, rendering = _JSON if format == "json" else ([], [ConsoleRenderer(colors=colors)])
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, *pre_chain],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
    )


def logging_config(level: str, format: str | None) -> dict[str, Any]:
    """The dictConfig of every process; `format` None is text on a terminal, else JSON."""
    terminal = sys.stderr.isatty()
    chosen = format or ("text" if terminal else "json")
    return {
        "version": 1,
        # Loggers made at import (log = logging.getLogger(...)) must keep working.
        "disable_existing_loggers": False,
        "formatters": {
            "gateway": {
                "()": "gateway.web.logs.formatter",
                "format": chosen,
                "colors": terminal and chosen == "text",
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "gateway",
                "stream": "ext://sys.stderr",
                # The level is the handler's too: a library's logger set lower is held to it.
                "level": level,
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's lines go up to the root's handler; its access log is replaced by
            # gateway.access (gateway/web/access_log.py).
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            # Its DEBUG lines hold every statement with its parameters: customer data.
            "aiosqlite": {"level": "INFO"},
            # One INFO line per webhook attempt ("HTTP Request: POST ..."): the worker logs
            # the attempts that fail, and /metrics counts them all.
            "httpx": {"level": "WARNING"},
        },
    }


def configure(level: str, format: str | None) -> dict[str, Any]:
    """Applies the configuration to this process; returns it for uvicorn's workers."""
    config = logging_config(level, format)
    logging.config.dictConfig(config)
    return config
