"""The bench's section of bench/RESULTS.md: the newest on top, every other section kept."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.events.burst import BurstRow
from bench.events.profiling import Profile
from bench.events.writes import WriteRow

RESULTS = Path(__file__).resolve().parents[1] / "RESULTS.md"
TITLE = "# Benchmark results"
HEADING = "## Change events (issue 11, stop 16): the outbox's cost on a write, delivery rate"


@dataclass
class Facts:
    command: str
    started: str
    postgres: str
    load_before: str
    load_after: str = ""
    minutes: float = 0.0
    writes: dict[str, list[WriteRow]] = field(default_factory=dict)  # per database
    bursts: dict[str, list[BurstRow]] = field(default_factory=dict)
    profile: Profile | None = None
    notes: list[str] = field(default_factory=list)


def machine() -> str:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    python = platform.python_version()
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}), Python {python}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _n(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.{digits}f}"


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "") + _n(value)


def _baselines(rows: list[WriteRow]) -> dict[tuple[int, str, int], WriteRow]:
    return {
        (r.round, r.workload, r.concurrency): r for r in rows if r.setup.startswith("outbox off")
    }


def _summary_table(rows: list[WriteRow], postgres: bool) -> list[str]:
    """Per setup and write: the mean over rounds of its difference to the same round's baseline."""
    baseline = _baselines(rows)
    paired: dict[tuple[str, str, int], list[tuple[WriteRow, WriteRow]]] = {}
    for r in rows:
        if not r.setup.startswith("outbox off"):
            base = baseline[(r.round, r.workload, r.concurrency)]
            paired.setdefault((r.setup, r.workload, r.concurrency), []).append((r, base))
    head = "| setup | write | clients | rounds | baseline p50 ms | added p50 ms | added p95 ms "
    head += "| baseline server CPU ms/req | added server CPU ms/req | added |"
    lines = [head + (" added PostgreSQL CPU ms/req |" if postgres else "")]
    lines.append("|---|---|---:|" + "---:|" * (8 if postgres else 7))
    for (setup, workload, clients), pairs in paired.items():

        def mean(
            f: Callable[[WriteRow], float], pairs: list[tuple[WriteRow, WriteRow]] = pairs
        ) -> float:
            return sum(f(r) - f(b) for r, b in pairs) / len(pairs)

        base_p50 = sum(b.p50_ms for _, b in pairs) / len(pairs)
        base_cpu = sum(b.server_cpu_ms for _, b in pairs) / len(pairs)
        added_cpu = mean(lambda x: x.server_cpu_ms)
        cells = [setup, workload, str(clients), str(len(pairs)), _n(base_p50)]
        cells += [_signed(mean(lambda x: x.p50_ms)), _signed(mean(lambda x: x.p95_ms))]
        cells += [_n(base_cpu, 2), _signed(added_cpu), f"{added_cpu / base_cpu:+.0%}"]
        if postgres:
            cells.append(_signed(mean(lambda x: x.postgres_cpu_ms or 0.0)))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _write_table(rows: list[WriteRow], postgres: bool) -> list[str]:
    baseline = _baselines(rows)
    head = "| round | setup | write | clients | req/s | events/s | p50 ms | p95 ms "
    head += "| p50 vs baseline ms | server CPU ms/req | vs baseline |"
    lines = [head + (" PostgreSQL CPU ms/req |" if postgres else "") + " delivered meanwhile |"]
    lines.append("|---:|---|---|---:|" + "---:|" * (9 if postgres else 8))
    for r in rows:
        base = baseline[(r.round, r.workload, r.concurrency)]
        cells = [str(r.round), r.setup, r.workload, str(r.concurrency), _n(r.per_second)]
        cells += [_n(r.events_per_second, 0), _n(r.p50_ms), _n(r.p95_ms)]
        cells += [_signed(r.p50_ms - base.p50_ms), _n(r.server_cpu_ms, 2)]
        cells.append(_signed(r.server_cpu_ms - base.server_cpu_ms))
        if postgres:
            cells.append(_n(r.postgres_cpu_ms, 2))
        cells.append(str(r.delivered))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _burst_table(rows: list[BurstRow], postgres: bool) -> list[str]:
    head = "| run | subscriptions | events | written/s | deliveries | delivered/s "
    head += "| commit to delivered p50 s | p95 s | server CPU ms/delivery |"
    head += " PostgreSQL CPU ms/delivery |" if postgres else ""
    lines = [head + " connections opened | duplicates |"]
    lines.append("|---|---:|" + "---:|" * (10 if postgres else 9))
    for r in rows:
        drain = r.run.startswith("drain")
        cells = [r.run, str(r.subscriptions), f"{r.events:,}", _n(r.written_per_second, 0)]
        cells += [f"{r.deliveries:,}", _n(r.delivered_per_second, 0)]
        cells += ["-" if drain else f"{r.p50_s:.3f}", "-" if drain else f"{r.p95_s:.3f}"]
        cells.append(_n(r.server_cpu_ms, 2))
        if postgres:
            cells.append(_n(r.postgres_cpu_ms, 2))
        cells += [f"{r.connections:,}", str(r.duplicates)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _profile(profile: Profile) -> list[str]:
    lines = [f"py-spy, {profile.samples:,} on-CPU samples at 100 Hz of the delivering process:", ""]
    lines += ["| within (inclusive) | share | | the frame itself (self) | share |"]
    lines += ["|---|---:|---|---|---:|"]
    for (a, x), (b, y) in zip(profile.within, profile.own, strict=False):
        lines.append(f"| `{a}` | {x:.1%} | | `{b}` | {y:.1%} |")
    return lines


def section(facts: Facts) -> list[str]:
    lines = [HEADING, "", *facts.notes]
    lines += [
        f"Written by `{facts.command}` on {facts.started}; {machine()}; {facts.postgres} on the "
        f"same machine. Load average (1, 5, 15 min) before the run: {facts.load_before}; after: "
        f"{facts.load_after}; the run took {facts.minutes:.1f} min.",
        "",
    ]
    for database, rows in facts.writes.items():
        postgres = database == "PostgreSQL"
        lines += [f"What the outbox adds to a write on {database}, against the baseline:", ""]
        lines += [*_summary_table(rows, postgres), ""]
        lines += [f"Every window on {database} (one `gateway serve` worker, HTTP):", ""]
        lines += [*_write_table(rows, postgres), ""]
    for database, bursts in facts.bursts.items():
        lines += [f"Delivery on {database} (one process, a receiver answering 200 at once):", ""]
        lines += [*_burst_table(bursts, database == "PostgreSQL"), ""]
    if facts.profile is not None:
        lines += [*_profile(facts.profile), ""]
    return lines + METHOD


def write(facts: Facts) -> None:
    """Puts the section first under the title, replacing this bench's previous one."""
    old = RESULTS.read_text() if RESULTS.exists() else TITLE + "\n"
    body = old.split("\n", 1)[1] if old.startswith(TITLE) else old
    if HEADING in body:
        before, rest = body.split(HEADING, 1)
        after = rest[rest.find("\n## ") + 1 :] if "\n## " in rest else ""
        body = before + after
    text = "\n".join([TITLE, "", *section(facts), body.lstrip("\n")])
    RESULTS.write_text(text.rstrip() + "\n")


METHOD = [
    "How it was measured (`bench/events/`):",
    "- Data: one tenant, 20 active segments, 200 products (`bench/events/data.py`). `single` is "
    "`upsertItemAssignment` (one event), rotating over 400 segment and product pairs; `bulk of "
    "200` is `bulkUpsertItemAssignments` of all 200 products of a segment (200 events), "
    "rotating over the segments. Every upsert writes (its version rises), so every entry is "
    "an event. A manager token; answers checked (no `errors`, no userErrors, `failed: 0`).",
    "- Server: `python -m gateway serve --port 19401` (one uvicorn worker, as shipped, access "
    "log on), a fresh process per setup, on event tables emptied before it starts (the "
    "assignments stay). `GATEWAY_WEBHOOK_DELIVERY=0` but in the `worker on` setups, so the "
    "others time the write path alone. `GATEWAY_WEBHOOK_ALLOW_HTTP` and `_ALLOW_PRIVATE` are "
    "set for the loopback receiver.",
    "- Baseline: `python -m bench.events.no_outbox serve ...`, the same gateway with "
    "`gateway.events.outbox.record` patched to a no-op before the commands import it (no "
    "change_event INSERT, no fan-out INSERT ... SELECT, no NOTIFY; the commands still build "
    "their events). The bench checks that the baseline left change_event empty and the "
    "others did not. The write-path setups run in two rounds, each round starting with its "
    "own baseline, and every setup is compared with the baseline of its round (the summary "
    "averages the two differences): a shared machine's load drifts over minutes, so a "
    "comparison a few seconds apart means more than one across the run.",
    "- Client: the bench's own asyncio HTTP/1.1 client (`bench/events/client.py`), keep-alive "
    "connections, requests encoded once; per workload 1 s warm-up, then the measured window; "
    "`clients` connections each send the next request when the last is answered. p50/p95 "
    "of every request started in the window; `vs baseline` is the difference to the "
    "same round's baseline, same write and clients. CPU per request: utime + stime from /proc "
    "of the server process and of the database's PostgreSQL backends over the window.",
    "- Subscriptions: made with `createWebhookSubscription` to every event type, each to its "
    "own path of the receiver (`bench/events/receiver.py`, raw asyncio in its own process, "
    "200 with an empty body at once, counting requests, distinct path and webhook-id pairs "
    "and the connections that carried them). `delivered meanwhile`: requests it got during "
    "the window (the worker also drains what the earlier workloads left).",
    "- Delivery runs: `trickle` single upserts, each 50 ms after the previous answer, for 5 s, "
    "with the worker on; `burst` the events as 200-entry bulks two at a time with the worker "
    "on, timed from the first commit to the last delivery; `drain` the same events written "
    "with the worker off, then a fresh server with it on and no requests (the delivery path "
    "alone; its CPU per delivery from /proc, without the start's). Commit to delivered: each "
    "delivered event's `occurred_at` to its delivery's `finished_at` in the database (both "
    "the gateway's clock). `duplicates`: requests beyond the distinct deliveries.",
    "- Profile: py-spy (not a dependency; `GATEWAY_BENCH_PYSPY` or PATH) on a separate drain "
    "of 5 subscriptions, `record -r 100 -f raw` (on-CPU samples), summed per function; the "
    "frames every sample has (the CLI, uvicorn, the event loop's runner) are left out of "
    "`within`. Its figures (its row `drain (py-spy attached)`) are not the drain's.",
    "",
]
