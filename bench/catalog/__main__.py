"""Issue 8's catalog-scale benchmark in one command; writes bench/RESULTS.md.

    .venv/bin/python -m bench.catalog [--quick] [--only Q1,Q2] [--keep-going]

Generates the catalog, imports it with `gateway import` into a PostgreSQL database of its own
(`bench_catalog`, dropped and created again) and into a SQLite file, then runs every workload
(Q0-Q4, W1; warm, then cold) against the gateway on PostgreSQL, B0, PostGraphile 5 and the
gateway on SQLite, and the reads against `gateway serve --workers 2`, one server at a time.
Needs wrk (Debian: apt-get install wrk) and npm (PG5 and Node 22 come from npm).
"""

from __future__ import annotations

import argparse
import asyncio

from bench.catalog.runner import Options, run


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.catalog", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="1/10 of the data, 3 s runs")
    parser.add_argument("--only", help="comma-separated workloads, e.g. Q1,Q2 (default: all)")
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="measure and report even when servers' answers differ (default: stop)",
    )
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="an admin connection; the benchmark creates its own database beside it",
    )
    parser.add_argument("--database", default="bench_catalog")
    parser.add_argument("--reuse", action="store_true", help="skip generation and import")
    args = parser.parse_args()
    only = {w.strip().upper() for w in args.only.split(",")} if args.only else None
    options = Options(
        quick=args.quick,
        only=only,
        keep_going=args.keep_going,
        admin_dsn=args.postgres,
        database=args.database,
        reuse=args.reuse,
    )
    asyncio.run(run(options))


if __name__ == "__main__":
    main()
