"""The log of a real `gateway serve --workers 2`: every process writes JSON lines to stderr."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from tests.gateway_process import environment, serving
from tests.web.live import free_port

LOOKUP = "query Lookup($site: String) { segments(siteCode: $site) { items { id } } }"
SECRET = "customer-secret-4711"


def wait_for(errors: Path, text: str, count: int) -> None:
    deadline = time.monotonic() + 60
    while errors.read_text().count(text) < count:
        assert time.monotonic() < deadline, errors.read_text()
        time.sleep(0.1)


def test_two_workers_write_json_lines_and_access_lines_without_query_strings(tmp_path: Path):
    # given: stderr is a file, so JSON is the default
    env = environment(GATEWAY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    errors = tmp_path / "stderr.log"
    with (
        errors.open("wb") as stderr,
        serving(free_port(), env, tmp_path, "--workers", "2", stderr=stderr) as gateway,
    ):
        wait_for(errors, "Application startup complete", 2)
        # when
        responses = [
            httpx.get(
                f"{gateway.base}/demo/graphql",
                params={"query": LOOKUP, "variables": json.dumps({"site": SECRET})},
                headers={"Authorization": f"Bearer {gateway.token()}"},
                timeout=30,
            )
            for _ in range(4)
        ]
    # then: the server has stopped, and every line it wrote is a JSON object
    assert {response.status_code for response in responses} == {200}
    lines = [json.loads(line) for line in errors.read_text().splitlines()]
    started = {line["process"] for line in lines if "Started server process" in line["message"]}
    assert len(started) == 2
    access = [line for line in lines if line["logger"] == "gateway.access"]
    graphql = [line for line in access if line["path"] == "/demo/graphql"]
    assert {line["request_id"] for line in graphql} == {
        r.headers["x-request-id"] for r in responses
    }
    for line in graphql:
        assert (line["tenant"], line["operation"], line["status"]) == ("demo", "Lookup", 200)
        assert line["process"] in started and line["duration_ms"] > 0
    assert not [line for line in lines if line["logger"] == "uvicorn.access"]
    assert SECRET not in errors.read_text() and "query=" not in errors.read_text()
