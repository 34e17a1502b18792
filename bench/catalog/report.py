"""bench/RESULTS.md's catalog-scale section; the small-scale section of bench.run stays below it."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.catalog import postgraphile, targets
from bench.catalog.notes import method_notes
from bench.catalog.workloads import Workload

if TYPE_CHECKING:
    from bench.catalog.phases import ServerResult
    from bench.catalog.runner import Facts

RESULTS = Path(__file__).resolve().parents[1] / "RESULTS.md"
TITLE = "# Benchmark results"
CATALOG = "## Catalog scale (issue 8)"
SMALL = "## Small scale"
ONE, WORKERS = "gateway (PostgreSQL)", "gateway (PostgreSQL, 2 workers)"
ORDER = ("B0", "PG5", ONE, "gateway (SQLite)", WORKERS)


def small_scale_section(text: str) -> str:
    """The section bench.run writes, however the file looks now (older files hold only it)."""
    if SMALL in text:
        return text[text.index(SMALL) :].rstrip() + "\n"
    body = text.replace(TITLE, "", 1).strip()
    return f"{SMALL}: `python -m bench.run`\n\n{body}\n" if body else ""


def describe_mismatch(key: str, answers: dict[str, Any]) -> str:
    lines = [f"- {key}: the servers' answers differ"]
    for label, answer in answers.items():
        size = len(answer) if isinstance(answer, list | tuple | str) else answer
        lines.append(f"  - {label}: {str(answer)[:300]} (size {size})")
    return "\n".join(lines)


def answer_sizes(results: dict[str, ServerResult]) -> dict[str, Any]:
    """The size of each answer, from the first server that gave one (they agree when checked)."""
    sizes: dict[str, Any] = {}
    for result in results.values():
        for key, answer in result.answers.items():
            if key in {"Q1", "Q2", "Q3"} and isinstance(answer, list):
                sizes.setdefault(f"{key} nodes", len(answer))
            if key == "Q4" and isinstance(answer, tuple | list) and len(answer) == 2:
                sizes.setdefault("Q4 matched", f"{len(answer[0])} and {len(answer[1])}")
    return sizes


def _n(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}" if value < 100 or digits == 0 else f"{value:,.0f}"


def _rps(results: dict[str, ServerResult], label: str, key: str) -> float | None:
    result = results.get(label)
    timing = result.timings.get(key) if result else None
    return timing.wrk.rps if timing else None


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.3f}" if a and b else "-"


def _summary(results: dict[str, ServerResult], workloads: list[Workload]) -> list[str]:
    lines = [
        "| workload | B0 req/s | PG5 req/s | gateway req/s | gateway on SQLite req/s "
        "| gateway / PG5 | gateway / B0 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for w in workloads:
        b0, pg5, gw, lite = (_rps(results, label, w.key) for label in ORDER[:4])
        lines.append(
            f"| {w.key} {w.title} | {_n(b0)} | {_n(pg5)} | {_n(gw)} | {_n(lite)} "
            f"| {_ratio(gw, pg5)} | {_ratio(gw, b0)} |"
        )
    return lines


def _details(results: dict[str, ServerResult], workloads: list[Workload]) -> list[str]:
    lines = [
        "| workload | server | req/s | p50 ms | p99 ms | cold p50 ms | cold p99 ms "
        "| server CPU ms/req | PostgreSQL CPU ms/req | SQL stmts/req (data + tx control) "
        "| wrk notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for w in workloads:
        for label in ORDER:
            result = results.get(label)
            timing = result.timings.get(w.key) if result else None
            if result is None or timing is None:
                continue
            data, control = result.statements.get(w.key, (None, None))
            stmts = "-" if data is None else f"{data:g} + {control:g}"
            cold = timing.cold
            pg_cpu = _n(timing.postgres_cpu_ms, 2) if result.label != "gateway (SQLite)" else "-"
            lines.append(
                f"| {w.key} | {label} | {_n(timing.wrk.rps)} | {_n(timing.wrk.p50_ms, 2)} "
                f"| {_n(timing.wrk.p99_ms, 2)} | {_n(cold.p50_ms if cold else None, 2)} "
                f"| {_n(cold.p99_ms if cold else None, 2)} | {_n(timing.server_cpu_ms, 2)} "
                f"| {pg_cpu} | {stmts} | {timing.wrk.errors or ''} |"
            )
    return lines


def _workers(results: dict[str, ServerResult], workloads: list[Workload]) -> list[str]:
    """`gateway serve --workers 2` beside one worker, on the same PostgreSQL data."""
    lines = [
        "| workload | 1 worker req/s | 2 workers req/s | 2 workers / 1 | 2 workers p50 ms "
        "| 2 workers p99 ms | server CPU ms/req (all processes) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for w in workloads:
        timing = results[WORKERS].timings.get(w.key) if WORKERS in results else None
        if timing is None:
            continue
        one, two = _rps(results, ONE, w.key), timing.wrk.rps
        lines.append(
            f"| {w.key} | {_n(one)} | {_n(two)} | {_ratio(two, one)} | {_n(timing.wrk.p50_ms, 2)} "
            f"| {_n(timing.wrk.p99_ms, 2)} | {_n(timing.server_cpu_ms, 2)} |"
        )
    return lines if len(lines) > 2 else []


def _memory(results: dict[str, ServerResult]) -> str:
    parts = []
    for r in results.values():
        if r.worker_rss_mb:
            each = " and ".join(f"{mb:.0f}" for mb in r.worker_rss_mb)
            parts.append(
                f"{r.label}: workers {each} MB (sum {sum(r.worker_rss_mb):.0f}, max "
                f"{max(r.worker_rss_mb):.0f}), supervisor {r.peak_rss_mb:.0f} MB"
            )
        elif r.peak_rss_mb:
            parts.append(f"{r.label} {r.peak_rss_mb:.0f} MB")
    return "Peak resident memory (VmHWM) of each serving process over its run: " + "; ".join(parts)


def _commands(facts: Facts) -> list[str]:
    return ["Commands, exactly as run (PYTHONPATH is the repository):", "", "```",
            *facts.commands, "```", ""]  # fmt: skip


def _imports(facts: Facts) -> list[str]:
    lines = ["| import | seconds | peak memory MB |", "|---|---:|---:|"]
    lines += [f"| {i.label} | {i.seconds:.1f} | {i.peak_mb:.0f} |" for i in facts.imports]
    return lines


def _header(facts: Facts) -> list[str]:
    o = facts.options
    command = shlex.join(["python", "-m", "bench.catalog", *sys.argv[1:]])
    noisy = max(float(x) for x in (facts.load_before + " " + facts.load_after).split()) > 1.0
    lines = [
        CATALOG,
        "",
        f"Written by `{command}` on {facts.started}; {facts.machine}; PostgreSQL 15 on the same "
        f"machine. Load average (1, 5, 15 min) before the run: {facts.load_before}; after: "
        f"{facts.load_after}.",
    ]
    if noisy:
        lines += [
            "",
            "**Noisy figures:** the machine was shared with other work during this run (see the "
            "load averages); a run on a quiet machine is due before any figure is compared "
            "with a target.",
        ]
    if o.quick:
        lines += ["", "**Quick mode:** 1/10 of the data and 3 s runs; it checks the harness, "
                  "its figures mean little."]  # fmt: skip
    return lines


def write(facts: Facts, results: dict[str, ServerResult], workloads: list[Workload]) -> None:
    warm, measured = facts.options.seconds
    sizes = ", ".join(
        f"{k}: {v}" for k, v in facts.generated.items() if k not in {"seconds", "bytes"}
    )
    generated = facts.generated
    lines = [
        *_header(facts),
        "",
        f"Servers one at a time, `wrk -t1 -c16 --latency`, {warm} s warm-up then {measured} s "
        f"measured per workload. PostGraphile {postgraphile.POSTGRAPHILE} on Node "
        f"{postgraphile.NODE}. Answers: {sizes}.",
    ]
    if "bytes" in generated:
        lines.append(
            f"Data file: {generated['bytes'] / 1e6:.0f} MB, "
            f"generated in {generated['seconds']:.1f} s."
        )
    lines += ["", *_summary(results, workloads), "", *_details(results, workloads), ""]
    lines += ["Issue 8's targets against this run:", "", *targets.table(facts, results), ""]
    if workers := _workers(results, workloads):
        lines += ["`gateway serve --workers 2` beside one worker (warm runs only):", ""]
        lines += [*workers, ""]
    lines += [_memory(results) + ".", ""]
    if facts.imports:
        lines += ["Import (`gateway import FILE`, a child process; peak = its maximum RSS):", ""]
        lines += [*_imports(facts), ""]
    if facts.mismatches:
        lines += ["**Answers that differ between servers** (timed anyway, `--keep-going`):", ""]
        lines += [*facts.mismatches, ""]
    lines += method_notes(facts)
    lines += _commands(facts)
    old = RESULTS.read_text() if RESULTS.exists() else ""
    RESULTS.write_text("\n".join([TITLE, "", *lines, "", small_scale_section(old)]).rstrip() + "\n")
    print("\n".join(lines))
