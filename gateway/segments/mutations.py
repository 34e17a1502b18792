"""Segment mutations: createSegment, upsertSegment and deleteSegment."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.api.inputs import given
from gateway.api.mutations import (
    DeletePayload,
    MetadataInput,
    checked_mixins_of,
    delete_payload,
    metadata_input,
    mixins_input,
    refused,
    run_write,
    version_of,
)
from gateway.api.types import JSON, DateTime, Info, UserError
from gateway.errors import ErrorCode
from gateway.outcomes import Done, Failure, id_problem
from gateway.segments import commands
from gateway.segments.commands import SegmentFields
from gateway.segments.types import Segment, SegmentStatus, segment_from_row
from gateway.segments.validation import segment_problems

IdArg = Annotated[strawberry.ID, strawberry.argument(description="The segment's id.")]


@strawberry.input(description="One translation of a localized field.")
class LocalizedStringInput:
    locale: str = strawberry.field(description="A language of the tenant, e.g. `en`.")
    value: str = strawberry.field(description="The text in that language.")


@strawberry.input(description="A period of validity; an open end is unbounded.")
class ValidityInput:
    from_: DateTime | None = strawberry.field(
        default=strawberry.UNSET, name="from", description="Start, inclusive; before `to`."
    )
    to: DateTime | None = strawberry.field(default=strawberry.UNSET, description="End, exclusive.")


@strawberry.input(description="A whole segment, as a PUT replaces it.")
class SegmentInput:
    id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The id; generated (24 lowercase hex digits) when omitted.",
    )
    name: list[LocalizedStringInput] = strawberry.field(
        description="The name: at least one translation, each locale once."
    )
    description: list[LocalizedStringInput] | None = strawberry.field(
        default=strawberry.UNSET, description="The description; each locale once."
    )
    status: SegmentStatus | None = strawberry.field(
        default=SegmentStatus.INACTIVE, description="ACTIVE or INACTIVE (the default)."
    )
    site_code: str = strawberry.field(description="The site the segment is for.")
    validity: ValidityInput | None = strawberry.field(
        default=strawberry.UNSET, description="When the segment is valid; omitted: always."
    )
    mixins: JSON | None = mixins_input()
    metadata: MetadataInput | None = metadata_input()


@strawberry.type(description="The result of a segment write.")
class SegmentPayload:
    created: bool = strawberry.field(
        default=False,
        description="True when the segment was created (REST 201), false when replaced (204).",
    )
    segment: Segment | None = strawberry.field(
        default=None, description="The stored segment; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was written; empty on success."
    )


def _pairs(values: list[LocalizedStringInput] | None) -> list[tuple[str, str]]:
    return [(v.locale, v.value) for v in given(values) or []]


def _fields(info: Info, data: SegmentInput) -> SegmentFields | list[Failure]:
    """The stored form of a segment input, or its userErrors; bad mixins raise."""
    metadata = given(data.metadata)
    mixins, schemas = checked_mixins_of(data.mixins, metadata)
    validity = given(data.validity)
    start = given(validity.from_) if validity else None
    end = given(validity.to) if validity else None
    name, description = _pairs(data.name), _pairs(data.description)
    problems = segment_problems(
        name=name,
        description=description,
        site_code=data.site_code,
        valid_from=start,
        valid_to=end,
        languages=info.context.languages,
    )
    if problems:
        return problems
    return SegmentFields(
        name=dict(name),
        description=dict(description),
        status=(given(data.status) or SegmentStatus.INACTIVE).value,
        site_code=data.site_code,
        valid_from=start,
        valid_to=end,
        mixins=mixins,
        metadata_mixins=schemas,
    )


def _id_problems(value: str, *field: str) -> list[Failure]:
    problem = id_problem(value, ".".join(field))
    return [Failure(ErrorCode.BAD_USER_INPUT, problem, field)] if problem else []


def _payload(info: Info, written: tuple[bool, Any] | Failure) -> SegmentPayload:
    if isinstance(written, Failure):
        return refused(SegmentPayload, written)
    created, row = written
    segment = segment_from_row(row, info.context.now)
    return SegmentPayload(created=created, segment=segment, user_errors=[])


async def _write(
    info: Info, segment_id: str, fields: SegmentFields, data: SegmentInput, *, create: bool
) -> SegmentPayload:
    """The payload of create_segment (`create`) or upsert_segment, run as the write."""
    written = await run_write(
        info,
        commands.create_segment if create else commands.upsert_segment,
        tenant=info.context.tenant,
        segment_id=segment_id,
        fields=fields,
        version=version_of(given(data.metadata)),
        now=info.context.now,
    )
    return _payload(info, written)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Creates a segment; ALREADY_EXISTS when its id is taken (REST POST /segments)."
    )
    async def create_segment(
        self,
        info: Info,
        input: Annotated[SegmentInput, strawberry.argument(description="The new segment.")],
    ) -> SegmentPayload:
        given_id = given(input.id)
        segment_id = commands.new_segment_id() if given_id is None else str(given_id)
        fields = _fields(info, input)
        problems = _id_problems(segment_id, "input", "id")
        problems += fields if isinstance(fields, list) else []
        if problems or isinstance(fields, list):
            return refused(SegmentPayload, *problems)
        return await _write(info, segment_id, fields, input, create=True)

    @strawberry.mutation(description="Creates or replaces a segment (REST PUT /segments/{id}).")
    async def upsert_segment(
        self,
        info: Info,
        id: IdArg,
        input: Annotated[SegmentInput, strawberry.argument(description="The whole segment.")],
    ) -> SegmentPayload:
        fields = _fields(info, input)
        problems = _id_problems(str(id), "id")
        if given(input.id) is not None and str(input.id) != str(id):
            message = "input.id must be omitted or equal to id."
            problems.append(Failure(ErrorCode.BAD_USER_INPUT, message, ("input", "id")))
        problems += fields if isinstance(fields, list) else []
        if problems or isinstance(fields, list):
            return refused(SegmentPayload, *problems)
        return await _write(info, str(id), fields, input, create=False)

    @strawberry.mutation(
        description="Deletes a segment. One that still has item or customer assignments only "
        "with forceDelete, which removes them in the same transaction."
    )
    async def delete_segment(
        self,
        info: Info,
        id: IdArg,
        force_delete: Annotated[
            bool | None,
            strawberry.argument(description="Also delete the segment's assignments."),
        ] = False,
    ) -> DeletePayload:
        failure = await run_write(
            info,
            commands.delete_segment,
            tenant=info.context.tenant,
            segment_id=str(id),
            force=bool(force_delete),
        )
        return delete_payload(failure if failure is not None else Done())
