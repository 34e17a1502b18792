"""Real clients from npm against a running gateway: Apollo Client's persisted-queries link,
and a manifest written by GraphQL Code Generator's client preset loaded as trusted documents."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import gateway_process, npm
from tests.web import live

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("apollo_persisted.cjs")
PACKAGES = [
    "@apollo/client@3.14.1",
    "graphql@16.11.0",
    "@graphql-codegen/cli@7.4.3",
    "@graphql-codegen/client-preset@6.2.0",
]
DOCUMENTS = """query SegmentIds {
  segments(pageSize: 5) { items { id } }
}

query OneSegment($id: ID!) {
  segment(id: $id) { id status }
}
"""
CODEGEN = {
    "schema": "schema.graphql",
    "documents": ["documents/*.graphql"],
    "generates": {"gql/": {"preset": "client", "presetConfig": {"persistedDocuments": True}}},
}


@pytest.fixture(scope="module")
def npm_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with Apollo Client and GraphQL Code Generator installed from the npm registry."""
    return npm.install(tmp_path_factory.mktemp("npm"), PACKAGES)


def _serving(tmp_path: Path, **env: str) -> Any:
    database = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    environment = gateway_process.environment(GATEWAY_DATABASE_URL=database, **env)
    return gateway_process.serving(live.free_port(), environment, tmp_path, "--demo")


def _through_apollo(folder: Path, server: Any, query: str, use_get: bool) -> dict[str, Any]:
    payload = {"url": f"{server.base}/demo/graphql", "token": server.token(), "query": query}
    return npm.run_script(folder, SCRIPT, {**payload, "useGET": use_get})  # type: ignore[no-any-return]


def _shape(request: dict[str, Any]) -> tuple[str, int, bool, bool]:
    """Method, status, whether the document was sent, whether the hash was."""
    body = request["body"]
    extensions = body.get("extensions", {})
    extensions = json.loads(extensions) if isinstance(extensions, str) else extensions
    return request["method"], request["status"], "query" in body, "persistedQuery" in extensions


@pytest.mark.parametrize("use_get", [False, True], ids=["post", "use-get-for-hashed-queries"])
def test_apollos_link_registers_on_a_miss_then_sends_the_hash_alone(
    npm_folder: Path, tmp_path: Path, use_get: bool
):
    # given
    hashed = "GET" if use_get else "POST"
    with _serving(tmp_path) as server:
        # when: the same query twice through one link
        seen = _through_apollo(
            npm_folder, server, "{ segments(pageSize: 2) { items { id } } }", use_get
        )
    # then: a miss, the link's retry with the document (always POST), then the hash alone
    assert [_shape(r) for r in seen["sent"]] == [
        (hashed, 404, False, True),
        ("POST", 200, True, True),
        (hashed, 200, False, True),
    ]
    first, second = seen["results"]
    assert first["data"] == second["data"]
    assert len(first["data"]["segments"]["items"]) == 2


def _codegen_manifest(folder: Path) -> Path:
    shutil.copy(ROOT / "schema.graphql", folder / "schema.graphql")
    (folder / "documents").mkdir(exist_ok=True)
    (folder / "documents" / "segments.graphql").write_text(DOCUMENTS)
    (folder / "codegen.json").write_text(json.dumps(CODEGEN))
    command = [
        str(folder / "node_modules" / ".bin" / "graphql-codegen"),
        "--config",
        "codegen.json",
    ]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "gql" / "persisted-documents.json"


def _operation_name(document: str) -> str:
    found = re.match(r"query (\w+)", document)
    assert found is not None, document
    return found.group(1)


def test_a_client_preset_manifest_runs_as_trusted_documents(npm_folder: Path, tmp_path: Path):
    # given
    manifest = _codegen_manifest(npm_folder)
    written = json.loads(manifest.read_text())
    ids = {_operation_name(document): key for key, document in written.items()}
    assert all(key.startswith("sha256:") for key in ids.values())
    with _serving(tmp_path, GATEWAY_TRUSTED_DOCUMENTS=str(manifest)) as server:
        url, headers = f"{server.base}/demo/graphql", {"Authorization": f"Bearer {server.token()}"}
        # when
        listed = httpx.post(
            url, json={"documentId": ids["SegmentIds"]}, headers=headers, timeout=30
        )
        assert listed.status_code == 200, listed.text
        first = listed.json()["data"]["segments"]["items"][0]["id"]
        apq = {"persistedQuery": {"version": 1, "sha256Hash": ids["OneSegment"].split(":")[1]}}
        params = {"extensions": json.dumps(apq), "variables": json.dumps({"id": first})}
        one = httpx.get(url, params=params, headers=headers, timeout=30)
        text = httpx.post(
            url, json={"query": "{ segments { items { id } } }"}, headers=headers, timeout=30
        )
    # then
    assert one.status_code == 200, one.text
    assert one.json()["data"]["segment"]["id"] == first
    assert text.status_code == 400
    assert text.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
