"""The checked-in schema.graphql is what the code generates."""

from pathlib import Path

from gateway.schema import export_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_graphql_is_what_the_code_generates():
    # given
    checked_in = SCHEMA_FILE.read_text("utf-8")
    # when
    generated = export_sdl()
    # then
    assert generated == checked_in, (
        "schema.graphql is stale: regenerate it with `gateway export-schema > schema.graphql`"
    )
