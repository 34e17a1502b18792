"""The catalog benchmark's imports alone: a first import and the same file again, on
PostgreSQL and SQLite, each a `gateway import` child process (seconds, peak memory), then
the plans of a re-import's compare statements on PostgreSQL.

    .venv/bin/python -m bench.catalog.imports [--quick] [--reuse]

It uses a database of its own (`bench_import`, dropped and created again) and SQLite file,
so a catalog run's data is left alone; it prints a markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.catalog import generate, load
from bench.catalog.plans import Plan, explained
from bench.catalog.postgraphile import CACHE
from gateway.importer.run import import_file

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def run(quick: bool, reuse: bool, database: str) -> str:
    scale = 10 if quick else 1
    work = CACHE / "data"
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"catalog-scale{scale}.json"
    commands: list[str] = []
    if not (reuse and path.exists()):
        generate.generate(path, scale=scale)
    commands.append(f"# the file: bench.catalog.generate.generate({path}, scale={scale}), seed 8")
    await load.recreate_database(ADMIN, database)
    dsn = make_url(ADMIN).set(database=database).render_as_string(hide_password=False)
    pg_url = "postgresql+asyncpg" + dsn[len("postgresql") :]
    runs = await load.load(path, pg_url, "PostgreSQL", migrate=True, commands=commands, dsn=dsn)
    sqlite = work / f"import-scale{scale}.db"
    for stale in sqlite.parent.glob(sqlite.name + "*"):
        stale.unlink()
    runs += await load.load(path, f"sqlite+aiosqlite:///{sqlite}", "SQLite", False, commands)
    plans, seconds = await _plans(path, pg_url)
    return _report(path, runs, plans, seconds, commands)


async def _plans(path: Path, url: str) -> tuple[list[Plan], float]:
    """A third, unchanged import in this process, each compare statement explained first."""
    start = time.perf_counter()
    with explained() as plans:
        await import_file(url, path)
    return plans, time.perf_counter() - start


def _report(
    path: Path, runs: list[load.ImportRun], plans: list[Plan], seconds: float, commands: list[str]
) -> str:
    size = path.stat().st_size / 1e6
    lines = [
        f"Load average (1, 5, 15 min) at the end: {_loadavg()}.",
        "",
        f"File: {path.name}, {size:.0f} MB. `gateway import FILE`, a child process; peak = its"
        " maximum RSS.",
        "",
        "| import | seconds | CPU seconds (the child's) | peak memory MB |",
        "|---|---:|---:|---:|",
        *(f"| {r.label} | {r.seconds:.1f} | {r.cpu_seconds:.1f} | {r.peak_mb:.0f} |" for r in runs),
        "",
        f"Plans of a third, unchanged import's compare statements on PostgreSQL (EXPLAIN on the"
        f" import's own connection just before each ran; that import took {seconds:.1f} s with"
        " the EXPLAINs):",
        "",
        "```",
    ]
    for plan in plans:
        lines += [f"-- {_head(plan.statement)}", *plan.lines]
        lines += [f"   PER-KEY SCAN: {found}" for found in plan.per_key]
    lines += ["```", "", "Commands:", "", "```", *commands, "```"]
    return "\n".join(lines)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _head(statement: str) -> str:
    words = " ".join(statement.split())
    return words[:110] + ("..." if len(words) > 110 else "")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog.imports", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1/10 of the data")
    parser.add_argument("--reuse", action="store_true", help="the file generated before")
    parser.add_argument("--database", default="bench_import")
    args = parser.parse_args()
    before = _loadavg()
    report = asyncio.run(run(args.quick, args.reuse, args.database))
    print(f"Load average (1, 5, 15 min) before the run: {before}.\n{report}")


if __name__ == "__main__":
    main()
