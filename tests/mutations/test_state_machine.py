"""Random sequences of writes against the gateway and a model; reads agree after every step."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Coroutine
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.conftest import MANAGE, READ
from tests.factories import Seed
from tests.mutations import operations as ops

pytestmark = pytest.mark.slow

CATALOG = {"PRODUCT": ("p1", "p2", "p3"), "CATEGORY": ("c1", "c2")}
SEGMENTS = st.sampled_from(("s1", "s2"))
KINDS = st.sampled_from(("PRODUCT", "CATEGORY"))
ITEMS = st.sampled_from(("p1", "p2", "p3", "c1", "c2", "zz"))
CUSTOMERS = st.tuples(st.sampled_from(("u1", "u2", "u3")), st.sampled_from((None, "le1", "le2")))
MIXINS = st.dictionaries(st.sampled_from("abc"), st.integers(0, 3), max_size=2)
# none: unconditional; current: the stored version (1 when absent); stale: a different one.
VERSIONS = st.sampled_from(("none", "current", "stale"))
STATE = """{
  itemAssignments(pageSize: 500) {
    items { segmentId type item { id } mixins metadata { version } }
  }
  s1: segment(id: "s1") { ...customers }  s2: segment(id: "s2") { ...customers }
}
fragment customers on Segment {
  customers(pageSize: 500) { items { customerId legalEntityId mixins metadata { version } } }
}"""
_tenants = itertools.count()


def version_for(mode: str, current: int | None) -> int | None:
    if mode == "none":
        return None
    if mode == "current":
        return current if current is not None else 1
    return current + 1 if current is not None else 5


def rest_code(created: bool) -> int:
    return 201 if created else 204


class Writes(RuleBasedStateMachine):
    """Item and customer assignments of two segments, kept in dicts: key -> (version, mixins)."""

    gql: ClassVar[Any]
    loop: ClassVar[asyncio.AbstractEventLoop]

    def __init__(self) -> None:
        super().__init__()
        self.tenant = f"hyp{next(_tenants)}"
        self.items: dict[tuple[str, str, str], tuple[int, dict[str, int]]] = {}
        self.customers: dict[tuple[str, str, str | None], tuple[int, dict[str, int]]] = {}

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Runs a coroutine on the test's event loop (this machine runs in a worker thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def call(self, document: str, variables: dict[str, Any], scopes: Any = MANAGE) -> Any:
        body = self.run(self.gql(document, variables, tenant=self.tenant, scopes=scopes))
        assert "errors" not in body, body["errors"]
        return next(iter(body["data"].values()))

    @initialize()
    def catalog(self) -> None:
        seed = Seed(self.gql.db, tenant=self.tenant)
        products = [seed.product(i) for i in CATALOG["PRODUCT"]]
        categories = [seed.category(i) for i in CATALOG["CATEGORY"]]
        self.run(seed.add(seed.segment("s1"), seed.segment("s2"), *products, *categories))

    def expect_item(self, key: tuple[str, str, str], mixins: dict[str, int], mode: str) -> Any:
        """(code, errorCode) the model predicts for one upsert entry, applying it if it passes."""
        current = self.items.get(key)
        version = version_for(mode, current[0] if current else None)
        if key[2] not in CATALOG[key[1]]:
            return 404, "NOT_FOUND", version
        if version is not None and version != (current[0] if current else None):
            return 409, "VERSION_CONFLICT", version
        self.items[key] = ((current[0] + 1) if current else 1, mixins)
        return rest_code(current is None), None, version

    @rule(segment=SEGMENTS, kind=KINDS, item=ITEMS, mixins=MIXINS, mode=VERSIONS)
    def upsert_item(self, segment: str, kind: str, item: str, mixins: Any, mode: str) -> None:
        code, error, version = self.expect_item((segment, kind, item), mixins, mode)
        input = {"mixins": mixins, "metadata": {"version": version}}
        payload = self.call(ops.UPSERT_ITEM, {"s": segment, "t": kind, "i": item, "input": input})
        assert [e["code"] for e in payload["userErrors"]] == ([error] if error else [])
        assert payload["created"] is (code == 201)
        if error is None:
            stored = self.items[(segment, kind, item)]
            assert payload["assignment"]["metadata"]["version"] == stored[0]

    @rule(segment=SEGMENTS, kind=KINDS, item=ITEMS)
    def delete_item(self, segment: str, kind: str, item: str) -> None:
        existed = self.items.pop((segment, kind, item), None) is not None
        payload = self.call(ops.DELETE_ITEM, {"s": segment, "t": kind, "i": item})
        assert payload["deleted"] is existed

    @rule(
        segment=SEGMENTS,
        kind=KINDS,
        entries=st.lists(st.tuples(ITEMS, MIXINS, VERSIONS), max_size=6),
    )
    def bulk_upsert_items(self, segment: str, kind: str, entries: list[Any]) -> None:
        expected, items, seen = [], [], set()
        for item, mixins, mode in entries:
            if item in seen:
                code, error, version = 400, "BAD_USER_INPUT", None
            else:
                code, error, version = self.expect_item((segment, kind, item), mixins, mode)
            seen.add(item)
            expected.append((code, error))
            items.append({"id": item, "mixins": mixins, "metadata": {"version": version}})
        payload = self.call(ops.BULK_UPSERT_ITEMS, {"s": segment, "t": kind, "items": items})
        assert [(r["code"], r["errorCode"]) for r in payload["results"]] == expected

    @rule(segment=SEGMENTS, kind=KINDS, ids=st.lists(ITEMS, max_size=6))
    def bulk_delete_items(self, segment: str, kind: str, ids: list[str]) -> None:
        expected, seen = [], set()
        for item in ids:
            if item in seen:
                expected.append(400)
            else:
                expected.append(204 if self.items.pop((segment, kind, item), None) else 404)
            seen.add(item)
        payload = self.call(ops.BULK_DELETE_ITEMS, {"s": segment, "t": kind, "ids": ids})
        assert [r["code"] for r in payload["results"]] == expected

    def expect_customer(self, key: Any, mixins: dict[str, int], mode: str) -> Any:
        current = self.customers.get(key)
        version = version_for(mode, current[0] if current else None)
        if version is not None and version != (current[0] if current else None):
            return 409, version
        self.customers[key] = ((current[0] + 1) if current else 1, mixins)
        return rest_code(current is None), version

    @rule(segment=SEGMENTS, customer=CUSTOMERS, mixins=MIXINS, mode=VERSIONS)
    def upsert_customer(self, segment: str, customer: Any, mixins: Any, mode: str) -> None:
        code, version = self.expect_customer((segment, *customer), mixins, mode)
        variables = {
            "s": segment,
            "c": customer[0],
            "le": customer[1],
            "input": {"mixins": mixins, "metadata": {"version": version}},
        }
        payload = self.call(ops.UPSERT_CUSTOMER, variables)
        assert payload["created"] is (code == 201)
        assert [e["code"] for e in payload["userErrors"]] == (
            ["VERSION_CONFLICT"] if code == 409 else []
        )

    @rule(
        segment=SEGMENTS,
        entries=st.lists(st.tuples(CUSTOMERS, MIXINS, VERSIONS), max_size=6),
    )
    def bulk_upsert_customers(self, segment: str, entries: list[Any]) -> None:
        expected, assignments, seen = [], [], set()
        for customer, mixins, mode in entries:
            if customer in seen:
                code, version = 400, None
            else:
                code, version = self.expect_customer((segment, *customer), mixins, mode)
            seen.add(customer)
            expected.append(code)
            assignments.append(
                {
                    "customerId": customer[0],
                    "legalEntityId": customer[1],
                    "mixins": mixins,
                    "metadata": {"version": version},
                }
            )
        payload = self.call(ops.BULK_UPSERT_CUSTOMERS, {"s": segment, "a": assignments})
        assert [r["code"] for r in payload["results"]] == expected

    @rule(segment=SEGMENTS, refs=st.lists(CUSTOMERS, max_size=4))
    def bulk_delete_customers(self, segment: str, refs: list[Any]) -> None:
        expected, seen = [], set()
        for ref in refs:
            if ref in seen:
                expected.append(400)
            else:
                expected.append(204 if self.customers.pop((segment, *ref), None) else 404)
            seen.add(ref)
        assignments = [{"customerId": c, "legalEntityId": le} for c, le in refs]
        payload = self.call(ops.BULK_DELETE_CUSTOMERS, {"s": segment, "a": assignments})
        assert [r["code"] for r in payload["results"]] == expected

    @invariant()
    def reads_agree_with_the_model(self) -> None:
        body = self.run(self.gql(STATE, tenant=self.tenant, scopes=READ))
        assert "errors" not in body, body["errors"]
        data = body["data"]
        items = {
            (a["segmentId"], a["type"], a["item"]["id"]): (a["metadata"]["version"], a["mixins"])
            for a in data["itemAssignments"]["items"]
        }
        assert items == {k: (v, m or None) for k, (v, m) in self.items.items()}
        customers = {
            (s, c["customerId"], c["legalEntityId"]): (c["metadata"]["version"], c["mixins"])
            for s in ("s1", "s2")
            for c in data[s]["customers"]["items"]
        }
        assert customers == {k: (v, m or None) for k, (v, m) in self.customers.items()}


async def test_random_writes_keep_reads_in_line_with_the_model(gql):
    # given a machine that drives the gateway on this test's event loop from a worker thread
    Writes.gql = gql
    Writes.loop = asyncio.get_running_loop()
    machine_settings = settings(
        max_examples=30,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    # when / then: every step's response and the reads after it match the model
    await asyncio.to_thread(run_state_machine_as_test, Writes, settings=machine_settings)
