"""The workloads of issue 8's table, as each server is asked them, and how each answer reads.

Every server gets the request that asks the same question its own way: the gateway's contract,
PG5's generated schema (the bench_sql functions where plain PG5 cannot express the rule), B0's
hand-written endpoints. `answer` reduces each response to the same comparable value (ids, codes,
names, flags, counts), so the harness can refuse to measure servers that disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

GATEWAY, PG5, B0 = "gateway", "pg5", "b0"
TREE_FIELDS = "id parentId name isSegmentAssigned"  # 4 fields a node: 40,000 for 10,000 nodes


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Workload:
    key: str
    title: str
    # Per server kind: the requests to send (W1 rotates through several), and the answer reader.
    requests: dict[str, list[Request]]
    answer: dict[str, Callable[[Any], Any]]
    cold_segment: str | None = None  # a cold run re-upserts an assignment of this segment
    write: bool = False


@dataclass
class Tokens:
    reader: str
    customer: str
    manager: str


def _graphql(path: str, token: str | None, query: str, variables: Any = None) -> Request:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"query": query} | ({"variables": variables} if variables else {})
    return Request("POST", path, orjson.dumps(body), headers)


def _json_list(values: list[str]) -> str:
    return orjson.dumps(values).decode()


def _data(body: Any) -> Any:
    if body.get("errors"):
        raise AssertionError(f"errors in the answer: {str(body['errors'])[:500]}")
    return body["data"]


def _tree_rows(nodes: list[dict[str, Any]], id_key: str) -> list[tuple[Any, ...]]:
    return [(n[id_key], n["parentId"], n["name"], n["isSegmentAssigned"]) for n in nodes]


def _pg5_item(node: dict[str, Any]) -> tuple[str, str, str]:
    item = node["productByTenantAndItemId"] or node["categoryByTenantAndItemId"]
    return (node["itemId"], item["code"], item["name"]["en"])


def q1(meta: dict[str, Any], tokens: Tokens, gql: str) -> Workload:
    segment = meta["q1_segment"]
    gateway = (
        f'{{ itemAssignments(segmentId: "{segment}", sort: "item.id", pageSize: 50) '
        "{ items { type item { id code name } } } }"
    )
    pg5 = (
        f'{{ allItemAssignments(condition: {{tenant: "{meta["tenant"]}", segmentId: "{segment}"}}, '
        "orderBy: [ITEM_ID_ASC], first: 50) { nodes { itemType itemId "
        "productByTenantAndItemId { code name } categoryByTenantAndItemId { code name } } } }"
    )
    return Workload(
        "Q1",
        "a segment's item assignments, page of 50 by item id, with item code and name",
        {
            GATEWAY: [_graphql(gql, tokens.reader, gateway)],
            PG5: [_graphql("/graphql", None, pg5)],
            B0: [Request("GET", f"/q1?segment={segment}")],
        },
        {
            GATEWAY: lambda b: [
                (i["item"]["id"], i["item"]["code"], i["item"]["name"])
                for i in _data(b)["itemAssignments"]["items"]
            ],
            PG5: lambda b: [_pg5_item(n) for n in _data(b)["allItemAssignments"]["nodes"]],
            B0: lambda b: [(i["id"], i["code"], i["name"]) for i in b],
        },
        cold_segment=segment,
    )


def q2(meta: dict[str, Any], tokens: Tokens, gql: str, customer: str, segment: str) -> Workload:
    tenant = meta["tenant"]
    pg5 = (
        f'{{ benchSqlCustomerTreeNodes(tenant: "{tenant}", customerId: "{customer}") '
        "{ nodes { rowId parentId name isSegmentAssigned } } }"
    )
    return Workload(
        "Q2",
        "a customer's category tree (flat `categoryTreeNodes`)",
        {
            GATEWAY: [
                _graphql(gql, tokens.customer, f"{{ categoryTreeNodes {{ {TREE_FIELDS} }} }}")
            ],
            PG5: [_graphql("/graphql", None, pg5)],
            B0: [Request("GET", f"/q2?customer={customer}")],
        },
        _tree_answers("benchSqlCustomerTreeNodes"),
        cold_segment=segment,
    )


def _tree_answers(pg5_field: str) -> dict[str, Callable[[Any], Any]]:
    return {
        GATEWAY: lambda b: _tree_rows(_data(b)["categoryTreeNodes"], "id"),
        PG5: lambda b: _tree_rows(_data(b)[pg5_field]["nodes"], "rowId"),
        B0: lambda b: _tree_rows(b, "id"),
    }


def q3(meta: dict[str, Any], tokens: Tokens, gql: str) -> Workload:
    pg5 = (
        f'{{ benchSqlTreeNodes(tenant: "{meta["tenant"]}") '
        "{ nodes { rowId parentId name isSegmentAssigned } } }"
    )
    return Workload(
        "Q3",
        "the whole catalog's tree (segment_read token: all active segments; one holds every root)",
        {
            GATEWAY: [_graphql(gql, tokens.reader, f"{{ categoryTreeNodes {{ {TREE_FIELDS} }} }}")],
            PG5: [_graphql("/graphql", None, pg5)],
            B0: [Request("GET", "/q3")],
        },
        _tree_answers("benchSqlTreeNodes"),
        cold_segment=meta["q1_segment"],
    )


def q4(meta: dict[str, Any], tokens: Tokens, gql: str) -> Workload:
    site, items, (a, b) = meta["site"], _json_list(meta["q4_items"]), meta["q4_segments"]
    gateway = " ".join(
        f'{alias}: matchItems(siteCode: "{site}", segmentIds: ["{s}"], itemIds: {items})'
        for alias, s in (("a", a), ("b", b))
    )
    pg5 = " ".join(
        f'{alias}: benchSqlMatchItems(tenant: "{meta["tenant"]}", siteCode: "{site}", '
        f'segmentIds: ["{s}"], itemIds: {items}) {{ nodes }}'
        for alias, s in (("a", a), ("b", b))
    )
    b0 = orjson.dumps({"site": site, "segments": [a, b], "items": meta["q4_items"]})
    return Workload(
        "Q4",
        "`matchItems`: which of 50 products two segments may see (two aliased fields)",
        {
            GATEWAY: [_graphql(gql, tokens.reader, f"{{ {gateway} }}")],
            PG5: [_graphql("/graphql", None, f"{{ {pg5} }}")],
            B0: [Request("POST", "/q4", b0, {"Content-Type": "application/json"})],
        },
        {
            GATEWAY: lambda r: (_data(r)["a"], _data(r)["b"]),
            PG5: lambda r: (_data(r)["a"]["nodes"], _data(r)["b"]["nodes"]),
            B0: lambda r: (r["a"], r["b"]),
        },
        cold_segment=a,
    )


W1_MUTATION = (
    "mutation ($s: ID!, $items: [BulkItemAssignmentInput!]!) { "
    "bulkUpsertItemAssignments(segmentId: $s, type: PRODUCT, items: $items) { succeeded failed } }"
)


def w1(meta: dict[str, Any], tokens: Tokens, gql: str) -> Workload:
    gateway, b0 = [], []
    for entry in meta["w1"]:
        items = [{"id": i} for i in entry["items"]]
        gateway.append(
            _graphql(gql, tokens.manager, W1_MUTATION, {"s": entry["segment"], "items": items})
        )
        body = orjson.dumps({"segment": entry["segment"], "items": entry["items"]})
        b0.append(Request("POST", "/w1", body, {"Content-Type": "application/json"}))
    return Workload(
        "W1",
        "bulk upsert of 200 assignments (baseline: one raw `INSERT ... ON CONFLICT`)",
        {GATEWAY: gateway, B0: b0},
        {
            GATEWAY: lambda r: _data(r)["bulkUpsertItemAssignments"]["succeeded"],
            B0: lambda r: r["succeeded"],
        },
        write=True,
    )


def q0(tokens: Tokens, gql: str) -> Workload:
    return Workload(
        "Q0",
        "`{ __typename }`",
        {
            GATEWAY: [_graphql(gql, tokens.reader, "{ __typename }")],
            PG5: [_graphql("/graphql", None, "{ __typename }")],
        },
        {GATEWAY: lambda r: _data(r)["__typename"], PG5: lambda r: _data(r)["__typename"]},
    )
