"""The write scaffolding every mutation shares: run_write and refused."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from gateway.api.mutations import DeletePayload, refused, run_write
from gateway.assignments.mutations import ItemAssignmentPayload
from gateway.errors import ErrorCode
from gateway.outcomes import Failure
from gateway.segments.mutations import SegmentPayload
from gateway.store.tables import data_version_table


def request(db: Any, tenant: str = "demo") -> Any:
    return SimpleNamespace(context=SimpleNamespace(sessions=db.sessions, tenant=tenant))


async def test_run_write_passes_session_and_arguments_and_raises_the_data_version(db):
    # given
    seen: list[Any] = []

    async def command(session: Any, *, tenant: str, label: str) -> str:
        seen.append((session.in_transaction(), tenant))
        return label

    # when
    result = await run_write(request(db), command, tenant="demo", label="done")
    # then
    assert (result, seen) == ("done", [(True, "demo")])
    async with db.sessions() as session:
        version = (await session.execute(sa.select(data_version_table.c.version))).scalar_one()
    assert version == 1


def test_refused_reports_every_failure_and_leaves_the_data_fields_empty():
    # given
    first = Failure(ErrorCode.BAD_USER_INPUT, "bad id", ("id",))
    second = Failure(ErrorCode.VERSION_CONFLICT, "changed", None, 3)
    # when
    payload = refused(SegmentPayload, first, second)
    # then
    assert (payload.created, payload.segment) == (False, None)
    assert [(e.code, e.message, e.field, e.current_version) for e in payload.user_errors] == [
        (ErrorCode.BAD_USER_INPUT, "bad id", ["id"], None),
        (ErrorCode.VERSION_CONFLICT, "changed", None, 3),
    ]


def test_refused_fits_every_payload_type():
    # given
    failure = Failure(ErrorCode.NOT_FOUND, "gone")
    # when
    deleted = refused(DeletePayload, failure)
    assigned = refused(ItemAssignmentPayload, failure)
    # then
    assert (deleted.deleted, len(deleted.user_errors)) == (False, 1)
    assert (assigned.created, assigned.assignment, len(assigned.user_errors)) == (False, None, 1)
