"""An import's memory does not grow with its file: the peak resident set of a `gateway
import` child process, for a file and one four times its size."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.conftest import Database
from tests.importer.command import Run, gateway_import, write_catalog

# Batches of 1,000 rows (and chunks of 5,000): the buffers the import keeps on purpose (a
# few batches waiting to be loaded) are then full in both files, so what is left to grow
# is what would grow with the file. Reading the larger file whole adds about 28 MB.
SMALL_BATCHES = "import gateway.importer.batches as b\nb.BATCH, b.CHUNK = 1_000, 5_000"
# And pages of 1,000 change events with --events, full in both files too.
SMALL_PAGES = "import gateway.importer.changes as c\nc.PAGE = 1_000"
ALLOWED_GROWTH_MB = 10


async def _peak(db: Database, tmp_path: Path, assignments: int, tenant: str, *options: str) -> Run:
    path = tmp_path / f"{tenant}.json"
    write_catalog(path, assignments, tenant=tenant)
    setup = f"{SMALL_BATCHES}\n{SMALL_PAGES}"
    with (tmp_path / f"{tenant}.err").open("wb") as stderr:
        run = await asyncio.to_thread(
            gateway_import, path, db.url, stderr, setup=setup, options=options
        )
    assert run.code == 0, (tmp_path / f"{tenant}.err").read_text()
    return run


async def test_four_times_the_file_takes_no_more_memory(db: Database, tmp_path: Path) -> None:
    # when: 20,000 assignments (1.2 MB), then 80,000 (4.9 MB) into another tenant
    small = await _peak(db, tmp_path, 10_000, "small")
    large = await _peak(db, tmp_path, 40_000, "large")
    # then
    assert 'Imported tenant "large"' in large.out
    assert large.peak_mb - small.peak_mb < ALLOWED_GROWTH_MB, (small.peak_mb, large.peak_mb)


async def test_four_times_the_events_take_no_more_memory(db: Database, tmp_path: Path) -> None:
    # when: 20,000 assignments with their events, then 80,000 into another tenant
    small = await _peak(db, tmp_path, 10_000, "small", "--events")
    large = await _peak(db, tmp_path, 40_000, "large", "--events")
    # then
    assert "change events         80401 recorded" in large.out
    assert large.peak_mb - small.peak_mb < ALLOWED_GROWTH_MB, (small.peak_mb, large.peak_mb)
