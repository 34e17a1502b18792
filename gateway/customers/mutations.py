"""Customer assignment mutations: B2C (no legal entity) and B2B, single and bulk."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.api.field_rules import SINGLE_WRITE
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
from gateway.api.rules import FieldRule
from gateway.api.types import JSON, Info, UserError
from gateway.customers import commands
from gateway.customers.commands import CustomerEntry, CustomerKey
from gateway.errors import ErrorCode
from gateway.outcomes import Done, Failure, Outcome, id_problem
from gateway.segments.models import NO_LEGAL_ENTITY
from gateway.segments.types import AssignmentType, CustomerAssignment, customer_assignment_from_row

# What a bulk command reports: an outcome per entry, or the Failure of the whole bulk.
Written = list[Outcome] | Failure
SegmentIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="The segment; it must exist.")
]
CustomerIdArg = Annotated[strawberry.ID, strawberry.argument(description="The customer.")]
LegalEntityArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="The legal entity of a B2B assignment; omit it for B2C."),
]


@strawberry.input(description="The replacement of a customer assignment's data (as a PUT).")
class CustomerAssignmentInput:
    assignment_type: AssignmentType | None = strawberry.field(
        default=AssignmentType.MANUAL, description="MANUAL (the default) or AUTOMATIC."
    )
    mixins: JSON | None = mixins_input()
    metadata: MetadataInput | None = metadata_input()


@direct_input
@strawberry.input(description="One entry of a bulk customer assignment upsert.")
class BulkCustomerAssignmentInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    legal_entity_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The legal entity of a B2B assignment; omit for B2C."
    )
    assignment_type: AssignmentType | None = strawberry.field(
        default=AssignmentType.MANUAL, description="MANUAL (the default) or AUTOMATIC."
    )
    mixins: JSON | None = mixins_input()
    metadata: MetadataInput | None = metadata_input()


@direct_input
@strawberry.input(description="A customer assignment by its key.")
class CustomerRefInput:
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    legal_entity_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The legal entity of a B2B assignment; omit for B2C."
    )


@strawberry.type(description="The result of a customer assignment upsert.")
class CustomerAssignmentPayload:
    created: bool = strawberry.field(
        default=False,
        description="True when the assignment was created (REST 201), false when replaced (204).",
    )
    assignment: CustomerAssignment | None = strawberry.field(
        default=None, description="The stored assignment; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was written; empty on success."
    )


def _key(customer_id: Any, legal_entity_id: Any) -> CustomerKey:
    """The stored key: a B2C assignment has NO_LEGAL_ENTITY."""
    legal_entity = given(legal_entity_id)
    return str(customer_id), NO_LEGAL_ENTITY if legal_entity is None else str(legal_entity)


def _bad_ids(segment_id: str | None, key: CustomerKey, legal_entity_given: bool) -> list[Failure]:
    """BAD_USER_INPUT per bad id; an empty legalEntityId would read as B2C, so it is bad too."""
    ids = [("segmentId", segment_id), ("customerId", key[0])]
    ids.append(("legalEntityId", key[1] if legal_entity_given else None))
    found = ((name, id_problem(v, name)) for name, v in ids if v is not None)
    return [Failure(ErrorCode.BAD_USER_INPUT, p, (name,)) for name, p in found if p]


def _entry(key: CustomerKey, data: Any, mixins: Any, schemas: Any) -> CustomerEntry:
    return CustomerEntry(
        customer_id=key[0],
        legal_entity_id=key[1],
        assignment_type=(given(data.assignment_type) or AssignmentType.MANUAL).value,
        mixins=mixins,
        metadata_mixins=schemas,
        version=version_of(given(data.metadata)),
    )


def _bulk_entry(entry: BulkCustomerAssignmentInput) -> CustomerEntry | Failure:
    """A bulk entry's command input, or the 400 it gets for bad values."""
    key = _key(entry.customer_id, entry.legal_entity_id)
    bad = _bad_ids(None, key, given(entry.legal_entity_id) is not None)
    found = mixins_problem(entry.mixins, given(entry.metadata))
    problem = bad[0].message if bad else (found[0] if found else None)
    if problem:
        return Failure(ErrorCode.BAD_USER_INPUT, problem)
    return _entry(key, entry, *mixins_of(entry.mixins, given(entry.metadata)))


def _bulk_ref(ref: CustomerRefInput) -> CustomerKey | Failure:
    key = _key(ref.customer_id, ref.legal_entity_id)
    bad = _bad_ids(None, key, given(ref.legal_entity_id) is not None)
    return Failure(ErrorCode.BAD_USER_INPUT, bad[0].message) if bad else key


def _payload(written: tuple[Done, Any] | Failure) -> CustomerAssignmentPayload:
    if isinstance(written, Failure):
        return refused(CustomerAssignmentPayload, written)
    done, row = written
    assignment = customer_assignment_from_row(row)
    return CustomerAssignmentPayload(created=done.created, assignment=assignment, user_errors=[])


async def _upsert(info: Info, segment_id: str, entries: list[CustomerEntry]) -> Written:
    context = info.context
    return await run_write(
        info,
        commands.upsert_customers,
        tenant=context.tenant,
        segment_id=segment_id,
        entries=entries,
        now=context.now,
    )


async def _delete(info: Info, segment_id: str, keys: list[CustomerKey]) -> Written:
    return await run_write(
        info,
        commands.delete_customers,
        tenant=info.context.tenant,
        segment_id=segment_id,
        keys=keys,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Creates or replaces a customer's assignment to a segment: B2C without "
        "legalEntityId, B2B with it (REST PUT /segments/{segmentId}/customers/{customerId}"
        "[/{legalEntityId}])."
    )
    async def upsert_customer_assignment(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        customer_id: CustomerIdArg,
        legal_entity_id: LegalEntityArg = strawberry.UNSET,
        input: Annotated[
            CustomerAssignmentInput | None,
            strawberry.argument(description="Type, mixins and metadata; omitted: the defaults."),
        ] = strawberry.UNSET,
    ) -> CustomerAssignmentPayload:
        data = given(input) or CustomerAssignmentInput()
        mixins, schemas = checked_mixins_of(data.mixins, given(data.metadata))
        key = _key(customer_id, legal_entity_id)
        bad = _bad_ids(str(segment_id), key, given(legal_entity_id) is not None)
        if bad:
            return refused(CustomerAssignmentPayload, *bad)
        written = await run_write(
            info,
            commands.upsert_customer,
            tenant=info.context.tenant,
            segment_id=str(segment_id),
            entry=_entry(key, data, mixins, schemas),
            now=info.context.now,
        )
        return _payload(written)

    @strawberry.mutation(
        description="Removes a customer's B2C (no legalEntityId) or B2B assignment to a segment."
    )
    async def delete_customer_assignment(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        customer_id: CustomerIdArg,
        legal_entity_id: LegalEntityArg = strawberry.UNSET,
    ) -> DeletePayload:
        key = _key(customer_id, legal_entity_id)
        bad = _bad_ids(str(segment_id), key, given(legal_entity_id) is not None)
        if bad:
            return delete_payload(bad[0])
        outcome = await _delete(info, str(segment_id), [key])
        return delete_payload(outcome if isinstance(outcome, Failure) else outcome[0])

    @strawberry.mutation(
        description=f"Creates or replaces up to {MAX_BULK} customer assignments of a segment; "
        "each entry succeeds or fails on its own (REST PUT /segments/{segmentId}/customers/bulk)."
    )
    async def bulk_upsert_customer_assignments(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        assignments: Annotated[
            list[BulkCustomerAssignmentInput],
            strawberry.argument(description=f"The assignments, at most {MAX_BULK}."),
        ],
    ) -> BulkPayload:
        check_bulk_size(len(assignments), info, "assignments")
        entries = [_bulk_entry(a) for a in assignments]
        valid = [e for e in entries if isinstance(e, CustomerEntry)]
        written = await _upsert(info, str(segment_id), valid)
        if isinstance(written, Failure):
            raise top_level(written)
        ids = [str(a.customer_id) for a in assignments]
        return bulk_payload(ids, merge_outcomes(entries, written))

    @strawberry.mutation(
        description=f"Removes up to {MAX_BULK} customer assignments of a segment; one that does "
        "not exist is a 404 for that entry (REST DELETE /segments/{segmentId}/customers/bulk)."
    )
    async def bulk_delete_customer_assignments(
        self,
        info: Info,
        segment_id: SegmentIdArg,
        assignments: Annotated[
            list[CustomerRefInput],
            strawberry.argument(description=f"The assignments to remove, at most {MAX_BULK}."),
        ],
    ) -> BulkPayload:
        check_bulk_size(len(assignments), info, "assignments")
        refs = [_bulk_ref(a) for a in assignments]
        keys = [r for r in refs if not isinstance(r, Failure)]
        outcomes = await _delete(info, str(segment_id), keys)
        if isinstance(outcomes, Failure):
            raise top_level(outcomes)
        ids = [str(a.customer_id) for a in assignments]
        return bulk_payload(ids, merge_outcomes(refs, outcomes))


# Each field's argument limits (api/rules.py); customers has only mutations, so they are here.
RULES: dict[str, FieldRule] = {
    "Mutation.upsertCustomerAssignment": SINGLE_WRITE,
    "Mutation.bulkUpsertCustomerAssignments": FieldRule(max_lengths={"assignments": "max_bulk"}),
    "Mutation.bulkDeleteCustomerAssignments": FieldRule(max_lengths={"assignments": "max_bulk"}),
}
