"""Loading the generated file: the benchmark's own PostgreSQL database and a SQLite file.

Both go through `gateway import FILE` in a child process, so the time and the peak memory
measured (the child's own rusage from wait4) are those of the command a user runs.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ImportRun:
    label: str
    seconds: float
    peak_mb: float
    command: str = ""
    cpu_seconds: float = 0.0  # the child's user + system time: what a busy machine does not inflate


def child_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "GATEWAY_DATABASE_URL": database_url}


def shown(argv: list[str], env: dict[str, str]) -> str:
    """A command line as a person would type it: the variables it sets, then python's argv."""
    shell = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    return " ".join([*shell, shlex.join(["python" if a == sys.executable else a for a in argv])])


def gateway(args: list[str], database_url: str) -> ImportRun:
    """Runs `python -m gateway ARGS`; fails loudly on a non-zero exit."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "gateway", *args],
        env=child_env(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert child.stdout is not None
    output = child.stdout.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"gateway {' '.join(args)} failed ({child.returncode}):\n{output}")
    print(output.strip(), flush=True)
    command = shown(["python", "-m", "gateway", *args], {"GATEWAY_DATABASE_URL": database_url})
    cpu = usage.ru_utime + usage.ru_stime
    return ImportRun(" ".join(args), seconds, usage.ru_maxrss / 1024, command, cpu)  # maxrss: KiB


async def recreate_database(admin_dsn: str, name: str) -> None:
    """Drops and creates the benchmark's own database; no other database is touched."""
    assert name.startswith("bench_"), name
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def vacuum_analyze(dsn: str) -> None:
    """Fresh statistics after the bulk load, as an operator (or autovacuum) would give."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def load(
    path: Path, database_url: str, label: str, migrate: bool, commands: list[str],
    dsn: str | None = None,
) -> list[ImportRun]:  # fmt: skip
    """Migrates when asked, imports the file, then imports it again unchanged.

    On PostgreSQL (`dsn` given) VACUUM ANALYZE runs in between: without statistics on the fresh
    tables the re-import's key lookups are planned as sequential scans, and it takes minutes
    where it takes seconds once autovacuum has run (as it has before any real re-import).
    """
    if migrate:
        commands.append(gateway(["migrate"], database_url).command)
    first = gateway(["import", str(path)], database_url)
    commands.append(first.command)
    if dsn:
        await vacuum_analyze(dsn)
        commands.append(f"psql {shlex.quote(dsn)} -c 'VACUUM ANALYZE'")
    again = gateway(["import", str(path)], database_url)
    commands.append(again.command + "  # the same file again")
    first.label, again.label = f"{label}: first import", f"{label}: same file again"
    return [first, again]
