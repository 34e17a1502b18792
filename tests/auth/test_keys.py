"""Key files: chosen by kid, read once, read again when they change."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from gateway.auth.keys import KeyFile, KeySet, parse_jwks
from gateway.auth.tokens import InvalidToken
from tests.auth.conftest import claims, jwk, pem, sign, write_jwks


def touch_later(path: Path, seconds: int = 10) -> None:
    # Rewrites can land within one mtime tick on coarse filesystems; move it on explicitly.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


@pytest.fixture
def jwks_path(tmp_path: Path, rsa_key: Any) -> Path:
    return write_jwks(tmp_path / "jwks.json", jwk(rsa_key, "r1"))


@pytest.fixture
def jwks_verifier(make_verifier: Any, jwks_path: Path) -> Any:
    return make_verifier(jwt_algorithms=("RS256",), jwt_jwks_file=str(jwks_path))


def test_a_key_added_to_the_jwks_file_is_used_without_restart(
    jwks_verifier: Any, jwks_path: Path, rsa_key: Any, other_rsa_key: Any
) -> None:
    # given
    token = sign(claims(), other_rsa_key, "RS256", kid="r2")
    with pytest.raises(InvalidToken):
        jwks_verifier.verify(token)
    # when
    write_jwks(jwks_path, jwk(rsa_key, "r1"), jwk(other_rsa_key, "r2"))
    touch_later(jwks_path)
    # then
    assert jwks_verifier.verify(token).tenant == "demo"


def test_a_key_removed_from_the_jwks_file_stops_verifying(
    jwks_verifier: Any, jwks_path: Path, rsa_key: Any, other_rsa_key: Any
) -> None:
    # given
    token = sign(claims(), rsa_key, "RS256", kid="r1")
    assert jwks_verifier.verify(token).tenant == "demo"
    # when
    write_jwks(jwks_path, jwk(other_rsa_key, "r2"))
    touch_later(jwks_path)
    # then
    with pytest.raises(InvalidToken):
        jwks_verifier.verify(token)


@pytest.mark.parametrize(
    "content", ['{"keys": [', "", '{"keys": []}', '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}']
)
def test_a_broken_jwks_file_keeps_the_previous_keys(
    jwks_verifier: Any, jwks_path: Path, rsa_key: Any, content: str
) -> None:
    # given
    token = sign(claims(), rsa_key, "RS256", kid="r1")
    # when
    jwks_path.write_text(content)
    touch_later(jwks_path)
    # then
    assert jwks_verifier.verify(token).tenant == "demo"


def test_a_missing_jwks_file_keeps_the_previous_keys(
    jwks_verifier: Any, jwks_path: Path, rsa_key: Any
) -> None:
    # given
    token = sign(claims(), rsa_key, "RS256", kid="r1")
    # when
    jwks_path.unlink()
    # then
    assert jwks_verifier.verify(token).tenant == "demo"


def test_the_pem_file_is_reloaded_when_it_changes(
    make_verifier: Any, rsa_pem_file: Path, rsa_key: Any, other_rsa_key: Any
) -> None:
    # given
    verifier = make_verifier(jwt_algorithms=("RS256",), jwt_public_key_file=str(rsa_pem_file))
    token = sign(claims(), other_rsa_key, "RS256")
    with pytest.raises(InvalidToken):
        verifier.verify(token)
    # when
    rsa_pem_file.write_bytes(pem(other_rsa_key))
    touch_later(rsa_pem_file)
    # then
    assert verifier.verify(token).tenant == "demo"


def test_an_unchanged_key_file_is_parsed_once(jwks_path: Path, other_rsa_key: Any) -> None:
    # given
    parsed: list[bytes] = []

    def parse(data: bytes) -> KeySet:
        parsed.append(data)
        return parse_jwks(data)

    key_file = KeyFile(str(jwks_path), parse)
    # when
    for _ in range(100):
        key_file.current()
    write_jwks(jwks_path, jwk(other_rsa_key, "r2"))
    touch_later(jwks_path)
    for _ in range(100):
        key_file.current()
    # then
    assert len(parsed) == 2


def test_a_broken_file_is_not_parsed_again_until_it_changes(jwks_path: Path) -> None:
    # given
    parsed: list[bytes] = []

    def parse(data: bytes) -> KeySet:
        parsed.append(data)
        return parse_jwks(data)

    key_file = KeyFile(str(jwks_path), parse)
    jwks_path.write_text("{")
    touch_later(jwks_path)
    # when
    for _ in range(10):
        keys = key_file.current()
    # then
    assert len(parsed) == 2
    assert [k.kid for k in keys.keys] == ["r1"]


def test_jwks_leaves_out_symmetric_encryption_and_unusable_keys(rsa_key: Any, ec_key: Any) -> None:
    # given
    document = {
        "keys": [
            {"kty": "oct", "k": "c2VjcmV0", "kid": "s1"},
            {**jwk(rsa_key, "enc1"), "use": "enc"},
            {"kty": "RSA", "kid": "broken", "n": "AQAB"},
            "not a key",
            jwk(ec_key, "e1"),
        ]
    }
    # when
    keys = parse_jwks(json.dumps(document).encode())
    # then
    assert [k.kid for k in keys.keys] == ["e1"]
