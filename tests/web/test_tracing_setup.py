"""Turning tracing on: GATEWAY_TRACING, its exporters, and a serving install without the extra."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from gateway.settings import load_settings
from tests.web.conftest import Serve

# A request served by a fresh interpreter, which then names the opentelemetry modules loaded.
SERVE_ONE_REQUEST = """
import asyncio, sys
import httpx
from gateway.app import create_app
from gateway.auth.scopes import READ
from gateway.auth.tokens import mint_token
from gateway.settings import load_settings

async def main():
    settings = load_settings()
    app = create_app(settings)
    token = mint_token(settings, tenant="demo", scopes=(READ,), ttl_seconds=60)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post(
                "/demo/graphql",
                json={"query": "{ segments { items { id } } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
    loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
    print(response.status_code, "errors" in response.json(), loaded)

asyncio.run(main())
"""
GATEWAY_SPANS = {"graphql.parse_validate", "graphql.execute", "POST /{tenant}/graphql"}
SERVE = "from gateway.cli import main; main(['serve', '--port', '8140'])\n"
# As an install without the tracing extra: opentelemetry cannot be imported.
WITHOUT_OPENTELEMETRY = "import sys; sys.modules['opentelemetry'] = None\n"


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "GATEWAY_ASSET_CACHE_DIR": str(tmp_path / "assets"),
        "PATH": "/usr/bin:/bin",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120
    )


def test_tracing_is_off_unless_turned_on():
    # given / when / then
    assert load_settings({}).tracing == "off"
    assert load_settings({"GATEWAY_TRACING": " OTLP "}).tracing == "otlp"
    assert load_settings({"GATEWAY_TRACING": "console"}).tracing == "console"


def test_an_unknown_tracing_mode_is_refused():
    # given / when / then
    with pytest.raises(ValueError, match="GATEWAY_TRACING must be off, otlp or console"):
        load_settings({"GATEWAY_TRACING": "jaeger"})


def test_with_tracing_off_serving_never_imports_opentelemetry(tmp_path: Path):
    # given: the serving install's behaviour, in a fresh process
    # when
    done = run_python(SERVE_ONE_REQUEST, tmp_path)
    # then
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["200", "False", "[]"]


def test_turned_on_without_the_extra_serve_refuses_to_start_naming_the_install(
    tmp_path: Path,
):
    # given
    code = WITHOUT_OPENTELEMETRY + SERVE
    # when
    done = run_python(code, tmp_path, GATEWAY_TRACING="otlp")
    # then
    assert done.returncode == 2
    assert done.stderr == (
        "gateway: configuration error: GATEWAY_TRACING=otlp needs OpenTelemetry:"
        " pip install 'segment-gateway[tracing]'\n"
    )


async def test_console_tracing_prints_each_span(serve: Serve, capsys: pytest.CaptureFixture[str]):
    # given
    gateway = await serve(tracing="console")
    # when
    response = await gateway.post("{ hello }")
    # then
    assert response.status_code == 200
    printed = capsys.readouterr().out
    names = [span["name"] for span in json_documents(printed)]
    assert set(names) == {*GATEWAY_SPANS, "SELECT"}  # the request's context reads the tenant
    assert names[-1] == "POST /{tenant}/graphql"  # printed as it ends, after its children


def json_documents(text: str) -> Iterator[dict[str, Any]]:
    decoder, position = json.JSONDecoder(), 0
    while text[position:].strip():
        document, position = decoder.raw_decode(text, len(text) - len(text[position:].lstrip()))
        yield document


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that keeps what it is sent."""

    received: list[ExportTraceServiceRequest]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(ExportTraceServiceRequest.FromString(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ExportTraceServiceRequest]]:
    received: list[ExportTraceServiceRequest] = []
    handler = type("Handler", (Collector,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint)
    yield received
    server.shutdown()
    server.server_close()


async def test_otlp_tracing_sends_the_spans_to_the_configured_endpoint(
    serve: Serve, collector: list[ExportTraceServiceRequest], monkeypatch: pytest.MonkeyPatch
):
    # given
    monkeypatch.setenv("OTEL_SERVICE_NAME", "gateway-eu-1")
    gateway = await serve(tracing="otlp")
    # when
    response = await gateway.post("{ hello }")
    gateway.app.state.runtime.tracing.provider.force_flush()
    # then
    assert response.status_code == 200
    (resource_spans,) = [r for request in collector for r in request.resource_spans]
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert resource["service.name"] == "gateway-eu-1"
    names = {span.name for scope in resource_spans.scope_spans for span in scope.spans}
    assert names == {*GATEWAY_SPANS, "SELECT"}


async def test_paths_the_operator_excludes_get_no_span(
    serve: Serve, collector: list[ExportTraceServiceRequest], monkeypatch: pytest.MonkeyPatch
):
    # given
    monkeypatch.setenv("OTEL_PYTHON_EXCLUDED_URLS", "healthz,readyz")
    gateway = await serve(tracing="otlp")
    # when
    probed = await gateway.client.get("/healthz")
    answered = await gateway.post("{ hello }")
    gateway.app.state.runtime.tracing.provider.force_flush()
    # then
    assert probed.status_code == answered.status_code == 200
    spans = [
        s.name
        for r in collector
        for rs in r.resource_spans
        for ss in rs.scope_spans
        for s in ss.spans
    ]
    assert "POST /{tenant}/graphql" in spans
    assert not [name for name in spans if "healthz" in name]
