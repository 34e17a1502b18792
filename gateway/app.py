"""create_app(settings) -> Starlette: routes, middleware, and a lifespan that opens the database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway.auth.tokens import TokenVerifier
from gateway.catalog import index as catalog_index
from gateway.migrations import ensure_schema_async
from gateway.settings import Settings, load_settings
from gateway.store.database import create_engine, session_factory
from gateway.subscriptions.broker import Broker
from gateway.web.access_log import AccessLogMiddleware
from gateway.web.graphiql import ASSET_PATH, GraphiQL
from gateway.web.metrics import Metrics
from gateway.web.middleware import RequestIdMiddleware
from gateway.web.negotiation import prefers_html
from gateway.web.persisted.documents import persisted_documents
from gateway.web.probes import healthz, metrics, readyz
from gateway.web.response_cache import ResponseCache
from gateway.web.runtime import Runtime
from gateway.web.subscription_socket import graphql_socket
from gateway.web.tracing import tracing_for
from gateway.web.view import graphql_endpoint
from gateway.webhooks.worker import DeliveryWorker

EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ENDPOINTS = {
    "graphql": "/{tenant}/graphql",
    "example": "/demo/graphql",
    "health": "/healthz",
    "ready": "/readyz",
    "metrics": "/metrics",
}
ROOT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>segment-gateway</title></head>
<body><h1>segment-gateway</h1>
<p>GraphQL is served at <code>/{tenant}/graphql</code>, over GET and POST, for example
<a href="/demo/graphql">/demo/graphql</a>.%s</p>
<p>Probes: <a href="/healthz">/healthz</a>, <a href="/readyz">/readyz</a>,
<a href="/metrics">/metrics</a>.</p></body></html>
"""
GRAPHIQL_NOTE = " Opened in a browser, that address shows GraphiQL."


def create_app(
    settings: Settings | None = None, *, graphql_schema: Any = None, tracer_provider: Any = None
) -> Starlette:
    """The gateway as an ASGI app; settings come from the environment when not given.

    Spans go to `tracer_provider` when given (an OpenTelemetry TracerProvider), else as
    GATEWAY_TRACING says."""
    settings = settings if settings is not None else load_settings()
    responses = None
    if graphql_schema is None:
        from gateway.schema import schema

        graphql_schema = schema._schema
        if settings.response_cache_mb:
            responses = ResponseCache(settings.response_cache_mb * 1024 * 1024)
    graphiql = GraphiQL(settings.asset_cache_dir) if settings.graphiql else None
    verifier = TokenVerifier(settings)
    documents = persisted_documents(settings)
    runtime = Runtime(
        settings,
        graphql_schema,
        verifier,
        Metrics(),
        graphiql,
        documents,
        responses=responses,
        broker=Broker(settings.limits.max_queued_events),
        tracing=tracing_for(settings, tracer_provider),
    )
    app = Starlette(
        routes=_routes(graphiql),
        middleware=[*runtime.tracing.middleware(), *_middleware(settings)],
        lifespan=partial(_lifespan, runtime),
    )
    app.state.runtime = runtime
    return app


def _routes(graphiql: GraphiQL | None) -> list[Route | WebSocketRoute]:
    routes: list[Route | WebSocketRoute] = [
        Route("/", root, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        # Every method reaches the view, which answers 404 for a bad tenant before a 405.
        Route("/{tenant}/graphql", graphql_endpoint, methods=EVERY_METHOD),
        WebSocketRoute("/{tenant}/graphql", graphql_socket),
    ]
    if graphiql is not None:
        routes.append(Route(ASSET_PATH + "/{key:path}", graphiql.asset, methods=["GET"]))
    return routes


async def root(request: Request) -> Response:
    """Where the GraphQL endpoint is: a short page for browsers, else JSON."""
    graphiql = request.app.state.runtime.settings.graphiql
    headers = {"Vary": "Accept"}
    if prefers_html(request.headers.get("accept")):
        return HTMLResponse(ROOT_PAGE % (GRAPHIQL_NOTE if graphiql else ""), headers=headers)
    return JSONResponse({**ENDPOINTS, "graphiql": graphiql}, headers=headers)


def _middleware(settings: Settings) -> list[Middleware]:
    middleware = [Middleware(RequestIdMiddleware), Middleware(AccessLogMiddleware)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                # If-None-Match and ETag: a script may revalidate a GET answer itself.
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "Accept",
                    "Accept-Language",
                    "legalEntityId",
                    "If-None-Match",
                ],
                expose_headers=["X-Request-ID", "ETag"],
                max_age=600,
            )
        )
    return middleware


@asynccontextmanager
async def _lifespan(runtime: Runtime, app: Starlette) -> AsyncIterator[None]:
    # An empty SQLite database gets its schema; PostgreSQL is migrated with `gateway migrate`.
    await ensure_schema_async(runtime.settings.database_url)
    # No statement outlives the request's deadline, on SQLite as on PostgreSQL.
    deadline_ms = round(runtime.settings.request_timeout_seconds * 1000)
    engine = create_engine(
        runtime.settings.database_url,
        statement_timeout_ms=deadline_ms,
        pool_size=runtime.settings.db_pool_size,
    )
    runtime.tracing.watch(engine)
    delivering: asyncio.Task[None] | None = None
    try:
        runtime.engine, runtime.sessions = engine, session_factory(engine)
        runtime.broker.attach(engine)
        runtime.draining = False
        await runtime.broker.start(runtime.settings.database_url)
        if runtime.settings.delivery.in_serve:
            worker = DeliveryWorker(
                runtime.sessions,
                runtime.settings,
                observer=runtime.metrics,
                requests=runtime.requests,
            )
            runtime.broker.watch(worker.wake)
            delivering = asyncio.create_task(worker.run(), name="webhook delivery")
        if runtime.settings.gc_freeze:
            # The schema, settings and modules live as long as the process; so does each
            # catalog index while it is current.
            catalog_index.freeze_after_build = True
            catalog_index.freeze_long_lived()
        yield
    finally:
        runtime.draining = True
        if delivering is not None:
            delivering.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivering
        await runtime.broker.stop()
        await engine.dispose()
