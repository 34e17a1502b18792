"""Item assignment mutations: upsert and delete, one at a time or in bulks (max_bulk)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.api.inputs import direct_input, given
from gateway.api.mutations import (
    MAX_BULK,
    BulkPayload,
    DeletePayload,
    MetadataInput,
    bulk_payload,
    check_bulk_size,
    checked_mixins_of,
    delete_payload,
    merge_outcomes,
    metadata_input,
    mixins_input,
    mixins_of,
    mixins_problem,
    refused,
    run_write,
    top_level,
    version_of,
)
from gateway.api.types import JSON, Info, ItemType, UserError
from gateway.assignments import commands
from gateway.assignments.commands import ItemEntry
from gateway.assignments.types import ItemAssignment, item_assignment_from_row
from gateway.errors import ErrorCode
from gateway.outcomes import Done, Failure, Outcome, id_problem

# What a bulk command reports: an outcome per entry, or the Failure of the whole bulk.
Written = list[Outcome] | Failure
SegmentIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="The segment; it must exist.")
]
TypeArg = Annotated[
    ItemType,
    strawberry.argument(name="type", description="Whether the items are products or categories."),
]
ItemIdArg = Annotated[
    strawberry.ID,
    strawberry.argument(description="The catalog item; it must exist with the given type."),
]


@strawberry.input(description="The replacement of an item assignment's data (as a PUT).")
class ItemAssignmentInput:
    mixins: JSON | None = mixins_input()
    metadata: MetadataInput | None = metadata_input()


@direct_input
@strawberry.input(description="One entry of a bulk item assignment upsert.")
class BulkItemAssignmentInput:
    id: strawberry.ID = strawberry.field(description="The catalog item's id.")
    mixins: JSON | None = mixins_input()
    metadata: MetadataInput | None = metadata_input()


@strawberry.type(description="The result of an item assignment upsert.")
class ItemAssignmentPayload:
    created: bool = strawberry.field(
        default=False,
        description="True when the assignment was created (REST 201), false when replaced (204).",
    )
    assignment: ItemAssignment | None = strawberry.field(
        default=None, description="The stored assignment; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was written; empty on success."
    )


def _bad_ids(segment_id: str, item_id: str) -> Failure | None:
    for name, value in (("segmentId", segment_id), ("itemId", item_id)):
        problem = id_problem(value, name)
        if problem:
            return Failure(ErrorCode.BAD_USER_INPUT, problem, (name,))
    return None


def _entry(item_id: str, data: ItemAssignmentInput | None) -> ItemEntry:
    """The command input of a single upsert; bad mixins are a top-level error."""
    metadata = given(data.metadata) if data else None
    mixins, schemas = checked_mixins_of(data.mixins if data else None, metadata)
    return ItemEntry(item_id, mixins, schemas, version_of(metadata))


def _bulk_entry(entry: BulkItemAssignmentInput) -> ItemEntry | Failure:
    """A bulk entry's command input, or the 400 it gets for bad values."""
    item_id = str(entry.id)
    metadata = given(entry.metadata)
    bare = metadata is None and given(entry.mixins) is None  # most entries: no maps at all
    found = None if bare else mixins_problem(entry.mixins, metadata)
    problem = id_problem(item_id, "id") or (found[0] if found else None)
    if problem:
        return Failure(ErrorCode.BAD_USER_INPUT, problem)
    if bare:
        return ItemEntry(item_id, {}, {})
    mixins, schemas = mixins_of(entry.mixins, metadata)
    return ItemEntry(item_id, mixins, schemas, version_of(metadata))


def _payload(written: tuple[Done, Any] | Failure) -> ItemAssignmentPayload:
    if isinstance(written, Failure):
        return refused(ItemAssignmentPayload, written)
    done, row = written
    assignment = item_assignment_from_row(row)
    return ItemAssignmentPayload(created=done.created, assignment=assignment, user_errors=[])


async def _upsert(
    info: Info, segment_id: str, item_type: ItemType, entries: list[ItemEntry]
) -> Written:
    return await run_write(
        info,
        commands.upsert_items,
        tenant=info.context.tenant,
        segment_id=segment_id,
        item_type=item_type.value,
        entries=entries,
        now=info.context.now,
    )


async def _delete(info: Info, segment_id: str, item_type: ItemType, item_ids: list[str]) -> Written:
    return await run_write(
        info,
        commands.delete_items,
        tenant=info.context.tenant,
        segment_id=segment_id,
        item_type=item_type.value,
        item_ids=item_ids,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Creates or replaces the assignment of a catalog item to a segment "
        "(REST PUT /segments/{segmentId}/items/{type}/{itemId})."
    )
    async def upsert_item_assignment(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        type_: TypeArg,
        item_id: ItemIdArg,
        input: Annotated[
            ItemAssignmentInput | None,
            strawberry.argument(description="Mixins and metadata; omitted means none."),
        ] = strawberry.UNSET,
    ) -> ItemAssignmentPayload:
        entry = _entry(str(item_id), given(input))
        bad = _bad_ids(str(segment_id), str(item_id))
        if bad:
            return refused(ItemAssignmentPayload, bad)
        written = await run_write(
            info,
            commands.upsert_item,
            tenant=info.context.tenant,
            segment_id=str(segment_id),
            item_type=type_.value,
            entry=entry,
            now=info.context.now,
        )
        return _payload(written)

    @strawberry.mutation(
        description="Removes an item from a segment "
        "(REST DELETE /segments/{segmentId}/items/{type}/{itemId})."
    )
    async def delete_item_assignment(
        self, info: Info, segment_id: SegmentIdArg, type_: TypeArg, item_id: ItemIdArg
    ) -> DeletePayload:
        bad = _bad_ids(str(segment_id), str(item_id))
        if bad:
            return delete_payload(bad)
        outcome = await _delete(info, str(segment_id), type_, [str(item_id)])
        return delete_payload(outcome if isinstance(outcome, Failure) else outcome[0])

    @strawberry.mutation(
        description=f"Creates or replaces up to {MAX_BULK} assignments of one segment and type; "
        "each entry succeeds or fails on its own "
        "(REST PUT /segments/{segmentId}/items/{type}/bulk)."
    )
    async def bulk_upsert_item_assignments(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        type_: TypeArg,
        items: Annotated[
            list[BulkItemAssignmentInput],
            strawberry.argument(description=f"The assignments, at most {MAX_BULK}."),
        ],
    ) -> BulkPayload:
        check_bulk_size(len(items), info, "items")
        entries = [_bulk_entry(e) for e in items]
        valid = [e for e in entries if isinstance(e, ItemEntry)]
        written = await _upsert(info, str(segment_id), type_, valid)
        if isinstance(written, Failure):
            raise top_level(written)
        return bulk_payload([str(e.id) for e in items], merge_outcomes(entries, written))

    @strawberry.mutation(
        description=f"Removes up to {MAX_BULK} items of one type from a segment; an id that is not "
        "assigned is a 404 for that entry (REST DELETE /segments/{segmentId}/items/{type}/bulk)."
    )
    async def bulk_delete_item_assignments(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        type_: TypeArg,
        item_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description=f"The item ids, at most {MAX_BULK}."),
        ],
    ) -> BulkPayload:
        check_bulk_size(len(item_ids), info, "itemIds")
        ids = [str(i) for i in item_ids]
        outcomes = await _delete(info, str(segment_id), type_, ids)
        if isinstance(outcomes, Failure):
            raise top_level(outcomes)
        return bulk_payload(ids, outcomes)
