"""Throwaway PostgreSQL clusters for tests that freeze, stop or restart their database.

The shared server is never touched: each cluster lives in its own directory, listens on a
port of its own and is removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path(os.environ.get("GATEWAY_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
REQUIRE_POSTGRES = os.environ.get("GATEWAY_TEST_REQUIRE_POSTGRES") == "1"
# Small and fast: nothing here must survive a crash.
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c shared_buffers=16MB -c max_connections=60"
)


def missing_binaries() -> str | None:
    """Why no throwaway cluster can be made here, or None."""
    for name in ("initdb", "pg_ctl"):
        if not (BIN / name).is_file():
            return f"{BIN / name} not found (set GATEWAY_TEST_PG_BIN)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root and runuser is missing (initdb refuses root)"
    return None


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; the cluster then belongs to the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], timeout: float = 60) -> None:
    subprocess.run(_as_postgres(command), check=True, capture_output=True, timeout=timeout)


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} {SERVER_OPTIONS}"
        log = self.directory / "log"
        _run([str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w",
              "start"])  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        _run([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def processes(self) -> list[int]:
        """The postmaster first, then every backend and helper it forked."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        children = [pid for pid in _all_pids() if _parent_of(pid) == postmaster]
        return [postmaster, *children]

    def freeze(self) -> None:
        """SIGSTOP the whole cluster: connections stay open and nothing answers."""
        # The postmaster first, so it forks nothing new while its children are stopped.
        for pid in self.processes():
            _signal(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in reversed(self.processes()):
            _signal(pid, signal.SIGCONT)


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces; the parent follows the state.
    return int(stat.rsplit(")", 1)[1].split()[1])


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


@contextlib.contextmanager
def throwaway_cluster(port: int) -> Iterator[Cluster]:
    """A fresh cluster on `port`, started; stopped and deleted afterwards."""
    reason = missing_binaries()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(f"a throwaway PostgreSQL cluster is required but: {reason}")
        pytest.skip(f"no throwaway PostgreSQL cluster: {reason}")
    directory = Path(tempfile.mkdtemp(prefix="gw-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, port)
    try:
        _run([str(BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
              "--no-sync"], timeout=120)  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        cluster.thaw()
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop("immediate")
        _wait_gone(cluster)
        shutil.rmtree(directory, ignore_errors=True)


def _wait_gone(cluster: Cluster, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while cluster.processes() and time.monotonic() < deadline:
        time.sleep(0.1)
