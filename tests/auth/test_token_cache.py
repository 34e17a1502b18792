"""Verified tokens are remembered per verifier, never past exp, before nbf or a key change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest import mock

import jwt
import pytest

from gateway.auth import tokens
from gateway.auth.tokens import InvalidToken
from tests.auth.conftest import NOW, SECRET, Clock, claims, jwk, sign, write_jwks


def hs256(**overrides: Any) -> str:
    return sign(claims(**overrides), SECRET, "HS256")


def counting_decode() -> Any:
    return mock.patch.object(tokens.jwt, "decode", side_effect=jwt.decode)


def test_a_token_seen_before_is_not_checked_again(make_verifier: Any) -> None:
    # given
    verifier = make_verifier(jwt_leeway_seconds=0)
    token = hs256()
    # when
    with counting_decode() as decode:
        first = verifier.verify(token)
        again = [verifier.verify(token) for _ in range(5)]
    # then
    assert decode.call_count == 1
    assert all(p == first for p in again)


def test_a_cached_token_is_refused_once_it_expires(make_verifier: Any, clock: Clock) -> None:
    # given: a token valid for 2 s, verified once
    verifier = make_verifier(jwt_leeway_seconds=0)
    token = hs256(exp=int(NOW) + 2)
    assert verifier.verify(token).tenant == "demo"
    # when
    clock.now = NOW + 2
    # then
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_the_cache_keeps_the_leeway_and_no_more(make_verifier: Any, clock: Clock) -> None:
    # given
    verifier = make_verifier(jwt_leeway_seconds=5)
    token = hs256(exp=int(NOW) + 2)
    verifier.verify(token)
    # when / then
    clock.now = NOW + 6.9
    assert verifier.verify(token).tenant == "demo"
    clock.now = NOW + 7
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_a_token_not_yet_valid_is_refused_until_nbf(make_verifier: Any, clock: Clock) -> None:
    # given
    verifier = make_verifier(jwt_leeway_seconds=0)
    token = hs256(nbf=int(NOW) + 10, iat=None)
    # when / then
    with pytest.raises(InvalidToken, match="nbf"):
        verifier.verify(token)
    clock.now = NOW + 10
    assert verifier.verify(token).tenant == "demo"


def test_a_clock_set_back_before_nbf_refuses_a_cached_token(
    make_verifier: Any, clock: Clock
) -> None:
    # given: verified once it became valid
    verifier = make_verifier(jwt_leeway_seconds=0)
    token = hs256(nbf=int(NOW), iat=None)
    verifier.verify(token)
    # when
    clock.now = NOW - 1
    # then
    with pytest.raises(InvalidToken, match="nbf"):
        verifier.verify(token)


def test_a_token_whose_key_was_rotated_out_is_refused(
    make_verifier: Any, tmp_path: Path, rsa_key: Any, other_rsa_key: Any
) -> None:
    # given: a token of key r1, verified once
    jwks = write_jwks(tmp_path / "jwks.json", jwk(rsa_key, "r1"))
    verifier = make_verifier(jwt_algorithms=("RS256",), jwt_jwks_file=str(jwks))
    token = sign(claims(), rsa_key, "RS256", kid="r1")
    assert verifier.verify(token).tenant == "demo"
    # when: r1 is replaced by r2
    write_jwks(jwks, jwk(other_rsa_key, "r2"))
    stat = jwks.stat()
    os.utime(jwks, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    # then
    with pytest.raises(InvalidToken, match="kid"):
        verifier.verify(token)


def test_the_cache_is_bounded(make_verifier: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setattr(tokens, "MAX_CACHED_TOKENS", 3)
    verifier = make_verifier()
    issued = [hs256(sub=f"c{n}") for n in range(5)]
    # when
    for token in issued:
        verifier.verify(token)
    # then: the three newest are remembered, the oldest is checked again
    with counting_decode() as decode:
        for token in issued[2:]:
            verifier.verify(token)
        assert decode.call_count == 0
        verifier.verify(issued[0])
    assert decode.call_count == 1


def test_invalid_tokens_are_not_remembered(make_verifier: Any) -> None:
    # given
    verifier = make_verifier()
    token = sign(claims(), "another-secret-for-hs256-0123456789abcdef", "HS256")
    # when / then
    for _ in range(2):
        with pytest.raises(InvalidToken):
            verifier.verify(token)
