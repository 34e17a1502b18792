"""What every domain's mutations share: the write scaffolding (run_write, refused), bulk
results, delete payloads, metadata input, checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.inputs import direct_input, given
from gateway.api.types import JSON, ErrorCode, Info, UserError
from gateway.errors import ErrorCode as PyErrorCode
from gateway.errors import GatewayError, bad_input
from gateway.outcomes import Done, Failure, Outcome
from gateway.settings import Limits
from gateway.store.writes import write

T = TypeVar("T")
P = ParamSpec("P")
PayloadT = TypeVar("PayloadT", covariant=True)
# The bulk limit that descriptions state: the default, as the schema is built once.
MAX_BULK = Limits().max_bulk

# The REST API's per-entry status codes and texts.
_CREATED = (201, "Created")
_UPDATED = (204, "OK")
_REST: dict[PyErrorCode, tuple[int, str]] = {
    PyErrorCode.BAD_USER_INPUT: (400, "Bad Request"),
    PyErrorCode.NOT_FOUND: (404, "Not Found"),
    PyErrorCode.VERSION_CONFLICT: (409, "Conflict"),
    PyErrorCode.ALREADY_EXISTS: (409, "Conflict"),
}


@direct_input
@strawberry.input(description="Optimistic locking and mixin schemas of a write.")
class MetadataInput:
    version: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="The version you read; the write fails with VERSION_CONFLICT if the "
        "stored one differs. Omit it to write unconditionally.",
    )
    mixins: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Mixin name to schema URL, stored as given; replaces the stored map.",
    )


def mixins_input() -> Any:
    """The `mixins` field of every write input."""
    return strawberry.field(
        default=strawberry.UNSET, description="Custom attributes, a JSON object; omitted: none."
    )


def metadata_input() -> Any:
    """The `metadata` field of every write input."""
    return strawberry.field(
        default=strawberry.UNSET, description="Expected version and mixin schema URLs."
    )


class Refusable(Protocol[PayloadT]):
    """A payload type whose fields other than userErrors default to empty (null, false)."""

    def __call__(self, *, user_errors: list[UserError]) -> PayloadT: ...


@strawberry.type(description="The result of a delete.")
class DeletePayload:
    deleted: bool = strawberry.field(default=False, description="Whether something was deleted.")
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was deleted; empty on success."
    )


@strawberry.type(description="The outcome of one entry of a bulk write, as REST reports it.")
class BulkItemResult:
    index: int = strawberry.field(description="The entry's position in the request, from 1.")
    id: strawberry.ID | None = strawberry.field(description="The entry's id.")
    code: int = strawberry.field(description="REST status: 201, 204, 400, 404 or 409.")
    status: str = strawberry.field(description="REST status text, e.g. `Created` or `Conflict`.")
    message: str | None = strawberry.field(description="What went wrong; null on success.")
    error_code: ErrorCode | None = strawberry.field(  # type: ignore[valid-type]
        description="The error class; null on success."
    )


@strawberry.type(description="Per-entry results of a bulk write; entries succeed or fail alone.")
class BulkPayload:
    results: list[BulkItemResult] = strawberry.field(
        description="One result per entry, in input order."
    )
    succeeded: int = strawberry.field(description="How many entries were written.")
    failed: int = strawberry.field(description="How many entries were refused.")


async def run_write(
    info: Info,
    command: Callable[Concatenate[AsyncSession, P], Awaitable[T]],
    /,
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Runs `command(session, ...)` as the request's one write transaction (store.writes.write:
    serialized, retried from the start when transient, raising the tenant's data version)."""

    async def work(session: AsyncSession) -> T:
        return await command(session, *args, **kwargs)

    return await write(info.context.sessions, work, tenant=info.context.tenant)


def refused(payload: Refusable[PayloadT], *failures: Failure) -> PayloadT:
    """The payload of a write that was refused: its userErrors, every other field empty."""
    return payload(user_errors=[user_error(f) for f in failures])


def check_bulk_size(count: int, info: Info, what: str) -> None:
    limit = info.context.settings.limits.max_bulk
    if count > limit:
        raise bad_input(f"{what} has {count} entries; at most {limit} are allowed.")


def user_error(failure: Failure) -> UserError:
    return UserError(
        code=failure.code,
        message=failure.message,
        field=list(failure.field) if failure.field is not None else None,
        current_version=failure.current_version,
    )


def top_level(failure: Failure) -> GatewayError:
    """A failure of a whole bulk (its segment is unknown) as a top-level error."""
    return GatewayError(failure.code, failure.message)


def delete_payload(outcome: Outcome) -> DeletePayload:
    if isinstance(outcome, Failure):
        return refused(DeletePayload, outcome)
    return DeletePayload(deleted=True, user_errors=[])


def _result(index: int, key: str | None, outcome: Outcome) -> BulkItemResult:
    entry_id = None if key is None else strawberry.ID(key)
    if isinstance(outcome, Done):
        code, status = _CREATED if outcome.created else _UPDATED
        return BulkItemResult(
            index=index, id=entry_id, code=code, status=status, message=None, error_code=None
        )
    code, status = _REST[outcome.code]
    return BulkItemResult(
        index=index,
        id=entry_id,
        code=code,
        status=status,
        message=outcome.message,
        error_code=outcome.code,
    )


def bulk_payload(ids: Sequence[str | None], outcomes: Sequence[Outcome]) -> BulkPayload:
    results = [
        _result(n, i, o) for n, (i, o) in enumerate(zip(ids, outcomes, strict=True), start=1)
    ]
    failed = sum(isinstance(o, Failure) for o in outcomes)
    return BulkPayload(results=results, succeeded=len(results) - failed, failed=failed)


def merge_outcomes(entries: Sequence[object], written: Sequence[Outcome]) -> list[Outcome]:
    """Outcomes in input order: entries refused before the write (Failures) stay as they
    are; the others take the command's outcomes, which come in the same order."""
    outcomes = iter(written)
    return [e if isinstance(e, Failure) else next(outcomes) for e in entries]


def object_problem(value: Any, name: str, *, urls: bool = False) -> str | None:
    """Why a mixins map is unusable, or None: a JSON object (of strings, for schema URLs)."""
    if given(value) is None:
        return None
    if not isinstance(value, dict):
        return f"{name} must be a JSON object."
    if urls and not all(isinstance(v, str) for v in value.values()):
        return f"{name} must map mixin names to schema URL strings."
    return None


def schemas_of(metadata: MetadataInput | None) -> Any:
    return given(metadata.mixins) if metadata else None


def mixins_problem(value: Any, metadata: MetadataInput | None) -> tuple[str, str] | None:
    """(message, field) when an input's mixins or metadata.mixins are unusable, else None."""
    return maps_problem(value, schemas_of(metadata))


def maps_problem(mixins: Any, schemas: Any) -> tuple[str, str] | None:
    """(message, field) when mixins or the metadata.mixins schema map are unusable, else None."""
    for field, problem in (
        ("mixins", object_problem(mixins, "mixins")),
        ("metadata.mixins", object_problem(schemas, "metadata.mixins", urls=True)),
    ):
        if problem:
            return problem, field
    return None


def mixins_of(value: Any, metadata: MetadataInput | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(mixins, metadata.mixins) of a checked input, each {} when omitted."""
    return dict(given(value) or {}), dict(schemas_of(metadata) or {})


def check_input_maps(mixins: Any, schemas: Any) -> None:
    """Bad maps in an `input` argument are a top-level BAD_USER_INPUT naming the field."""
    found = maps_problem(mixins, schemas)
    if found:
        message, field = found
        raise bad_input(f"input.{message}", field=["input", *field.split(".")])


def checked_mixins_of(
    value: Any, metadata: MetadataInput | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """mixins_of an `input` argument, after check_input_maps."""
    check_input_maps(value, schemas_of(metadata))
    return mixins_of(value, metadata)


def version_of(metadata: MetadataInput | None) -> int | None:
    return given(metadata.version) if metadata else None
