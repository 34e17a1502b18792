"""What one running app holds: settings, schema, token verifier, metrics, the open database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from gateway.auth.tokens import TokenVerifier
from gateway.settings import Settings
from gateway.subscriptions.broker import Broker
from gateway.web.activity import RequestsInFlight
from gateway.web.graphiql import GraphiQL
from gateway.web.metrics import Metrics
from gateway.web.persisted.documents import PersistedDocuments
from gateway.web.response_cache import ResponseCache
from gateway.web.tracing import OFF, Tracing


@dataclass
class Runtime:
    settings: Settings
    graphql_schema: Any
    verifier: TokenVerifier
    metrics: Metrics
    graphiql: GraphiQL | None
    documents: PersistedDocuments
    # None when off, and for schemas other than the gateway's: only for its own fields is it
    # known what an answer depends on.
    responses: ResponseCache | None = None
    # Set by the lifespan: None before startup.
    engine: AsyncEngine | None = None
    sessions: async_sessionmaker[AsyncSession] | None = None
    # True from the moment shutdown starts: readiness fails, load balancers drain.
    draining: bool = False
    # The process's change broker, and the subscription sockets it serves now.
    broker: Broker = field(default_factory=Broker)
    open_sockets: int = 0
    # The GraphQL requests being answered now (the delivery worker gives way to them).
    requests: RequestsInFlight = field(default_factory=RequestsInFlight)
    tracing: Tracing = OFF


def runtime_of(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime
