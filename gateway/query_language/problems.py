"""How a bad `q`, `sort`, cursor or page request is reported: BAD_USER_INPUT with a position."""

from __future__ import annotations

from gateway.errors import GatewayError, bad_input


def at(argument: str, message: str, position: int) -> GatewayError:
    """An error about `argument` pointing at a 0-based offset, reported 1-based to humans."""
    return bad_input(
        f"{argument}: {message} at position {position + 1}",
        argument=argument,
        position=position + 1,
    )
