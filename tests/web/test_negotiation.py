"""Accept negotiation: the most specific media range decides, q=0 refuses."""

from __future__ import annotations

import pytest

from gateway.web.negotiation import GRAPHQL_RESPONSE, JSON, prefers_html, response_media_type


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, GRAPHQL_RESPONSE),
        ("", GRAPHQL_RESPONSE),
        ("APPLICATION/JSON", JSON),
        (f"{GRAPHQL_RESPONSE};charset=utf-8", GRAPHQL_RESPONSE),
        (f"application/*;q=0.5, {JSON}", JSON),
        (f"*/*;q=0.1, {GRAPHQL_RESPONSE};q=0", JSON),
        (f"{GRAPHQL_RESPONSE};q=nan, {JSON};q=0.2", JSON),
        (f"{GRAPHQL_RESPONSE};q=2, {JSON};q=0.2", JSON),
        (f"{GRAPHQL_RESPONSE};q=abc", None),
        ("application/xml, text/*", None),
        ("garbage", None),
    ],
)
def test_the_response_media_type(accept, expected):
    assert response_media_type(accept) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/html", True),
        ("text/*", True),
        ("*/*", False),
        (None, False),
        (f"text/html;q=0.5, {JSON}", False),
        (f"{GRAPHQL_RESPONSE}, text/html", True),
    ],
)
def test_a_browser_is_one_that_ranks_html_first(accept, expected):
    assert prefers_html(accept) is expected
