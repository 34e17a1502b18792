"""No altered token is ever trusted: property test over HS256, RS256 and ES256 tokens."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.auth.tokens import InvalidToken, TokenVerifier
from gateway.settings import Settings
from tests.auth.conftest import SECRET, Clock, claims, jwk, sign, write_jwks

ALPHABET = string.ascii_letters + string.digits + "-_.=+/ \n"


@pytest.fixture(scope="module")
def tokens_and_verifier(
    tmp_path_factory: pytest.TempPathFactory, rsa_key: Any, ec_key: Any
) -> tuple[list[str], TokenVerifier]:
    jwks = write_jwks(
        Path(tmp_path_factory.mktemp("keys")) / "jwks.json", jwk(rsa_key, "r1"), jwk(ec_key, "e1")
    )
    configured = Settings(
        jwt_secret=SECRET, jwt_algorithms=("HS256", "RS256", "ES256"), jwt_jwks_file=str(jwks)
    )
    tokens = [
        sign(claims(), SECRET, "HS256"),
        sign(claims(legal_entity_id="le1"), rsa_key, "RS256", kid="r1"),
        sign(claims(customer_id="c9"), ec_key, "ES256", kid="e1"),
    ]
    return tokens, TokenVerifier(configured, clock=Clock())


@st.composite
def edits(draw: st.DrawFn, token: str) -> str:
    """One to three replacements, insertions, deletions or swaps of characters."""
    chars = list(token)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(chars) - 1, 0)))
        kind = draw(st.sampled_from(["replace", "insert", "delete", "swap", "truncate"]))
        char = draw(st.sampled_from(ALPHABET) | st.characters())
        if kind == "replace" and chars:
            chars[at] = char
        elif kind == "insert":
            chars.insert(at, char)
        elif kind == "delete" and chars:
            del chars[at]
        elif kind == "swap" and len(chars) > 1:
            other = draw(st.integers(0, len(chars) - 1))
            chars[at], chars[other] = chars[other], chars[at]
        elif kind == "truncate":
            del chars[at:]
    return "".join(chars)


@settings(max_examples=2000, deadline=None)
@given(data=st.data())
def test_a_changed_token_is_never_accepted(
    data: st.DataObject, tokens_and_verifier: tuple[list[str], TokenVerifier]
) -> None:
    # given
    tokens, verifier = tokens_and_verifier
    original = data.draw(st.sampled_from(tokens))
    mutated = data.draw(edits(original))
    # when / then
    if mutated == original:
        assert verifier.verify(mutated).tenant == "demo"
    else:
        with pytest.raises(InvalidToken):
            verifier.verify(mutated)
