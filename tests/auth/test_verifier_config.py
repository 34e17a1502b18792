"""Token settings that could not be trusted stop the gateway from starting."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from gateway.auth.tokens import TokenVerifier
from gateway.settings import DEVELOPMENT_JWT_SECRET, Settings, load_settings
from tests.auth.conftest import SECRET, claims, sign


@pytest.mark.parametrize(
    "algorithms, problem",
    [
        (("none",), "none"),
        (("HS256", "none"), "none"),
        (("HS999",), "HS999"),
        ((), "empty"),
    ],
)
def test_the_allow_list_holds_only_real_signing_algorithms(
    algorithms: tuple[str, ...], problem: str
) -> None:
    # given
    settings = Settings(jwt_secret=SECRET, jwt_algorithms=algorithms)
    # when / then
    with pytest.raises(ValueError, match=f"GATEWAY_JWT_ALGORITHMS: {problem}"):
        TokenVerifier(settings)


def test_public_key_algorithms_need_a_key_file() -> None:
    # given
    settings = Settings(jwt_algorithms=("RS256",))
    # when / then
    with pytest.raises(ValueError, match="GATEWAY_JWT_PUBLIC_KEY_FILE or GATEWAY_JWT_JWKS_FILE"):
        TokenVerifier(settings)


def test_a_key_file_without_a_public_key_algorithm_is_a_mistake(rsa_pem_file: Path) -> None:
    # given
    settings = Settings(jwt_secret=SECRET, jwt_public_key_file=str(rsa_pem_file))
    # when / then
    with pytest.raises(ValueError, match="allows no public-key algorithm"):
        TokenVerifier(settings)


def test_a_pem_file_and_a_jwks_file_together_are_refused(rsa_pem_file: Path) -> None:
    # given
    settings = Settings(
        jwt_algorithms=("RS256",),
        jwt_public_key_file=str(rsa_pem_file),
        jwt_jwks_file=str(rsa_pem_file),
    )
    # when / then
    with pytest.raises(ValueError, match="not both"):
        TokenVerifier(settings)


@pytest.mark.parametrize(
    "name, content",
    [
        ("missing.json", None),
        ("jwks.json", "not json"),
        ("jwks.json", '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}'),
        ("key.pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
    ],
)
def test_an_unusable_key_file_stops_the_start(
    tmp_path: Path, name: str, content: str | None
) -> None:
    # given
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    kind = "jwt_public_key_file" if name.endswith(".pem") else "jwt_jwks_file"
    settings = Settings(jwt_algorithms=("RS256",), **{kind: str(path)})
    # when / then
    with pytest.raises(ValueError, match="cannot load the JWT key file"):
        TokenVerifier(settings)


@pytest.mark.parametrize("algorithm, length", [("HS256", 31), ("HS384", 47), ("HS512", 63)])
def test_a_shared_secret_shorter_than_the_hash_is_refused(algorithm: str, length: int) -> None:
    # given
    settings = Settings(jwt_secret="s" * length, jwt_algorithms=(algorithm,))
    # when / then
    with pytest.raises(ValueError, match=f"too short for {algorithm}"):
        TokenVerifier(settings)


def test_the_development_secret_is_refused_in_production() -> None:
    # given
    settings = Settings(profile="production", jwt_secret=DEVELOPMENT_JWT_SECRET)
    # when / then
    with pytest.raises(ValueError, match="GATEWAY_JWT_SECRET must be set"):
        TokenVerifier(settings)


@pytest.mark.parametrize("algorithms", ["HS256", "HS512", "RS256,HS384"])
def test_production_does_not_start_without_a_secret_when_hs_is_allowed(algorithms: str) -> None:
    # given
    env = {"GATEWAY_PROFILE": "production", "GATEWAY_JWT_ALGORITHMS": algorithms}
    # when / then
    with pytest.raises(ValueError, match="GATEWAY_JWT_SECRET must be set"):
        load_settings(env)


def test_production_with_public_keys_only_needs_no_secret(rsa_pem_file: Path, rsa_key: Any) -> None:
    # given
    env = {
        "GATEWAY_PROFILE": "production",
        "GATEWAY_JWT_ALGORITHMS": "RS256",
        "GATEWAY_JWT_PUBLIC_KEY_FILE": str(rsa_pem_file),
    }
    # when
    verifier = TokenVerifier(load_settings(env))
    # then
    assert verifier.verify(sign(real_time_claims(), rsa_key, "RS256")).tenant == "demo"


def real_time_claims() -> dict[str, Any]:
    now = int(time.time())
    return claims(iat=now, nbf=now, exp=now + 300)


@pytest.mark.parametrize("raw, seconds", [("300", 30), ("10", 10), ("-5", 0)])
def test_leeway_is_read_between_0_and_30_seconds(raw: str, seconds: int) -> None:
    # when
    settings = load_settings({"GATEWAY_JWT_LEEWAY_SECONDS": raw})
    # then
    assert settings.jwt_leeway_seconds == seconds


def test_issuer_and_audience_come_from_the_environment() -> None:
    # when
    settings = load_settings(
        {"GATEWAY_JWT_ISSUER": "https://id.test", "GATEWAY_JWT_AUDIENCE": "gateway"}
    )
    # then
    assert (settings.jwt_issuer, settings.jwt_audience) == ("https://id.test", "gateway")
