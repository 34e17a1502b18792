"""Keys, key files and token builders for the auth tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import scopes
from gateway.auth.tokens import TokenVerifier
from gateway.settings import Settings

NOW = 1_750_000_000.0
SECRET = "test-secret-for-hs256-0123456789abcdef"


@dataclass
class Clock:
    now: float = NOW

    def __call__(self) -> float:
        return self.now


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for a reader of tenant `demo` at NOW; None drops a claim."""
    base: dict[str, Any] = {
        "tenant": "demo",
        "scope": scopes.READ,
        "sub": "cust1",
        "iat": int(NOW),
        "nbf": int(NOW),
        "exp": int(NOW) + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], secret: bytes = b"") -> str:
    """A token built by hand (PyJWT refuses to build the dangerous ones)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def pem(key: Any) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def jwk(key: Any, kid: str, **extra: Any) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        data = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        data = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**data, "kid": kid, **extra}


def write_jwks(path: Path, *keys: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"keys": list(keys)}))
    return path


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shared() -> Settings:
    """HS256 with a shared secret."""
    return Settings(jwt_secret=SECRET)


@pytest.fixture
def rsa_pem_file(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "public.pem"
    path.write_bytes(pem(rsa_key))
    return path


@pytest.fixture
def make_verifier(clock: Clock) -> Callable[..., TokenVerifier]:
    """A verifier on the test clock for settings changed by keyword."""

    def make(settings: Settings | None = None, **changes: Any) -> TokenVerifier:
        base = settings or Settings(jwt_secret=SECRET)
        return TokenVerifier(replace(base, **changes), clock=clock)

    return make


def sign(payload: dict[str, Any], key: Any, algorithm: str, **headers: Any) -> str:
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers or None)
