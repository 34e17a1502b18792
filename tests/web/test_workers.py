"""The directory the workers share their samples in, and what a retired worker leaves there."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.web.workers import Workers, fresh_metrics_dir

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@dataclass
class FakeProcess:
    pid: int

    def terminate(self) -> None:
        pass

    def join(self) -> None:
        pass


def supervising(*pids: int) -> Workers:
    """A supervisor of fake workers, without the signal handlers a real one installs."""
    workers = Workers.__new__(Workers)
    workers.processes = [FakeProcess(pid) for pid in pids]
    workers.processes_num = len(pids)
    workers.signal_queue = []
    workers.should_exit = threading.Event()
    return workers


def test_each_use_gets_a_new_empty_directory_named_in_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(VARIABLE, raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with fresh_metrics_dir() as first, fresh_metrics_dir() as second:
        assert first != second
        assert os.environ[VARIABLE] == second
        assert list(Path(second).iterdir()) == []


def test_the_directory_is_removed_and_the_environment_restored_after(monkeypatch, tmp_path):
    # given a directory the environment already names, holding an earlier run's samples
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "counter_1.db").write_bytes(b"old")
    monkeypatch.setenv(VARIABLE, str(earlier))
    # when
    with fresh_metrics_dir() as path:
        (Path(path) / "counter_2.db").write_bytes(b"new")
        # then it is not reused
        assert Path(path) != earlier
    # and afterwards
    assert not Path(path).exists()
    assert os.environ[VARIABLE] == str(earlier)
    assert (earlier / "counter_1.db").exists()


def test_a_retired_worker_leaves_its_counts_but_not_its_live_gauges(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    # given two workers' samples
    monkeypatch.setenv(VARIABLE, str(tmp_path))
    for name in ("counter_11", "gauge_livesum_11", "counter_12", "gauge_livesum_12"):
        (tmp_path / f"{name}.db").write_bytes(b"")
    workers = supervising(11, 12)
    # when one worker is retired (SIGTTOU takes the last)
    workers.signal_queue.append(signal.SIGTTOU)
    workers.handle_signals()
    # then
    left = sorted(file.stem for file in tmp_path.iterdir())
    assert left == ["counter_11", "counter_12", "gauge_livesum_11"]
