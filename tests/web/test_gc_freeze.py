"""With GATEWAY_GC_FREEZE (on for `gateway serve`), long-lived objects leave the GC's walks."""

from __future__ import annotations

import gc

import pytest

from gateway.catalog import index as catalog_index
from gateway.settings import load_settings
from tests.web.conftest import Serve

NODES = "{ categoryTreeNodes { id } }"


@pytest.fixture
def frozen_state(monkeypatch: pytest.MonkeyPatch):
    # The flag is per process: put it back, and give the suite's objects back to the GC.
    monkeypatch.setattr(catalog_index, "freeze_after_build", False)
    yield
    gc.unfreeze()


def test_serve_freezes_by_default_and_the_variable_turns_it_off():
    assert load_settings({}).gc_freeze is True
    assert load_settings({"GATEWAY_GC_FREEZE": "0"}).gc_freeze is False


async def test_a_catalog_index_is_frozen_when_built(serve: Serve, seed, frozen_state):
    # given
    gateway = await serve(schema=None, gc_freeze=True)
    await seed.tenant_row()
    await seed.add(seed.category("a"), seed.segment("s1"))
    await seed.add(seed.item("s1", "CATEGORY", "a"))
    started = gc.get_freeze_count()
    # when: the first tree builds the index
    response = await gateway.post(NODES)
    # then
    assert response.json()["data"] == {"categoryTreeNodes": [{"id": "a"}]}
    assert started > 0
    assert gc.get_freeze_count() > started


async def test_without_the_setting_nothing_is_frozen(serve: Serve, seed, frozen_state):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.category("a"), seed.segment("s1"))
    await seed.add(seed.item("s1", "CATEGORY", "a"))
    # when
    await gateway.post(NODES)
    # then
    assert gc.get_freeze_count() == 0
