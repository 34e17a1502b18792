"""The whole run: data, imports, checked answers, then timings, then bench/RESULTS.md."""

from __future__ import annotations

import asyncio
import os
import platform
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import make_url

from bench.catalog import generate, load, measure, phases, postgraphile, report, servers
from bench.catalog.wire import Proxy
from bench.catalog.workloads import Tokens, Workload, q0, q1, q2, q3, q4, w1
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import load_settings

FUNCTIONS = Path(__file__).with_name("functions.sql")
PROXY_PORT = 19090  # the bench's ports are 19000-19099
WORKERS = "gateway (PostgreSQL, 2 workers)"
# Warm reads only: what --workers changes is throughput; the cold loop is one request at a time.
WORKER_LOADS = frozenset({"Q0", "Q1", "Q2", "Q3", "Q4"})
Q2_TARGET = 765  # the customer tree size; the customer nearest to it is chosen


@dataclass
class Options:
    quick: bool = False
    only: set[str] | None = None
    keep_going: bool = False
    admin_dsn: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database: str = "bench_catalog"
    reuse: bool = False

    @property
    def scale(self) -> int:
        return 10 if self.quick else 1

    @property
    def seconds(self) -> tuple[int, int]:
        return (3, 3) if self.quick else (10, 20)

    @property
    def cold(self) -> tuple[int, float]:  # samples, at most seconds (after the first 5)
        return (20, 10.0) if self.quick else (100, 30.0)


@dataclass
class Facts:
    """Everything the report states besides the servers' figures."""

    options: Options
    commands: list[str] = field(default_factory=list)
    imports: list[load.ImportRun] = field(default_factory=list)
    generated: dict[str, Any] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    started: str = ""
    machine: str = ""
    mismatches: list[str] = field(default_factory=list)


def _dsn(options: Options, port: int = 5432) -> str:
    url = make_url(options.admin_dsn).set(database=options.database, port=port)
    return url.render_as_string(hide_password=False)


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"
    )


async def _prepare_data(options: Options, facts: Facts, work: Path) -> dict[str, Any]:
    path = work / f"catalog-scale{options.scale}.json"
    sqlite = work / f"catalog-scale{options.scale}.db"
    if options.reuse and path.exists():
        meta: dict[str, Any] = orjson.loads(generate.meta_path(path).read_bytes())
        return meta
    start = time.perf_counter()
    meta = generate.generate(path, scale=options.scale)
    facts.generated = {"seconds": time.perf_counter() - start, "bytes": path.stat().st_size}
    await load.recreate_database(options.admin_dsn, options.database)
    pg_url = "postgresql+asyncpg" + _dsn(options)[len("postgresql") :]
    facts.commands.append(f"# generated in process: bench.catalog.generate.generate({path}, "
                          f"scale={options.scale}), seed 8")  # fmt: skip
    facts.imports += await load.load(
        path, pg_url, "PostgreSQL", migrate=True, commands=facts.commands, dsn=_dsn(options)
    )
    for stale in sqlite.parent.glob(sqlite.name + "*"):
        stale.unlink()
    sqlite_url = f"sqlite+aiosqlite:///{sqlite}"
    facts.imports += await load.load(
        path, sqlite_url, "SQLite", migrate=False, commands=facts.commands
    )
    return meta


async def _functions_and_customer(options: Options, meta: dict[str, Any]) -> tuple[str, str]:
    """Creates bench_sql, then picks the B2C customer whose tree is nearest Q2_TARGET nodes."""
    conn = await asyncpg.connect(_dsn(options))
    try:
        await conn.execute(FUNCTIONS.read_text())
        tenant, target = meta["tenant"], Q2_TARGET // options.scale
        rows = await conn.fetch(
            "SELECT c.customer_id, (SELECT count(*) FROM bench_sql.customer_tree_nodes($1, "
            "c.customer_id)) AS n FROM (SELECT DISTINCT customer_id FROM customer_assignment "
            "WHERE tenant = $1 AND legal_entity_id = '' ORDER BY customer_id LIMIT 300) c",
            tenant,
        )
        customer = min(rows, key=lambda r: (abs(r["n"] - target), r["customer_id"]))["customer_id"]
        segments = await conn.fetch(
            "SELECT bench_sql.customer_segments($1, $2, NULL) AS id INTERSECT "
            "SELECT bench_sql.active_segments($1, NULL, NULL) ORDER BY 1",
            tenant,
            customer,
        )
    finally:
        await conn.close()
    segment = next(r["id"] for r in segments if r["id"] in meta["touch"])
    return customer, segment


def _tokens(meta: dict[str, Any], customer: str) -> Tokens:
    settings, tenant, ttl = load_settings(), meta["tenant"], 6 * 3600
    return Tokens(
        reader=mint_token(settings, tenant=tenant, scopes=[scopes.READ], ttl_seconds=ttl),
        customer=mint_token(
            settings, tenant=tenant, scopes=[scopes.READ_OWN], customer=customer, ttl_seconds=ttl
        ),
        manager=mint_token(
            settings, tenant=tenant, scopes=[scopes.READ, scopes.MANAGE], ttl_seconds=ttl
        ),
    )


def _workloads(meta: dict[str, Any], tokens: Tokens, customer: str, segment: str) -> list[Workload]:
    gql = f"/{meta['tenant']}/graphql"
    return [
        q1(meta, tokens, gql),
        q2(meta, tokens, gql, customer, segment),
        q3(meta, tokens, gql),
        q4(meta, tokens, gql),
        w1(meta, tokens, gql),
        q0(tokens, gql),
    ]


def _specs(options: Options, work: Path, offset: int, pg_port: int) -> list[servers.ServerSpec]:
    """The servers in the order they run; `offset` separates checking ports from timing ones."""
    dsn = _dsn(options, pg_port)
    sqlite = f"sqlite+aiosqlite:///{work / f'catalog-scale{options.scale}.db'}"
    pg_url = "postgresql+asyncpg" + dsn[len("postgresql") :]
    workers = servers.gateway_spec(WORKERS, pg_url, 19005 + offset, workers=2)
    workers.only, workers.cold = WORKER_LOADS, False
    return [
        servers.gateway_spec("gateway (PostgreSQL)", pg_url, 19001 + offset),
        servers.b0_spec(dsn, 19002 + offset),
        servers.pg5_spec(dsn, 19003 + offset),
        servers.gateway_spec("gateway (SQLite)", sqlite, 19004 + offset),
        workers,
    ]


def _mine(spec: servers.ServerSpec, workloads: list[Workload]) -> list[Workload]:
    return [w for w in workloads
            if spec.kind in w.requests and (spec.only is None or w.key in spec.only)]  # fmt: skip


def _port(spec: servers.ServerSpec) -> int:
    return int(spec.env.get("BENCH_PORT") or spec.argv[spec.argv.index("--port") + 1])


async def _check_all(options: Options, work: Path, workloads: list[Workload]) -> dict[str, Any]:
    proxy = Proxy(PROXY_PORT, "127.0.0.1", make_url(options.admin_dsn).port or 5432)
    await proxy.start()
    results: dict[str, phases.ServerResult] = {}
    try:
        for spec in _specs(options, work, 0, PROXY_PORT):
            running = await servers.start(spec, _port(spec), work)
            try:
                result = phases.ServerResult(spec.label, spec.kind)
                behind = proxy if spec.database == "postgresql" else None
                await phases.check(running, _mine(spec, workloads), behind, result)
                results[spec.label] = result
            finally:
                # In a thread: the proxy runs on this loop and must pass the server's goodbyes
                # on while it shuts down, or its pool's connections time out closing.
                await asyncio.to_thread(servers.stop, running)
    finally:
        await proxy.stop()
    return results


def _mismatches(results: dict[str, phases.ServerResult], workloads: list[Workload]) -> list[str]:
    """Every workload whose answers differ between servers, with what each server said."""
    found = []
    for workload in workloads:
        answers = {label: r.answers[workload.key] for label, r in results.items()
                   if workload.key in r.answers}  # fmt: skip
        if len({orjson.dumps(a) for a in answers.values()}) > 1:
            found.append(report.describe_mismatch(workload.key, answers))
    return found


async def _time_one(
    facts: Facts, running: servers.Running, workload: Workload, plan: phases.ColdPlan,
    work: Path,
) -> phases.Timing:  # fmt: skip
    """The timed wrk run of one workload on one server, then its cold loop if it has one."""
    options, spec = facts.options, running.spec
    print(f"timing {spec.label} {workload.key}", flush=True)
    warm, measured = options.seconds
    requests, script = workload.requests[spec.kind], phases.script_path(running, workload, work)
    line = shlex.join(measure.wrk_args(running.base, requests, measured, script))
    facts.commands.append(f"{line}  # after the same for {warm} s as a warm-up")
    database = options.database if spec.database == "postgresql" else None
    wrk, server_cpu, pg_cpu = await phases.timed(running, workload, options.seconds, database, work)
    if "Non-2xx" in wrk.errors and not options.keep_going:
        raise SystemExit(f"{spec.label} {workload.key}: {wrk.errors}; see {running.log}")
    cold = None
    if spec.cold and workload.cold_segment and not workload.write:
        cold = await phases.cold(running, workload, plan)
    return phases.Timing(wrk, server_cpu, pg_cpu, cold)


async def _time_all(
    facts: Facts, work: Path, workloads: list[Workload], plan: phases.ColdPlan,
    results: dict[str, phases.ServerResult],
) -> None:  # fmt: skip
    options = facts.options
    for spec in _specs(options, work, 10, make_url(options.admin_dsn).port or 5432):
        facts.commands.append(f"# {spec.label}\n{spec.command()}")
        running = await servers.start(spec, _port(spec), work)
        result = results[spec.label]
        try:
            for workload in _mine(spec, workloads):
                result.timings[workload.key] = await _time_one(facts, running, workload, plan, work)
            result.peak_rss_mb = measure.peak_rss_mb(running.pid)
            if spec.workers > 1:
                result.worker_rss_mb = [measure.peak_rss_mb(pid) for pid in running.workers()]
        finally:
            servers.stop(running)


async def run(options: Options) -> None:
    facts = Facts(options, started=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    facts.load_before, facts.machine = _loadavg(), _machine()
    work = postgraphile.CACHE / "data"
    work.mkdir(parents=True, exist_ok=True)
    postgraphile.ensure_installed()
    meta = await _prepare_data(options, facts, work)
    customer, segment = await _functions_and_customer(options, meta)
    facts.commands.append(f"psql {shlex.quote(_dsn(options))} -f {FUNCTIONS}")
    tokens = _tokens(meta, customer)
    workloads = [w for w in _workloads(meta, tokens, customer, segment)
                 if options.only is None or w.key in options.only]  # fmt: skip
    results = await _check_all(options, work, workloads)
    facts.mismatches = _mismatches(results, workloads)
    facts.generated |= {"customer": customer, **report.answer_sizes(results)}
    if facts.mismatches and not options.keep_going:
        raise SystemExit("Servers disagree; nothing timed:\n" + "\n".join(facts.mismatches))
    samples, seconds = options.cold
    plan = phases.ColdPlan(
        meta, tokens, f"/{meta['tenant']}/graphql", _dsn(options), samples, seconds
    )
    await _time_all(facts, work, workloads, plan, results)
    facts.load_after = _loadavg()
    report.write(facts, results, workloads)
    await asyncio.sleep(0)
