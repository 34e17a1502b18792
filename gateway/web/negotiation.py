"""Accept-header negotiation for the GraphQL endpoint (RFC 9110 media ranges and q-values)."""

from __future__ import annotations

from typing import NamedTuple

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
HTML = "text/html"


class MediaRange(NamedTuple):
    type: str
    subtype: str
    q: float


def _q(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            # Also turns nan and inf into "not acceptable".
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def parse_accept(header: str) -> list[MediaRange]:
    ranges = []
    for part in header.split(","):
        media, *params = part.split(";")
        kind, slash, subtype = media.strip().lower().partition("/")
        if slash and kind and subtype:
            ranges.append(MediaRange(kind, subtype, _q(params)))
    return ranges


def quality(ranges: list[MediaRange], media_type: str, *, wildcard: bool = True) -> float:
    """The q-value of the most specific range matching media_type; 0 when none does."""
    kind, _, subtype = media_type.partition("/")
    best: tuple[int, float] | None = None
    for candidate in ranges:
        if candidate.type == kind and candidate.subtype == subtype:
            specificity = 2
        elif candidate.type == kind and candidate.subtype == "*":
            specificity = 1
        elif wildcard and candidate.type == "*" and candidate.subtype == "*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, candidate.q)
    return best[1] if best else 0.0


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer with, or None when the client accepts neither (406)."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE
    ranges = parse_accept(accept)
    preferred = quality(ranges, GRAPHQL_RESPONSE)
    legacy = quality(ranges, JSON)
    if preferred > 0 and preferred >= legacy:
        return GRAPHQL_RESPONSE
    if legacy > 0:
        return JSON
    return None


def prefers_html(accept: str | None) -> bool:
    """A browser asking for a page: text/html named explicitly and ranked at least as high."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    html = quality(ranges, HTML, wildcard=False)
    return html > 0 and html >= max(quality(ranges, GRAPHQL_RESPONSE), quality(ranges, JSON))
