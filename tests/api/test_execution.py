"""The pipeline remembers documents it has already validated."""

import pytest

from gateway.api import execution
from gateway.api.execution import RequestError, prepare
from gateway.schema import schema
from gateway.settings import Settings

QUERY = "query Cached { segments(pageSize: 3) { items { id } } }"


@pytest.fixture
def validations(monkeypatch):
    calls = []
    real = execution.validate

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(execution, "validate", counting)
    monkeypatch.setattr(execution, "_valid_documents", type(execution._valid_documents)())
    return calls


def test_the_same_document_is_validated_once(validations):
    # given
    settings = Settings()
    # when
    first = prepare(schema._schema, settings, QUERY)
    second = prepare(schema._schema, settings, QUERY, variables={"x": 1})
    # then
    assert len(validations) == 1
    assert first.document is second.document
    assert second.variables == {"x": 1}


def test_an_invalid_document_is_refused_every_time(validations):
    # given
    settings = Settings()
    # when / then
    for _ in range(2):
        with pytest.raises(RequestError) as refused:
            prepare(schema._schema, settings, "{ segments { nope } }")
        assert refused.value.status == 400
    assert len(validations) == 2


def test_other_settings_validate_again(validations):
    # given a document valid with introspection on
    query = "{ __schema { queryType { name } } }"
    prepare(schema._schema, Settings(), query)
    # when the same text arrives under settings without introspection
    with pytest.raises(RequestError):
        prepare(schema._schema, Settings(introspection=False), query)
    # then it was validated under each
    assert len(validations) == 2


def test_the_cache_stays_bounded(validations, monkeypatch):
    # given
    monkeypatch.setattr(execution, "MAX_CACHED_DOCUMENTS", 3)
    settings = Settings()
    # when
    for n in range(5):
        prepare(schema._schema, settings, f"query Q{n} {{ __typename }}")
    # then
    assert len(execution._valid_documents) == 3
