"""Builds the per-request Context: the one place a request meets the tenant's languages."""

from __future__ import annotations

import uuid
from dataclasses import replace

from graphql import FieldNode, OperationDefinitionNode, OperationType
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.catalog.repository import TenantState, tenant_state
from gateway.context import Context, SharedSession
from gateway.errors import ErrorCode
from gateway.localization import TenantLanguages, request_order
from gateway.outcomes import id_problem
from gateway.settings import Settings
from gateway.web.responses import HttpError

LEGAL_ENTITY_HEADER = "legalEntityId"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <JWT>` value; None for any other value."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def with_legal_entity_header(principal: Principal, header: str | None) -> Principal:
    """The request's legal entity: the `legalEntityId` header, which Emporix's B2B flow
    injects, is chosen over the token's claim (a `legalEntityId` argument beats both)."""
    if not header or principal.can_read_all:
        return principal  # segment_read callers see every segment: the choice means nothing
    problem = id_problem(header, f"The {LEGAL_ENTITY_HEADER} header")
    if problem:
        raise HttpError(400, problem, ErrorCode.BAD_USER_INPUT)
    return replace(principal, legal_entity_id=header)


async def build_context(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    tenant: str,
    principal: Principal,
    accept_language: str | None = None,
    request_id: str | None = None,
    operation: OperationDefinitionNode | None = None,
) -> Context:
    """A fresh context for one request: reads the tenant's data versions and languages
    (one statement) unless the operation reads no data (see `reads_data`).

    The context holds the request's read connection: run() gives it back at the end. A
    query on PostgreSQL reads on one connection; otherwise each read takes one and gives
    it back at once (a mutation never holds one across a write)."""
    mutation = operation is not None and operation.operation is OperationType.MUTATION
    # SQLite connections are local and cheap to check out; held for a whole request, one
    # abandoned at its deadline outlives an engine disposed right after (tests, shutdown).
    postgres = sessions.kw["bind"].dialect.name == "postgresql"
    reads = SharedSession(sessions, shared=postgres and not mutation)
    state: TenantState | None = None
    if operation is None or reads_data(operation):
        state = await _state(reads, tenant)
    languages = TenantLanguages() if state is None else state.languages
    context = Context(
        settings=settings,
        sessions=sessions,
        tenant=tenant,
        principal=principal,
        languages=languages,
        locales=request_order(accept_language, languages),
        reads=reads,
        versions=None if state is None else (state.data_version, state.catalog_version),
        # A fresh id only without one: uuid4 costs a system call, and HTTP brings one.
        request_id=request_id or uuid.uuid4().hex,
    )
    return context


async def _state(reads: SharedSession, tenant: str) -> TenantState:
    try:
        # Languages are read with the versions rather than cached: the versions must be read
        # anyway (they tell every cache whether it is current), and the languages cost nothing
        # more in the same statement.
        async with reads.use() as session:
            return await tenant_state(session, tenant=tenant)
    except BaseException:
        await reads.close()
        raise


INTROSPECTION_FIELDS = frozenset({"__typename", "__schema", "__type"})


def reads_data(operation: OperationDefinitionNode) -> bool:
    """False for an operation of only introspection fields: it needs no database at all."""
    return not all(
        isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_FIELDS
        for selection in operation.selection_set.selections
    )


def is_introspection_only(operation: OperationDefinitionNode) -> bool:
    """A query that selects only __schema, __type and __typename: it reveals no data."""
    return operation.operation is OperationType.QUERY and not reads_data(operation)


def anonymous_introspection(settings: Settings) -> bool:
    """Whether introspection runs without a token: in development, for tools such as GraphiQL
    that fetch the schema before the user has pasted one. In production it needs a token."""
    return settings.introspection and not settings.is_production
