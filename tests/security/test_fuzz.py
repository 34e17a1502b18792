"""Generated operations against the real schema over HTTP: never a 5xx, never an internal leak.

hypothesis-graphql builds valid operations (every root field, any arguments and selections)
and invalid ones (one schema violation each). Whatever comes back must be a documented
error code with a message that shows nothing of the server: no traceback, SQL or path.
"""

from __future__ import annotations

import re
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from gateway.auth import scopes
from gateway.errors import ErrorCode
from gateway.schema import schema
from tests.security.conftest import Client, Serve, Token
from tests.security.operations import OTHER_ONLY
from tests.security.tenants import populate_both

SCHEMA = schema._schema
CODES = {code.value for code in ErrorCode}
# What a message of ours never holds: stack traces, SQL, driver names, files on the server.
INTERNALS = re.compile(
    r"Traceback|File \"|\.py\b|line \d+, in|sqlalchemy|sqlite|asyncpg|psycopg|"
    r"\b(SELECT|INSERT|UPDATE|DELETE)\b.+\b(FROM|INTO|SET|WHERE)\b|/(tmp|work|home|usr|srv)/",
    re.IGNORECASE | re.DOTALL,
)
FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

IDS = ["s1", "s2", "p1", "p3", "c-root", "c1", "le1", *OTHER_ONLY.values()]
# Values that mean something here, so that many operations get past argument checks and
# run deep; arbitrary ones for the rest.
MEANINGFUL = [
    *IDS, "main", "en", "de-CH", "status:ACTIVE", "id:s1", "name.en:~Go", "mixins.owner:alpha",
    "type:PRODUCT item.code:~p", "metadata.version:>=1", "id:DESC", "item.name:ASC",
    "customerId:DESC,legalEntityId",
]  # fmt: skip
# The attacks of Hardening II: many sort keys, deep paths, regexes that backtrack in `re`,
# overlong patterns; with page sizes of 500 at every level and the JSON below.
ATTACKS = [
    ",".join(f"mixins.x{n}:DESC" for n in range(count)) for count in (10, 11, 60, 120)
] + [
    "mixins." + ".".join(f"p{n}" for n in range(parts)) + ":1" for parts in (9, 10, 99)
] + [
    "name.en:~(.|.|.|.)*#", "item.name.en:~(a|aa)*b", "mixins.owner:~((.+)+)+#",
    "name.en:~" + "a" * 201, "description.en:~.*x.*y.*z",
]  # fmt: skip
STRINGS = st.one_of(st.sampled_from(MEANINGFUL), st.sampled_from(ATTACKS), st.text(max_size=12))
INTS = st.one_of(st.sampled_from([1, 2, 60, 500, 501]), st.integers(-(2**31), 2**31 - 1))
INSTANTS = st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds") + "Z"),
    st.text(max_size=12),
)


def _field(name: str, value: graphql.ValueNode) -> graphql.ObjectFieldNode:
    return graphql.ObjectFieldNode(name=graphql.NameNode(value=name), value=value)


SCALAR_NODES = st.one_of(
    STRINGS.map(nodes.String), INTS.map(nodes.Int), st.booleans().map(nodes.Boolean)
)


def _deep(depth: int) -> graphql.ValueNode:
    value: graphql.ValueNode = nodes.Int(1)
    for _ in range(depth):
        value = nodes.Object([_field("a", value)])
    return value


# Numbers JSON cannot hold, and nesting at and past the 32 levels mixins may have.
NON_FINITE = st.sampled_from(["1e400", "-1e999", "1.5e308"]).map(
    lambda text: graphql.FloatValueNode(value=text)
)
JSON_NODES = st.one_of(
    st.dictionaries(
        st.sampled_from(["owner", "a", "b_c", "_"]), st.one_of(SCALAR_NODES, NON_FINITE), max_size=3
    ).map(lambda fields: nodes.Object([_field(k, v) for k, v in fields.items()])),
    SCALAR_NODES,
    st.lists(SCALAR_NODES, max_size=3).map(nodes.List),
    st.sampled_from([31, 32, 33, 60]).map(_deep),
)
CUSTOM_SCALARS = {
    "DateTime": INSTANTS.map(nodes.String),
    "JSON": JSON_NODES,
    "String": STRINGS.map(nodes.String),
    "ID": STRINGS.map(nodes.String),
    "Int": INTS.map(nodes.Int),
}
TOKENS = st.sampled_from(
    [
        Token((scopes.READ, scopes.MANAGE)),
        Token((scopes.READ_OWN, scopes.MANAGE), customer="c1"),
        Token((scopes.READ_OWN,), customer="c2", legal_entity="le1"),
    ]
)


def operations(mode: Mode) -> st.SearchStrategy[str]:
    return from_schema(SCHEMA, custom_scalars=CUSTOM_SCALARS, mode=mode)


@pytest.fixture
async def client(sqlite_db, serve: Serve) -> Client:
    await populate_both(sqlite_db)
    return await serve(sqlite_db)


def problems(response: httpx.Response) -> list[str]:
    """What is wrong with a response to any operation; empty when nothing is."""
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    body: dict[str, Any] = response.json()
    for error in body.get("errors", []):
        code = error.get("extensions", {}).get("code")
        if code not in CODES:
            found.append(f"undocumented code {code!r}")
        if code == ErrorCode.INTERNAL.value:
            found.append("INTERNAL error: a resolver failed")
        if INTERNALS.search(str(error)):
            found.append(f"internals in {error}")
    for name, value in response.headers.items():
        if name.lower() in {"server", "x-powered-by"} or INTERNALS.search(value):
            found.append(f"header {name}: {value}")
    return found


@FUZZ
@given(operation=operations(Mode.POSITIVE), token=TOKENS)
async def test_valid_operations_never_fail_inside(client: Client, operation: str, token: Token):
    # when
    response = await client.post(operation, token=token)
    # then
    assert problems(response) == [], (operation, response.text)


@FUZZ
@given(operation=operations(Mode.NEGATIVE), token=TOKENS)
async def test_invalid_operations_are_refused_as_bad_input(
    client: Client, operation: str, token: Token
):
    # when
    response = await client.post(operation, token=token)
    # then
    assert problems(response) == [], (operation, response.text)
    assert response.status_code == 400, (operation, response.text)
    codes = {e["extensions"]["code"] for e in response.json()["errors"]}
    assert codes == {ErrorCode.BAD_USER_INPUT.value}, (operation, response.text)
