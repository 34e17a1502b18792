"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.store.availability import within_deadline
from gateway.web.runtime import runtime_of

log = logging.getLogger("gateway.web.probes")
NO_STORE = {"Cache-Control": "no-store"}


async def healthz(request: Request) -> Response:
    """The process answers; never touches the database."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def readyz(request: Request) -> Response:
    """The database answers `SELECT 1` within the readiness timeout, and no shutdown began."""
    runtime = runtime_of(request)
    if runtime.draining or runtime.engine is None:
        return _unready("shutting down" if runtime.draining else "starting")
    try:
        await within_deadline(
            _select_one(runtime.engine), runtime.settings.readiness_timeout_seconds
        )
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readiness check failed: %s", type(error).__name__)
        return _unready("database unreachable")
    return JSONResponse({"status": "ready"}, headers=NO_STORE)


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


def _unready(reason: str) -> Response:
    return JSONResponse({"status": reason}, status_code=503, headers=NO_STORE)


async def metrics(request: Request) -> Response:
    return Response(runtime_of(request).metrics.render(), media_type=CONTENT_TYPE_LATEST)
