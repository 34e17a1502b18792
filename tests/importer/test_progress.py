"""`gateway import` shows its phase and rate on a terminal, and nothing extra elsewhere."""

from __future__ import annotations

import io
import os
import re
import threading
from pathlib import Path

from gateway.importer.progress import TerminalProgress
from tests.importer.command import gateway_import, migrated_sqlite, write_catalog

LINE = re.compile(r"(\w+): ([\d,]+) records read, ([\d,]+) records/s *")


def test_each_line_shows_the_phase_the_records_and_the_rate() -> None:
    # given: a clock the test moves
    now = [100.0]
    out = io.StringIO()
    progress = TerminalProgress(out, clock=lambda: now[0])
    # when
    progress("categories", 0)
    now[0] = 100.2
    progress("products", 5_000)  # too soon after the last line: not shown
    now[0] = 102.0
    progress("itemAssignments", 30_000)
    now[0] = 102.1
    progress("writing", 31_000)  # the last line always is
    # then
    lines = out.getvalue().split("\r")[1:]
    assert [line.rstrip() for line in lines] == [
        "categories: 0 records read, 0 records/s",
        "itemAssignments: 30,000 records read, 15,000 records/s",
        "writing: 31,000 records read, 14,762 records/s",
    ]
    assert all(len(line) == 72 for line in lines[:-1])  # each hides the one before
    assert lines[-1].endswith("\n")


def _read_all(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed its end of the terminal
            return
        if not chunk:
            return
        into.append(chunk)


def test_a_long_import_on_a_terminal_shows_each_phase_with_its_rate(tmp_path: Path) -> None:
    # given: a file of 40,000 records, and standard error a terminal (a pty)
    path = tmp_path / "catalog.json"
    records = write_catalog(path, assignments=20_000)
    leader, follower = os.openpty()
    shown: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(leader, shown))
    reader.start()
    # when
    try:
        run = gateway_import(path, migrated_sqlite(tmp_path), follower)
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    # then
    assert run.code == 0, run.out
    text = b"".join(shown).decode()
    lines = [line.strip() for line in text.split("\r") if line.strip()]
    found = [LINE.fullmatch(line) for line in lines]
    assert all(found), lines
    phases = [match[1] for match in found if match]
    assert phases[0] == "categories" and phases[-1] == "writing"
    assert set(phases) <= {"categories", "products", "segments", "customerAssignments",
                           "itemAssignments", "writing"}  # fmt: skip
    last = found[-1]
    assert last is not None and int(last[2].replace(",", "")) == records
    assert int(last[3].replace(",", "")) > 0
    assert 'Imported tenant "demo"' in run.out


def test_an_import_whose_stderr_is_no_terminal_shows_no_progress(tmp_path: Path) -> None:
    # given
    path = tmp_path / "catalog.json"
    write_catalog(path, assignments=20_000)
    errors = tmp_path / "stderr.txt"
    # when
    with errors.open("wb") as stderr:
        run = gateway_import(path, migrated_sqlite(tmp_path), stderr)
    # then
    assert run.code == 0
    assert errors.read_bytes() == b""
    assert 'Imported tenant "demo"' in run.out
