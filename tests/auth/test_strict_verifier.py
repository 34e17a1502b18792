"""The strict verifier (iss, aud, three algorithms, a JWKS) refuses each untrustworthy token."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.auth import scopes
from gateway.auth.tokens import InvalidToken, TokenVerifier
from gateway.settings import Settings
from tests.auth.conftest import NOW, SECRET, b64, claims, forge, jwk, pem, sign, write_jwks

ISSUER = "https://id.example.test"
AUDIENCE = "segment-gateway"


@pytest.fixture
def strict(tmp_path: Path, rsa_key: Any, ec_key: Any) -> Settings:
    """HS256, RS256 and ES256 allowed; keys r1 (RSA) and e1 (EC) in a JWKS; iss and aud set."""
    jwks = write_jwks(tmp_path / "jwks.json", jwk(rsa_key, "r1"), jwk(ec_key, "e1"))
    return Settings(
        jwt_secret=SECRET,
        jwt_algorithms=("HS256", "RS256", "ES256"),
        jwt_jwks_file=str(jwks),
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )


@pytest.fixture
def verifier(strict: Settings, make_verifier: Callable[..., TokenVerifier]) -> TokenVerifier:
    return make_verifier(strict)


def good(**overrides: Any) -> dict[str, Any]:
    return claims(**{"iss": ISSUER, "aud": AUDIENCE, **overrides})


def flip_last_signature_bit(token: str) -> str:
    head, _, signature = token.rpartition(".")
    # The first character carries only high bits, so the result stays canonical base64url.
    first = "B" if signature[0] == "A" else "A"
    return f"{head}.{first}{signature[1:]}"


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: str = "") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{signature}"


# Each case changes one thing about a token the strict verifier accepts.
REJECTED: dict[str, Callable[[Any, Any, Any], str]] = {
    "alg none, no signature": lambda r, e, o: unsigned({"alg": "none"}, good()),
    "alg none, with signature": lambda r, e, o: unsigned({"alg": "none"}, good(), "c2ln"),
    "alg None spelled otherwise": lambda r, e, o: unsigned({"alg": "None"}, good(), "c2ln"),
    "no alg": lambda r, e, o: forge({"typ": "JWT"}, good(), SECRET.encode()),
    "HS256 keyed with the RSA public key PEM": lambda r, e, o: forge(
        {"alg": "HS256", "kid": "r1"}, good(), pem(r)
    ),
    "HS512 not in the allow-list": lambda r, e, o: sign(good(), SECRET * 2, "HS512"),
    "RS512 not in the allow-list": lambda r, e, o: sign(good(), r, "RS512", kid="r1"),
    "signed by another RSA key": lambda r, e, o: sign(good(), o, "RS256", kid="r1"),
    "unknown kid": lambda r, e, o: sign(good(), r, "RS256", kid="r9"),
    "no kid with several keys": lambda r, e, o: sign(good(), r, "RS256"),
    "ES256 naming the RSA kid": lambda r, e, o: sign(good(), e, "ES256", kid="r1"),
    "RS256 naming the EC kid": lambda r, e, o: sign(good(), r, "RS256", kid="e1"),
    "kid not a string": lambda r, e, o: forge({"alg": "HS256", "kid": 7}, good(), SECRET.encode()),
    "expired": lambda r, e, o: sign(good(exp=int(NOW) - 31), r, "RS256", kid="r1"),
    "nbf in the future": lambda r, e, o: sign(good(nbf=int(NOW) + 31), r, "RS256", kid="r1"),
    "iat in the future": lambda r, e, o: sign(good(iat=int(NOW) + 31), r, "RS256", kid="r1"),
    "missing exp": lambda r, e, o: sign(good(exp=None), r, "RS256", kid="r1"),
    "wrong aud": lambda r, e, o: sign(good(aud="other"), r, "RS256", kid="r1"),
    "missing aud": lambda r, e, o: sign(good(aud=None), r, "RS256", kid="r1"),
    "wrong iss": lambda r, e, o: sign(good(iss="https://evil.test"), r, "RS256", kid="r1"),
    "missing iss": lambda r, e, o: sign(good(iss=None), r, "RS256", kid="r1"),
    "flipped signature bit": lambda r, e, o: flip_last_signature_bit(
        sign(good(), r, "RS256", kid="r1")
    ),
    "flipped HS256 signature bit": lambda r, e, o: flip_last_signature_bit(
        sign(good(), SECRET, "HS256")
    ),
    "flipped ES256 signature bit": lambda r, e, o: flip_last_signature_bit(
        sign(good(), e, "ES256", kid="e1")
    ),
    "malformed base64": lambda r, e, o: sign(good(), SECRET, "HS256").replace(".", ".!!", 1),
    "padded base64": lambda r, e, o: sign(good(), SECRET, "HS256") + "=",
    "two parts": lambda r, e, o: sign(good(), SECRET, "HS256").rpartition(".")[0],
    "four parts": lambda r, e, o: sign(good(), SECRET, "HS256") + ".e30",
    "empty": lambda r, e, o: "",
    "surrounding space": lambda r, e, o: " " + sign(good(), SECRET, "HS256"),
    "header not an object": lambda r, e, o: unsigned([], good(), "c2ln"),  # type: ignore[arg-type]
    "payload not an object": lambda r, e, o: forge({"alg": "HS256"}, [1], SECRET.encode()),  # type: ignore[arg-type]
    "unknown crit header": lambda r, e, o: sign(good(), SECRET, "HS256", crit=["exp2"], exp2=1),
    "jku header": lambda r, e, o: sign(good(), r, "RS256", kid="r1", jku="https://evil.test/k"),
    "x5u header": lambda r, e, o: sign(good(), r, "RS256", kid="r1", x5u="https://evil.test/c"),
    "jwk header": lambda r, e, o: sign(good(), r, "RS256", kid="r1", jwk=jwk(r, "r1")),
    "x5c header": lambda r, e, o: sign(good(), r, "RS256", kid="r1", x5c=["MIIB"]),
    "too long": lambda r, e, o: sign(good(pad="x" * 9000), SECRET, "HS256"),
    "tenant missing": lambda r, e, o: sign(good(tenant=None), SECRET, "HS256"),
    "tenant a number": lambda r, e, o: sign(good(tenant=5), SECRET, "HS256"),
    "tenant empty": lambda r, e, o: sign(good(tenant=""), SECRET, "HS256"),
    "scope a list": lambda r, e, o: sign(good(scope=[scopes.READ]), SECRET, "HS256"),
    "sub a number": lambda r, e, o: sign(good(sub=7), SECRET, "HS256"),
    "customer_id a number": lambda r, e, o: sign(good(customer_id=7), SECRET, "HS256"),
    "customer_id empty": lambda r, e, o: sign(good(customer_id=""), SECRET, "HS256"),
    "legal_entity_id empty": lambda r, e, o: sign(good(legal_entity_id=""), SECRET, "HS256"),
    "legal_entity_id an object": lambda r, e, o: sign(good(legal_entity_id={}), SECRET, "HS256"),
    "exp a string": lambda r, e, o: sign(good(exp=str(int(NOW) + 300)), SECRET, "HS256"),
    "exp true": lambda r, e, o: sign(good(exp=True), SECRET, "HS256"),
    "exp beyond any float": lambda r, e, o: sign(good(exp=10**400), SECRET, "HS256"),
    "nbf a string": lambda r, e, o: sign(good(nbf="0"), SECRET, "HS256"),
    "aud a number": lambda r, e, o: sign(good(aud=1), SECRET, "HS256"),
}


# Why each case fails: it must fail for its own reason, not an earlier accident.
REASONS = {
    "ES256 naming the RSA kid": "no configured key fits",
    "HS256 keyed with the RSA public key PEM": "Signature verification failed",
    "HS512 not in the allow-list": "not accepted",
    "RS256 naming the EC kid": "no configured key fits",
    "RS512 not in the allow-list": "not accepted",
    "alg None spelled otherwise": "not accepted",
    "alg none, no signature": "not a compact JWS",
    "alg none, with signature": "not accepted",
    "aud a number": "Invalid claim format",
    "customer_id a number": "customer_id",
    "customer_id empty": "customer_id",
    "empty": "not a compact JWS",
    "exp a string": "'exp' claim must be a number",
    "exp beyond any float": "'exp' claim must be a number",
    "exp true": "'exp' claim must be a number",
    "expired": "expired",
    "flipped ES256 signature bit": "Signature verification failed",
    "flipped HS256 signature bit": "Signature verification failed",
    "flipped signature bit": "Signature verification failed",
    "four parts": "not a compact JWS",
    "header not an object": "header",
    "iat in the future": "iat",
    "jku header": "names its own key",
    "jwk header": "names its own key",
    "kid not a string": "Key ID",
    "legal_entity_id an object": "legal_entity_id",
    "legal_entity_id empty": "legal_entity_id",
    "malformed base64": "not a compact JWS",
    "missing aud": "aud",
    "missing exp": "exp",
    "missing iss": "iss",
    "nbf a string": "'nbf' claim must be a number",
    "nbf in the future": "not valid yet",
    "no alg": "not accepted",
    "no kid with several keys": "no configured key fits kid None",
    "padded base64": "not a compact JWS",
    "payload not an object": "payload",
    "scope a list": "scope",
    "signed by another RSA key": "Signature verification failed",
    "sub a number": "Subject",
    "surrounding space": "not a compact JWS",
    "tenant a number": "tenant",
    "tenant empty": "tenant",
    "tenant missing": "tenant",
    "too long": "not a compact JWS",
    "two parts": "not a compact JWS",
    "unknown crit header": "critical",
    "unknown kid": "no configured key fits kid 'r9'",
    "wrong aud": "Audience",
    "wrong iss": "issuer",
    "x5c header": "names its own key",
    "x5u header": "names its own key",
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_an_untrustworthy_token_is_invalid(
    case: str, verifier: TokenVerifier, rsa_key: Any, ec_key: Any, other_rsa_key: Any
) -> None:
    # given
    token = REJECTED[case](rsa_key, ec_key, other_rsa_key)
    # when / then
    with pytest.raises(InvalidToken, match=re.escape(REASONS[case])):
        verifier.verify(token)


@pytest.mark.parametrize("algorithm, kid", [("HS256", None), ("RS256", "r1"), ("ES256", "e1")])
def test_a_token_the_rejection_cases_start_from_is_accepted(
    algorithm: str, kid: str | None, verifier: TokenVerifier, rsa_key: Any, ec_key: Any
) -> None:
    # given
    key = {"HS256": SECRET, "RS256": rsa_key, "ES256": ec_key}[algorithm]
    token = sign(good(), key, algorithm, **({"kid": kid} if kid else {}))
    # when
    principal = verifier.verify(token)
    # then
    assert (principal.tenant, principal.scopes) == ("demo", frozenset({scopes.READ}))


def test_aud_may_be_a_list_holding_the_configured_audience(verifier: TokenVerifier) -> None:
    # given
    token = sign(good(aud=["other", AUDIENCE]), SECRET, "HS256")
    # when
    principal = verifier.verify(token)
    # then
    assert principal.tenant == "demo"
