"""OpenTelemetry spans: a request, its parse and validate, execution and SQL, when turned on."""

from __future__ import annotations

from typing import Any

import opentelemetry.context
import opentelemetry.trace
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests.web.conftest import Gateway, Serve
from tests.web.test_stalls import stalling_schema

SEGMENTS = '{ segments(q: "name.en:zz-secret-42") { items { id } } }'
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


async def traced(serve: Serve, provider: TracerProvider, **options: Any) -> Gateway:
    return await serve(tracer_provider=provider, **options)


def named(spans: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


def sql_spans(spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [span for span in spans if span.attributes and "db.statement" in span.attributes]


async def test_a_query_is_a_request_span_over_parse_execution_and_its_statements(
    serve: Serve, provider: TracerProvider, exporter: InMemorySpanExporter, seed: Any, db: Any
):
    # given
    gateway = await traced(serve, provider, schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    # when
    response = await gateway.post(SEGMENTS)
    # then
    assert response.status_code == 200, response.text
    spans = exporter.get_finished_spans()
    request = named(spans, "POST /{tenant}/graphql")
    assert request.kind is SpanKind.SERVER and request.parent is None
    assert request.attributes is not None
    assert request.attributes["http.route"] == "/{tenant}/graphql"
    assert request.attributes["http.status_code"] == 200
    assert request.attributes["gateway.tenant"] == "demo"
    parse = named(spans, "graphql.parse_validate")
    execution = named(spans, "graphql.execute")
    assert parent_of(parse) == parent_of(execution) == span_id(request)
    assert execution.attributes == {"graphql.operation.type": "query"}
    statements = sql_spans(spans)
    executed = [s for s in statements if parent_of(s) == span_id(execution)]
    assert [s.name for s in executed] == ["SELECT"]
    assert "FROM segment" in str(executed[0].attributes["db.statement"])
    assert {s.attributes["db.system"] for s in statements if s.attributes} == {db.dialect}
    assert all(s.kind is SpanKind.CLIENT for s in statements)
    assert {parent_of(s) for s in statements} <= {span_id(request), span_id(execution)}
    assert all(s.status.status_code is StatusCode.UNSET for s in spans)


async def test_no_span_holds_the_query_its_variables_or_statement_parameters(
    serve: Serve, provider: TracerProvider, exporter: InMemorySpanExporter, seed: Any
):
    # given: a GET carries the query, with a value to find, in its URL
    gateway = await traced(serve, provider, schema=None)
    await seed.tenant_row()
    # when
    response = await gateway.get({"query": SEGMENTS})
    # then
    assert response.status_code == 200, response.text
    spans = exporter.get_finished_spans()
    assert sql_spans(spans), "the query ran statements"
    recorded = [str(value) for span in spans for value in (span.attributes or {}).values()]
    assert not [value for value in recorded if "zz-secret" in value or "segments" in value]
    request = named(spans, "GET /{tenant}/graphql")
    assert request.attributes is not None
    assert request.attributes["http.target"] == "/demo/graphql"
    assert str(request.attributes["http.url"]).endswith("/demo/graphql")


async def test_an_incoming_traceparent_is_continued(
    serve: Serve, provider: TracerProvider, exporter: InMemorySpanExporter
):
    # given
    gateway = await traced(serve, provider)
    traceparent = f"00-{TRACE_ID}-{PARENT_ID}-01"
    # when
    response = await gateway.post("{ hello }", headers={"traceparent": traceparent})
    # then
    assert response.status_code == 200
    spans = exporter.get_finished_spans()
    request = named(spans, "POST /{tenant}/graphql")
    assert parent_of(request) == int(PARENT_ID, 16)
    assert {span.context.trace_id for span in spans if span.context} == {int(TRACE_ID, 16)}


async def test_a_query_that_does_not_validate_fails_its_parse_span(
    serve: Serve, provider: TracerProvider, exporter: InMemorySpanExporter
):
    # given
    gateway = await traced(serve, provider)
    # when
    response = await gateway.post("{ nope }")
    # then
    assert response.status_code == 400
    spans = exporter.get_finished_spans()
    parse = named(spans, "graphql.parse_validate")
    assert parse.status.status_code is StatusCode.ERROR
    assert parse.attributes == {"error.type": "BAD_USER_INPUT"}
    assert parse.events == ()  # no exception event: its message may quote the query
    assert "graphql.execute" not in [span.name for span in spans]


async def test_a_failing_resolver_fails_the_execution_span(
    serve: Serve, provider: TracerProvider, exporter: InMemorySpanExporter
):
    # given
    gateway = await traced(serve, provider)
    # when
    response = await gateway.post("query Boom { boom }")
    # then
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    execution = named(exporter.get_finished_spans(), "graphql.execute")
    assert execution.status.status_code is StatusCode.ERROR
    assert execution.attributes == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "Boom",
        "error.type": "INTERNAL",
    }


async def test_a_request_the_database_fails_is_an_error_span_throughout(
    serve: Serve, provider: TracerProvider, exporter: InMemorySpanExporter
):
    # given: a field that finds the database unavailable
    gateway = await traced(serve, provider, schema=stalling_schema())
    # when
    response = await gateway.post("{ fine interrupted }")
    # then
    assert response.status_code == 503
    spans = exporter.get_finished_spans()
    execution = named(spans, "graphql.execute")
    assert execution.status.status_code is StatusCode.ERROR
    assert execution.attributes is not None
    assert execution.attributes["error.type"] == "UNAVAILABLE"
    request = named(spans, "POST /{tenant}/graphql")
    assert request.status.status_code is StatusCode.ERROR
    assert request.attributes is not None
    assert request.attributes["http.status_code"] == 503


@pytest.fixture
def api_calls(monkeypatch: pytest.MonkeyPatch, provider: TracerProvider) -> list[str]:
    """Every call into the OpenTelemetry API that starts a span or makes one current; the
    global provider is one that records, so any span made through it would show."""
    calls: list[str] = []
    for module, name in (
        (opentelemetry.context, "attach"),
        (opentelemetry.trace, "get_current_span"),
    ):
        original = getattr(module, name)

        def counted(*args: Any, _original: Any = original, _name: str = name, **kw: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(module, name, counted)
    monkeypatch.setattr(opentelemetry.trace, "get_tracer_provider", lambda: provider)
    return calls


async def test_with_tracing_off_a_request_never_calls_opentelemetry(
    serve: Serve, exporter: InMemorySpanExporter, api_calls: list[str], seed: Any
):
    # given: GATEWAY_TRACING=off, the default
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    # when
    response = await gateway.post(SEGMENTS)
    # then
    assert response.status_code == 200, response.text
    assert api_calls == []
    assert exporter.get_finished_spans() == ()


async def test_with_tracing_on_the_same_request_calls_it(
    serve: Serve, provider: TracerProvider, api_calls: list[str], seed: Any
):
    # given: the counter of the test above, seeing calls when there are some
    gateway = await traced(serve, provider, schema=None)
    await seed.tenant_row()
    # when
    response = await gateway.post(SEGMENTS)
    # then
    assert response.status_code == 200, response.text
    assert {"attach", "get_current_span"} <= set(api_calls)
