"""What a valid bearer token says about the caller, the keys that verify it, the leeway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.auth import scopes
from gateway.auth.tokens import InvalidToken
from tests.auth.conftest import NOW, SECRET, claims, forge, jwk, pem, sign, write_jwks


def test_hs256_token_with_the_shared_secret_names_the_caller(make_verifier: Any) -> None:
    # given
    token = sign(claims(sub="u1", scope=f"{scopes.READ_OWN} {scopes.MANAGE}"), SECRET, "HS256")
    # when
    principal = make_verifier().verify(token)
    # then
    assert principal.tenant == "demo"
    assert principal.scopes == frozenset({scopes.READ_OWN, scopes.MANAGE})
    assert (principal.subject, principal.customer_id, principal.legal_entity_id) == (
        "u1",
        "u1",
        None,
    )


def test_customer_id_and_legal_entity_come_from_their_own_claims(make_verifier: Any) -> None:
    # given
    token = sign(claims(sub="u1", customer_id="c7", legal_entity_id="le1"), SECRET, "HS256")
    # when
    principal = make_verifier().verify(token)
    # then
    assert (principal.customer_id, principal.legal_entity_id) == ("c7", "le1")


def test_a_token_without_scope_is_valid_but_allows_nothing(make_verifier: Any) -> None:
    # given
    token = sign(claims(scope=None), SECRET, "HS256")
    # when
    principal = make_verifier().verify(token)
    # then
    assert principal.scopes == frozenset()
    assert not principal.can_read and not principal.can_manage


def test_a_token_with_an_audience_is_accepted_when_none_is_configured(make_verifier: Any) -> None:
    # given
    token = sign(claims(aud="somebody"), SECRET, "HS256")
    # when
    principal = make_verifier().verify(token)
    # then
    assert principal.tenant == "demo"


def test_rs256_with_a_pem_public_key_ignores_the_kid(
    make_verifier: Any, rsa_key: Any, rsa_pem_file: Path
) -> None:
    # given
    verifier = make_verifier(jwt_algorithms=("RS256",), jwt_public_key_file=str(rsa_pem_file))
    token = sign(claims(), rsa_key, "RS256", kid="whatever")
    # when
    principal = verifier.verify(token)
    # then
    assert principal.tenant == "demo"


def test_es256_with_a_pem_public_key(make_verifier: Any, ec_key: Any, tmp_path: Path) -> None:
    # given
    (tmp_path / "ec.pem").write_bytes(pem(ec_key))
    verifier = make_verifier(
        jwt_algorithms=("ES256",), jwt_public_key_file=str(tmp_path / "ec.pem")
    )
    # when
    principal = verifier.verify(sign(claims(), ec_key, "ES256"))
    # then
    assert principal.tenant == "demo"


def test_hs256_keyed_with_the_pem_fails_even_when_both_families_are_allowed(
    make_verifier: Any, rsa_key: Any, rsa_pem_file: Path
) -> None:
    # given
    verifier = make_verifier(
        jwt_algorithms=("HS256", "RS256"), jwt_public_key_file=str(rsa_pem_file)
    )
    token = forge({"alg": "HS256", "typ": "JWT"}, claims(), rsa_pem_file.read_bytes())
    # when / then
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_jwks_with_one_key_verifies_tokens_without_kid(
    make_verifier: Any, rsa_key: Any, tmp_path: Path
) -> None:
    # given
    jwks = write_jwks(tmp_path / "jwks.json", jwk(rsa_key, "r1"))
    verifier = make_verifier(jwt_algorithms=("RS256",), jwt_jwks_file=str(jwks))
    # when
    principal = verifier.verify(sign(claims(), rsa_key, "RS256"))
    # then
    assert principal.tenant == "demo"


def test_a_jwk_naming_its_algorithm_verifies_only_that_algorithm(
    make_verifier: Any, rsa_key: Any, tmp_path: Path
) -> None:
    # given
    jwks = write_jwks(tmp_path / "jwks.json", jwk(rsa_key, "r1", alg="PS256"))
    verifier = make_verifier(jwt_algorithms=("RS256", "PS256"), jwt_jwks_file=str(jwks))
    # when
    accepted = verifier.verify(sign(claims(), rsa_key, "PS256", kid="r1"))
    # then
    assert accepted.tenant == "demo"
    with pytest.raises(InvalidToken):
        verifier.verify(sign(claims(), rsa_key, "RS256", kid="r1"))


@pytest.mark.parametrize("expired_for, accepted", [(29, True), (30, False), (31, False)])
def test_leeway_lets_a_just_expired_token_through_for_30_seconds(
    make_verifier: Any, expired_for: int, accepted: bool
) -> None:
    # given
    token = sign(claims(exp=int(NOW) - expired_for), SECRET, "HS256")
    verifier = make_verifier(jwt_leeway_seconds=30)
    # when / then
    if accepted:
        assert verifier.verify(token).tenant == "demo"
    else:
        with pytest.raises(InvalidToken, match="expired"):
            verifier.verify(token)


@pytest.mark.parametrize("early_by, accepted", [(29, True), (30, True), (31, False)])
def test_leeway_lets_a_token_from_a_clock_slightly_ahead_through(
    make_verifier: Any, early_by: int, accepted: bool
) -> None:
    # given
    token = sign(claims(nbf=int(NOW) + early_by, iat=int(NOW) + early_by), SECRET, "HS256")
    verifier = make_verifier(jwt_leeway_seconds=30)
    # when / then
    if accepted:
        assert verifier.verify(token).tenant == "demo"
    else:
        with pytest.raises(InvalidToken, match="not valid yet"):
            verifier.verify(token)


def test_a_configured_leeway_above_30_seconds_is_capped(make_verifier: Any) -> None:
    # given
    token = sign(claims(exp=int(NOW) - 31), SECRET, "HS256")
    verifier = make_verifier(jwt_leeway_seconds=600)
    # when / then
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_without_leeway_a_token_expires_at_exp(make_verifier: Any, clock: Any) -> None:
    # given
    token = sign(claims(exp=int(NOW) + 1), SECRET, "HS256")
    verifier = make_verifier(jwt_leeway_seconds=0)
    assert verifier.verify(token).tenant == "demo"
    # when
    clock.now = NOW + 1
    # then
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


@pytest.mark.parametrize("separator", ["\u00a0", "\t", "\n", "\u2003", "\u3000", "\x1f"])
def test_scopes_are_separated_by_spaces_only(make_verifier: Any, separator: str) -> None:
    # given: two scopes joined by something other than U+0020
    joined = f"{scopes.READ}{separator}{scopes.MANAGE}"
    token = sign(claims(scope=joined), SECRET, "HS256")
    # when
    principal = make_verifier().verify(token)
    # then: one unknown scope, which grants nothing
    assert principal.scopes == frozenset({joined})
    assert not principal.can_read and not principal.can_manage


def test_repeated_spaces_between_scopes_are_tolerated(make_verifier: Any) -> None:
    token = sign(claims(scope=f" {scopes.READ}  {scopes.MANAGE} "), SECRET, "HS256")
    assert make_verifier().verify(token).scopes == frozenset({scopes.READ, scopes.MANAGE})
