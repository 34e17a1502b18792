"""A span for every SQL statement: its dialect and text, never its parameters; errors fail it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from gateway.store.spans import trace_statements
from gateway.store.tables import segment_table
from tests.conftest import Database


@pytest.fixture
def exporter(db: Database) -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace_statements(db.engine.sync_engine, provider.get_tracer("test"))
    return exporter


async def test_a_statement_span_holds_its_text_with_placeholders_not_values(
    db: Database, exporter: InMemorySpanExporter
):
    # given
    query = sa.select(segment_table.c.id).where(segment_table.c.tenant == "zz-secret-tenant")
    # when
    async with db.engine.connect() as connection:
        await connection.execute(query)
    # then
    (span,) = exporter.get_finished_spans()
    assert span.name == "SELECT" and span.kind is SpanKind.CLIENT
    assert span.attributes is not None
    assert span.attributes["db.system"] == db.dialect
    statement = str(span.attributes["db.statement"])
    assert "FROM segment" in statement and "zz-secret" not in statement
    assert span.status.status_code is StatusCode.UNSET


async def test_a_failing_statement_fails_its_span_without_the_error_text(
    db: Database, exporter: InMemorySpanExporter
):
    # given
    failing = sa.text("SELECT * FROM no_such_table WHERE id = :id")
    # when
    async with db.engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError):
            await connection.execute(failing, {"id": "zz-secret"})
    # then
    (span,) = exporter.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description is None
    assert span.attributes is not None
    assert span.attributes["error.type"] in {"OperationalError", "ProgrammingError"}
    assert span.events == ()
