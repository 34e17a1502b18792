"""Catastrophic regexes sent to the real server on SQLite: answered, and nobody else waits."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.live import GRACEFUL_SECONDS, Server, attack, serving

SEGMENT_IDS = "{ items { id } }"
CUSTOMER_ATTACKS = [
    (f'{{ segments(q: "name.en:~(.|.|.|.)*#") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "name.en:~(a|aa|aaa)*H") {SEGMENT_IDS} }}', ["hobby"]),
    (f'{{ segments(q: "description.en:~((.+)+)+#") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.campaign.owner:~(m|ma|mar)*x") {SEGMENT_IDS} }}', []),
    ('{ itemAssignments(q: "item.name.en:~(.|.|.|.)*#") { items { type } } }', []),
    ('{ itemAssignments(q: "mixins.promotion.badge:~(x+x+)+y") { items { type } } }', []),
]
MANAGER_ATTACKS = [
    (f'{{ segments(q: "name.en:~(a|aa)*#") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.x:~(.*a){{12}}b") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.x:~.*x.*y") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.x:~^(a|a?)+$") {SEGMENT_IDS} }}', ["long"]),
]
REFUSED = [
    '{ segments(q: "name.en:~(a{255}){255}") { items { id } } }',
    '{ segments(q: "name.en:~' + "(.|.)*" * 40 + '#") { items { id } } }',
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("regex-attack")) as running:
        yield running


def _ids(body: Any) -> list[str]:
    assert isinstance(body, dict) and "errors" not in body, body
    page = next(iter(body["data"].values()))
    return [item.get("id", item.get("type")) for item in page["items"]]


@pytest.mark.parametrize(("query", "expected"), CUSTOMER_ATTACKS)
def test_a_customers_regex_attack_is_answered_while_others_are_served(
    server: Server, query: str, expected: list[str]
) -> None:
    # when
    body, problems = attack(server, query, server.customer)
    # then: a normal answer for the attacker, and nobody else waited
    assert problems == []
    assert _ids(body) == expected


@pytest.mark.parametrize(("query", "expected"), MANAGER_ATTACKS)
def test_a_regex_attack_on_long_values_is_answered_while_others_are_served(
    server: Server, query: str, expected: list[str]
) -> None:
    # when
    body, problems = attack(server, query, server.manager)
    # then
    assert problems == []
    assert _ids(body) == expected


@pytest.mark.parametrize("query", REFUSED)
def test_a_regex_beyond_the_limits_is_bad_user_input(server: Server, query: str) -> None:
    # when
    body, problems = attack(server, query, server.customer)
    # then
    assert problems == []
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


def test_sigterm_after_an_attack_stops_the_server_within_its_graceful_timeout(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as server:
        # given
        body, _ = attack(server, CUSTOMER_ATTACKS[0][0], server.customer)
        assert _ids(body) == []
        # when
        server.process.send_signal(signal.SIGTERM)
        # then
        assert server.process.wait(timeout=GRACEFUL_SECONDS) in (0, -signal.SIGTERM)
