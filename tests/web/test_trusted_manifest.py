"""The trusted-documents manifest is checked at startup, naming the bad entry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.cli import run
from gateway.settings import Settings, load_settings
from tests.web.persisted import HELLO, sha256

SHA1_OF_HELLO = "5f1c08a5e6f2c6b5d2a0ec2f6bf5c8c6ae2b7a31"


def _app_with(tmp_path: Path, text: str) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(text)
    create_app(Settings(trusted_documents=path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "is not valid JSON"),
        ("[]", "must be a non-empty JSON object of sha256 hex -> document"),
        ("{}", "must be a non-empty JSON object of sha256 hex -> document"),
        (json.dumps({sha256("{ x }"): HELLO}), f"entry '{sha256('{ x }')}': the key is not the"),
        (json.dumps({"abc": HELLO}), "entry 'abc': the key must be 64 lowercase hexadecimal"),
        (json.dumps({SHA1_OF_HELLO: HELLO}), "the key looks like sha1"),
        (json.dumps({sha256("{ x "): "{ x "}), "the document does not parse: Syntax Error"),
        (json.dumps({sha256(HELLO): 7}), "the document must be a string"),
    ],
    ids=["not-json", "array", "empty", "wrong-hash", "not-hex", "sha1", "unparsable", "no-string"],
)
def test_a_bad_manifest_stops_the_app_naming_the_problem(tmp_path: Path, text: str, message: str):
    # when
    with pytest.raises(ValueError) as refused:
        _app_with(tmp_path, text)
    # then
    assert str(refused.value).startswith("GATEWAY_TRUSTED_DOCUMENTS (")
    assert message in str(refused.value)


def test_a_missing_manifest_stops_the_app(tmp_path: Path):
    # when
    with pytest.raises(ValueError, match="cannot be read: No such file or directory"):
        create_app(Settings(trusted_documents=tmp_path / "absent.json"))


@pytest.mark.parametrize("prefix", ["", "sha256:"], ids=["bare-hex", "document-id"])
def test_a_good_manifest_starts_the_app_with_keys_bare_or_as_document_ids(
    tmp_path: Path, prefix: str
):
    # when / then: no error
    _app_with(tmp_path, json.dumps({prefix + sha256(HELLO): HELLO}))


def test_a_prefixed_key_is_checked_like_a_bare_one(tmp_path: Path):
    # when
    with pytest.raises(ValueError, match="the key is not the sha256 of its document"):
        _app_with(tmp_path, json.dumps({"sha256:" + sha256("{ x }"): HELLO}))


def test_gateway_serve_with_a_bad_manifest_is_exit_2_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # given
    for name in [n for n in os.environ if n.startswith("GATEWAY_")]:
        monkeypatch.delenv(name)
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"abc": HELLO}))
    monkeypatch.setenv("GATEWAY_TRUSTED_DOCUMENTS", str(path))
    monkeypatch.setenv("GATEWAY_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'g.db'}")
    # when
    code = run(["serve", "--port", "8110"])
    # then
    assert code == 2
    error = capsys.readouterr().err
    assert "configuration error: GATEWAY_TRUSTED_DOCUMENTS" in error
    assert "entry 'abc'" in error


def test_trusted_documents_turn_graphiql_and_introspection_off_unless_asked_for():
    # when
    default = load_settings({"GATEWAY_TRUSTED_DOCUMENTS": "m.json"})
    asked = load_settings(
        {
            "GATEWAY_TRUSTED_DOCUMENTS": "m.json",
            "GATEWAY_GRAPHIQL": "1",
            "GATEWAY_INTROSPECTION": "1",
        }
    )
    # then
    assert (default.graphiql, default.introspection) == (False, False)
    assert (asked.graphiql, asked.introspection) == (True, True)
    assert default.trusted_documents == Path("m.json")
