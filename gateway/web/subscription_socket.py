"""WebSocket /{tenant}/graphql: GraphQL subscriptions over graphql-transport-ws.

graphql-core's `subscribe` under the gateway's own endpoint, so a subscription gets the same
token checks, field policy, preflight and error masking as any operation over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from graphql import OperationType
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.api.execution import Prepared, RequestError, format_error, open_stream, prepare
from gateway.auth.principal import Principal
from gateway.auth.tokens import InvalidToken
from gateway.context import Context
from gateway.subscriptions.broker import Feed, Overflow
from gateway.web import socket_messages as ws
from gateway.web.request_context import build_context, with_legal_entity_header
from gateway.web.responses import HttpError
from gateway.web.runtime import Runtime, runtime_of
from gateway.web.socket_messages import Closed, Message
from gateway.web.view import TENANT

log = logging.getLogger("gateway.web.subscription_socket")


async def graphql_socket(websocket: WebSocket) -> None:
    """The subscriptions of one client, until it leaves, its token expires or it falls behind."""
    runtime = runtime_of(websocket)
    tenant = websocket.path_params["tenant"]
    if not TENANT.fullmatch(tenant):
        await websocket.close(4404, "Not found: no such tenant.")  # refused before the upgrade
        return
    if ws.PROTOCOL not in websocket.scope.get("subprotocols", ()):
        await websocket.accept()
        await websocket.close(4406, f"Subprotocol not acceptable: use {ws.PROTOCOL}.")
        return
    await websocket.accept(subprotocol=ws.PROTOCOL)
    if runtime.open_sockets >= runtime.settings.limits.max_websockets:
        await websocket.close(ws.TRY_AGAIN_LATER, "Too many connections; try again later.")
        return
    runtime.open_sockets += 1
    runtime.metrics.sockets.inc()
    try:
        await Connection(websocket, runtime, tenant).serve()
    finally:
        runtime.open_sockets -= 1
        runtime.metrics.sockets.dec()


class Connection:
    def __init__(self, websocket: WebSocket, runtime: Runtime, tenant: str) -> None:
        self._socket = websocket
        self._runtime = runtime
        self._tenant = tenant
        self._limits = runtime.settings.limits
        self._principal: Principal | None = None
        self._expires_at = time.time() + ws.CONNECTION_INIT_TIMEOUT_S
        self._subscriptions: dict[str, asyncio.Task[None]] = {}
        self._fatal: asyncio.Future[Closed] = asyncio.get_running_loop().create_future()
        self._sending = asyncio.Lock()

    async def serve(self) -> None:
        receiving: asyncio.Task[str] | None = None
        try:
            while True:
                receiving = receiving or asyncio.ensure_future(self._socket.receive_text())
                await self._handle(await self._next(receiving))
                receiving = None
        except Closed as closing:
            # Bounded: a client that reads nothing may never take the close frame either.
            with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError, TimeoutError):
                await asyncio.wait_for(self._socket.close(closing.code, closing.reason), 5)
        except WebSocketDisconnect:
            pass
        finally:
            if receiving is not None:
                receiving.cancel()
            for task in self._subscriptions.values():
                task.cancel()

    async def _next(self, receiving: asyncio.Task[str]) -> Message:
        """The next message, unless the token expires or a subscriber fails the connection."""
        remaining = max(0.0, self._expires_at - time.time())
        waits: set[asyncio.Future[Any]] = {receiving, self._fatal}
        done, _ = await asyncio.wait(waits, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
        if self._fatal in done:
            raise self._fatal.result()
        if not done:
            if self._principal is None:
                raise Closed(ws.INIT_TIMEOUT, "Connection initialisation timeout.")
            raise Closed(ws.FORBIDDEN, "Forbidden: the token has expired.")
        return ws.parse(receiving.result(), self._limits.max_body_bytes)

    async def _handle(self, message: Message) -> None:
        if message.type == "connection_init":
            await self._init(message.payload)
        elif message.type == "ping":
            await self._send(ws.encoded("pong"))
        elif message.type == "pong":
            return
        elif self._principal is None:
            raise Closed(4401, "Unauthorized: send connection_init first.")
        elif message.type == "subscribe":
            await self._subscribe(str(message.id), message.payload)
        elif message.type == "complete":
            task = self._subscriptions.pop(str(message.id), None)
            if task is not None:
                task.cancel()
        else:
            raise Closed(ws.BAD_MESSAGE, f"Invalid message received: type {message.type!r}.")

    async def _init(self, payload: Any) -> None:
        if self._principal is not None:
            raise Closed(ws.TOO_MANY_INITS, "Too many initialisation requests.")
        token = ws.bearer_of(payload)
        if token is None:
            raise Closed(ws.FORBIDDEN, "Forbidden: send {'Authorization': 'Bearer <JWT>'}.")
        try:
            principal, expires_at = self._runtime.verifier.verify_until(token)
        except InvalidToken:
            raise Closed(ws.FORBIDDEN, "Forbidden: the token is not valid.") from None
        if principal.tenant != self._tenant:
            raise Closed(ws.FORBIDDEN, "Forbidden: the token belongs to another tenant.")
        legal_entity = payload.get("legalEntityId")
        if legal_entity is not None and not isinstance(legal_entity, str):
            raise Closed(ws.BAD_MESSAGE, "Invalid message received: legalEntityId is a string.")
        try:
            principal = with_legal_entity_header(principal, legal_entity)
        except HttpError as error:
            raise Closed(ws.BAD_MESSAGE, str(error)[:120]) from None
        self._principal, self._expires_at = principal, expires_at
        await self._send(ws.encoded("connection_ack"))

    async def _subscribe(self, id_: str, payload: Any) -> None:
        if id_ in self._subscriptions:
            raise Closed(ws.DUPLICATE_ID, f"Subscriber for {id_[:64]} already exists.")
        if len(self._subscriptions) >= self._limits.max_subscriptions:
            message = f"At most {self._limits.max_subscriptions} subscriptions per connection."
            await self._error(id_, [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}])
            return
        task = asyncio.create_task(self._run(id_, payload if isinstance(payload, dict) else {}))
        self._subscriptions[id_] = task
        task.add_done_callback(lambda _task: self._subscriptions.pop(id_, None))

    async def _run(self, id_: str, payload: dict[str, Any]) -> None:
        try:
            await self._stream(id_, payload)
        except RequestError as refused:
            await self._error(id_, refused.errors)
        except Overflow as behind:
            self._fail(Closed(ws.POLICY_VIOLATION, f"Too slow: {behind}."))
        except (WebSocketDisconnect, OSError, RuntimeError):
            self._fail(Closed(1000, "Gone."))
        except Exception:
            log.exception("subscription %s failed", id_)
            self._fail(Closed(4500, "Internal error."))

    async def _stream(self, id_: str, payload: dict[str, Any]) -> None:
        prepared = self._prepare(payload)
        context = await self._context(prepared)
        stream = await open_stream(self._runtime.graphql_schema, prepared, context)
        if not hasattr(stream, "__aiter__"):
            errors = [format_error(e, context.request_id) for e in stream.errors or ()]
            raise RequestError(400, errors)
        async for result in stream:
            body: dict[str, Any] = {"data": result.data}
            if result.errors:
                body["errors"] = [format_error(e, context.request_id) for e in result.errors]
            await self._send(ws.encoded("next", id_, body))
        await self._send(ws.encoded("complete", id_))

    def _prepare(self, payload: dict[str, Any]) -> Prepared:
        """Parsed and validated as over HTTP; RequestError for anything that must not run."""
        query, variables = payload.get("query"), payload.get("variables")
        if not isinstance(query, str):
            raise RequestError(400, [{"message": "A subscribe payload needs a query."}])
        prepared = prepare(
            self._runtime.graphql_schema,
            self._runtime.settings,
            query,
            variables=variables if isinstance(variables, dict) else None,
            operation_name=payload.get("operationName"),
            allow_subscriptions=True,
        )
        if prepared.operation.operation is not OperationType.SUBSCRIPTION:
            message = "Only subscriptions run over WebSocket; send queries over HTTP."
            raise RequestError(400, [{"message": message}])
        return prepared

    async def _context(self, prepared: Prepared) -> Context:
        runtime = self._runtime
        context = await build_context(
            settings=runtime.settings,
            sessions=_sessions(runtime),
            tenant=self._tenant,
            principal=self._principal or Principal(tenant=self._tenant, scopes=frozenset()),
            operation=prepared.operation,
        )
        # A subscription lives long: it holds no connection, each check takes one briefly.
        await context.reads.close()
        context.changes = Feed(runtime.broker, self._overflowed)
        return context

    async def _error(self, id_: str, errors: list[dict[str, Any]]) -> None:
        await self._send(ws.encoded("error", id_, errors))

    def _overflowed(self, size: int) -> None:
        self._fail(
            Closed(ws.POLICY_VIOLATION, f"Too slow: more than {size} change events were waiting.")
        )

    def _fail(self, closing: Closed) -> None:
        if not self._fatal.done():
            self._fatal.set_result(closing)

    async def _send(self, text: str) -> None:
        async with self._sending:
            await self._socket.send_text(text)


def _sessions(runtime: Runtime) -> Any:
    if runtime.sessions is None:
        raise RuntimeError("the database is not open: the app's lifespan has not started")
    return runtime.sessions
