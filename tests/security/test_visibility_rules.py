"""The row-visibility rules refuse nobody: the field policy has refused first (checked here)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.auth import scopes
from gateway.auth.policy import POLICY, Decision, allows
from gateway.auth.principal import Principal
from gateway.segments.visibility import customer_access, match_access, read_access, tree_access

# The fields whose resolvers apply read_access (directly or through the rules built on it).
READ_FIELDS = [
    "Query.segments",
    "Query.segment",
    "Query.customerAssignment",
    "Query.itemAssignments",
    "Query.itemAssignment",
    "Query.categoryTrees",
    "Query.categoryTreeNodes",
    "Segment.items",
    "Segment.customers",
    "ItemAssignment.segment",
]
HOLDINGS = [
    (),
    (scopes.MANAGE,),
    (scopes.READ_OWN,),
    (scopes.READ,),
    (scopes.READ_OWN, scopes.MANAGE),
]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _principal(held: tuple[str, ...], customer_id: str | None = "c1") -> Principal:
    return Principal(tenant="demo", scopes=frozenset(held), customer_id=customer_id)


def _context(principal: Principal) -> Any:
    return SimpleNamespace(principal=principal, tenant="demo", now=NOW)


@pytest.mark.parametrize("field", READ_FIELDS)
@pytest.mark.parametrize("held", HOLDINGS)
def test_a_field_applying_read_access_is_reached_only_with_a_read_scope(field, held):
    # given
    principal = _principal(held)
    # when / then
    assert allows(POLICY[field], principal) == principal.can_read


def test_match_items_is_reached_only_with_read_read_own_or_manage():
    # then
    assert POLICY["Query.matchItems"] is Decision.READ_OR_MANAGE


@pytest.mark.parametrize("rule", [read_access, match_access])
def test_a_token_without_scopes_sees_no_segment_rather_than_an_error(rule):
    # when
    access = rule(_context(_principal(())))
    # then
    assert access.denied


def test_a_customer_lists_only_their_own_assignments():
    # when
    access = customer_access(_context(_principal((scopes.READ_OWN,))))
    # then
    assert access.customer_id == "c1"


def test_a_tree_without_read_scope_draws_on_no_segment():
    # when
    access = tree_access(_context(_principal((scopes.MANAGE,))), None)
    # then
    assert access.denied
