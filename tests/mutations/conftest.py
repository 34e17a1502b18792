"""Fixtures of the mutation tests."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import gateway.execution


@pytest.fixture
def cached_documents(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parses and validates each document once, as a server with a document cache would.

    Execution, context, resolvers and the database stay the real pipeline; only the repeated
    CPU cost of validating the same text is saved, so thousands of writes fit in a test.
    """
    original = gateway.execution.prepare
    cache: dict[tuple[int, str], gateway.execution.Prepared] = {}

    def prepare(graphql_schema: Any, settings: Any, query: str, **kwargs: Any) -> Any:
        variables = kwargs.pop("variables", None)
        key = (id(graphql_schema), query)
        if kwargs or key not in cache:
            prepared = original(graphql_schema, settings, query, **kwargs)
            if kwargs:
                return dataclasses.replace(prepared, variables=variables)
            cache[key] = prepared
        return dataclasses.replace(cache[key], variables=variables)

    # The gql fixture imports prepare at call time, so patching the module suffices.
    monkeypatch.setattr(gateway.execution, "prepare", prepare)
