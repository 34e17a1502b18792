"""The log: JSON lines off a terminal, text on one; each line of a request names it."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Callable
from typing import Any

import pytest

from gateway.cli import run
from gateway.settings import load_settings, log_options
from gateway.web import logs
from gateway.web.access_log import AccessLogMiddleware
from tests.web.conftest import Gateway

ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOOKUP = "query Lookup($v: Int!) { echo(value: $v) }"


class Stderr(io.StringIO):
    """A stand-in for sys.stderr that is, or is not, a terminal."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


Configure = Callable[..., Stderr]


@pytest.fixture
def stderr(monkeypatch: pytest.MonkeyPatch) -> Configure:
    """Configures the log as `gateway` does, onto a fake stderr; returns what was written."""

    def configure(level: str = "INFO", format: str | None = None, *, terminal: bool = False):
        stream = Stderr(terminal)
        monkeypatch.setattr(sys, "stderr", stream)
        logs.configure(level, format)
        # The tests' client logs its requests, query strings and all: not the gateway's lines.
        monkeypatch.setattr(logging.getLogger("httpx"), "level", logging.WARNING)
        return stream

    return configure


def json_lines(stream: Stderr) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def of_request(lines: list[dict[str, Any]], request_id: str) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("request_id") == request_id]


async def test_off_a_terminal_every_line_of_a_request_is_json_naming_it(
    gateway: Gateway, stderr: Configure
):
    # given
    stream = stderr()
    # when: an unexpected error, so the request logs a line before its access line
    response = await gateway.post("query Boom { boom }")
    # then
    request_id = response.headers["x-request-id"]
    error, access = of_request(json_lines(stream), request_id)
    for line in (error, access):
        assert line["tenant"] == "demo"
        assert (line["operation"], line["operation_type"]) == ("Boom", "query")
        assert line["duration_ms"] >= 0 and line["timestamp"].endswith("Z")
    assert error["level"] == "error" and error["logger"] == "gateway.api.execution"
    assert "RuntimeError: SELECT secret FROM /srv/gateway.db" in error["exception"]
    assert access["duration_ms"] >= error["duration_ms"]
    assert access["message"] == "POST /demo/graphql 200"
    expected = {"logger": "gateway.access", "level": "info", "method": "POST"}
    expected |= {"path": "/demo/graphql", "status": 200, "bytes": len(response.content)}
    assert access.items() >= expected.items()


async def test_the_access_line_of_a_get_has_neither_its_document_nor_its_variables(
    gateway: Gateway, stderr: Configure
):
    # given
    stream = stderr()
    # when
    response = await gateway.get({"query": LOOKUP, "variables": '{"v": 987654321}'})
    # then
    assert response.json()["data"] == {"echo": 987654321}
    [access] = of_request(json_lines(stream), response.headers["x-request-id"])
    assert (access["path"], access["operation"], access["status"]) == (
        "/demo/graphql",
        "Lookup",
        200,
    )
    written = stream.getvalue()
    for leaked in ("987654321", "echo(", "query=", "variables", "?"):
        assert leaked not in written


async def test_a_malformed_tenant_is_not_logged_and_the_path_cannot_break_the_line(
    gateway: Gateway, stderr: Configure
):
    # given
    stream = stderr(terminal=True)
    # when
    response = await gateway.client.get("/de%0Amo/graphql")
    # then
    assert response.status_code == 404
    written = ANSI.sub("", stream.getvalue())
    [access] = written.splitlines()
    assert "GET /de%0Amo/graphql 404" in access
    assert f"request_id={response.headers['x-request-id']}" in access
    assert "tenant=" not in access


async def test_on_a_terminal_lines_are_coloured_text_naming_the_request(
    gateway: Gateway, stderr: Configure
):
    # given
    stream = stderr(terminal=True)
    # when
    response = await gateway.post("query Boom { boom }")
    # then
    written = stream.getvalue()
    assert "\x1b[" in written and not written.startswith("{")
    plain = ANSI.sub("", written)
    access = next(line for line in plain.splitlines() if "POST /demo/graphql 200" in line)
    for field in (f"request_id={response.headers['x-request-id']}", "tenant=demo"):
        assert field in access
    assert "operation=Boom" in access and "duration_ms=" in access
    assert "RuntimeError" in plain


async def test_an_app_that_raises_gets_an_access_line_of_status_500(stderr: Configure):
    # given
    stream = stderr()

    async def failing(scope: Any, receive: Any, send: Any) -> None:
        logging.getLogger("gateway.test").warning("inside")
        raise RuntimeError("boom")

    scope = {"type": "http", "method": "GET", "path": "/healthz", "client": ("10.0.0.1", 5)}
    # when
    with pytest.raises(RuntimeError):
        await AccessLogMiddleware(failing)(scope, None, None)
    # then: both lines name the request, and it is let go afterwards
    inside, access = json_lines(stream)
    assert inside["request_id"] == access["request_id"]
    assert (access["status"], access["bytes"], access["client"]) == (500, 0, "10.0.0.1")
    assert logs.CURRENT.get() is None


@pytest.mark.parametrize(("terminal", "format"), [(True, "json"), (False, "text")])
def test_gateway_log_format_overrides_the_guess_from_the_terminal(
    stderr: Configure, terminal: bool, format: str
):
    # given
    stream = stderr(format=format, terminal=terminal)
    # when
    logging.getLogger("gateway.test").warning("written")
    # then
    written = stream.getvalue()
    if format == "json":
        assert json_lines(stream)[0]["message"] == "written"
    else:
        assert "written" in written and not written.startswith("{")
        assert "\x1b[" not in written  # no colours in a file


def test_gateway_log_level_keeps_its_level_and_drops_the_one_below(stderr: Configure):
    # given
    stream = stderr("WARNING")
    # when
    logging.getLogger("gateway.test").info("dropped")
    logging.getLogger("gateway.test").warning("kept")
    logging.getLogger("uvicorn.error").info("dropped too")
    logging.getLogger("aiosqlite").info("dropped, though its logger is at INFO")
    # then
    assert [line["message"] for line in json_lines(stream)] == ["kept"]


async def test_at_debug_the_databases_statements_and_parameters_are_not_logged(
    gateway: Gateway, stderr: Configure
):
    # given
    stream = stderr("DEBUG")
    # when: the request reads the tenant's versions, with its tenant as a parameter
    response = await gateway.post("query Hi { hello }")
    logging.getLogger("gateway.test").debug("shown")
    # then
    assert response.json()["data"] == {"hello": "world"}
    lines = json_lines(stream)
    assert "shown" in [line["message"] for line in lines]
    assert not [line for line in lines if line["logger"] == "aiosqlite"]


async def test_at_warning_a_request_has_no_access_line(gateway: Gateway, stderr: Configure):
    # given
    stream = stderr("WARNING")
    # when
    await gateway.post("query Boom { boom }")
    # then
    assert [line["level"] for line in json_lines(stream)] == ["error"]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [({}, ("INFO", None)), ({"GATEWAY_LOG_LEVEL": "debug"}, ("DEBUG", None))]
    + [({"GATEWAY_LOG_FORMAT": f}, ("INFO", f.strip().lower())) for f in ("json", " Text ")],
)
def test_log_settings_are_read_case_blind(variables: dict[str, str], expected: tuple[str, Any]):
    settings = load_settings(variables)
    assert (settings.log_level, settings.log_format) == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GATEWAY_LOG_LEVEL", "loud", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("GATEWAY_LOG_LEVEL", "WARN", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("GATEWAY_LOG_FORMAT", "xml", "must be json or text"),
    ],
)
def test_a_bad_log_setting_stops_any_command_with_exit_2_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name, value, message
):
    # given
    monkeypatch.setenv(name, value)
    # when
    code = run(["export-schema"])
    # then
    assert code == 2
    output = capsys.readouterr()
    assert output.out == ""
    assert f"gateway: configuration error: {name} {message}, got {value!r}" in output.err
    with pytest.raises(ValueError, match=name):
        log_options({name: value})
