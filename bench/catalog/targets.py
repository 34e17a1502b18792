"""Issue 8's targets, each beside what this run measured, so RESULTS.md says which are met."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from bench.catalog.phases import ServerResult, Timing
    from bench.catalog.runner import Facts

B0, PG5, ONE, LITE = "B0", "PG5", "gateway (PostgreSQL)", "gateway (SQLite)"
WORKERS = "gateway (PostgreSQL, 2 workers)"
NEAR_TWICE = 1.8  # what "close to twice one worker" is taken to mean


class Check(NamedTuple):
    name: str
    threshold: float
    higher: bool  # met at or above the threshold; else met below it
    value: float | None  # None: this run did not measure it
    figure: str  # what `value` is


class _Run:
    """Reads one figure at a time out of the run's results; None where it was not measured."""

    def __init__(self, results: dict[str, ServerResult]) -> None:
        self.results = results

    def timing(self, label: str, key: str) -> Timing | None:
        result = self.results.get(label)
        return result.timings.get(key) if result else None

    def rps(self, label: str, key: str) -> float | None:
        timing = self.timing(label, key)
        return timing.wrk.rps if timing else None

    def cold_ms(self, label: str, key: str) -> float | None:
        timing = self.timing(label, key)
        return timing.cold.p50_ms if timing and timing.cold else None

    def faster(self, key: str, a: str, b: str) -> float | None:
        """a's req/s over b's."""
        return _over(self.rps(a, key), self.rps(b, key))

    def cpu_ms(self, label: str, key: str) -> float | None:
        timing = self.timing(label, key)
        return timing.server_cpu_ms if timing else None


def _over(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _reads(run: _Run) -> list[Check]:
    checks = []
    for key in ("Q2", "Q3"):
        cold = _over(run.cold_ms(ONE, key), run.cold_ms(B0, key))
        checks += [
            Check(
                f"{key} warm at or above B0", 1.0, True, run.faster(key, ONE, B0), "gateway / B0"
            ),
            Check(f"{key} cold within 3x B0's latency", 3.0, False, cold, "gateway / B0 cold p50"),
        ]
    q1_cold = _over(run.cold_ms(PG5, "Q1"), run.cold_ms(ONE, "Q1"))
    q0_cpu = run.cpu_ms(ONE, "Q0")
    return [
        *checks,
        Check("Q4 ahead of PG5", 1.0, True, run.faster("Q4", ONE, PG5), "gateway / PG5"),
        Check("Q1 ahead of PG5 warm", 1.0, True, run.faster("Q1", ONE, PG5), "gateway / PG5"),
        Check("Q1 at least 0.5x PG5 cold", 0.5, True, q1_cold, "PG5 / gateway cold p50"),
        Check("Q0 under 0.3 ms CPU per request", 0.3, False, q0_cpu, "gateway CPU ms/req"),
        Check(
            "W1 at least 0.5x the raw baseline",
            0.5,
            True,
            run.faster("W1", ONE, B0),
            "gateway / B0",
        ),
    ]


def _imports(facts: Facts) -> list[Check]:
    runs = {i.label: i for i in facts.imports if i.label.startswith("PostgreSQL")}
    first, again = runs.get("PostgreSQL: first import"), runs.get("PostgreSQL: same file again")
    peak = max((i.peak_mb for i in facts.imports), default=None)
    return [
        Check(
            "Import under 15 s on PostgreSQL",
            15.0,
            False,
            first.seconds if first else None,
            "seconds, first import",
        ),
        Check("Import memory under 300 MB", 300.0, False, peak, "MB, the largest import's peak"),
        Check(
            "Unchanged re-import no slower than the first",
            1.0,
            False,
            _over(again.seconds if again else None, first.seconds if first else None),
            "again / first seconds",
        ),
    ]


def _serving(run: _Run) -> list[Check]:
    ratios = [_over(run.rps(WORKERS, k), run.rps(ONE, k)) for k in ("Q0", "Q1", "Q2")]
    measured = [r for r in ratios if r is not None]
    memory = [r.peak_rss_mb for label, r in run.results.items() if label in (ONE, LITE)]
    memory += [mb for r in run.results.values() for mb in r.worker_rss_mb]
    return [
        Check(
            "--workers 2 close to twice one worker",
            NEAR_TWICE,
            True,
            min(measured) if measured else None,
            "lowest of Q0, Q1, Q2: 2 workers / 1 req/s",
        ),
        Check(
            "Every serving process under 300 MB",
            300.0,
            False,
            max(memory, default=None),
            "MB, the largest gateway process's peak",
        ),
    ]


def _row(check: Check) -> str:
    if check.value is None:
        return f"| {check.name} | - | {check.figure} | not measured |"
    v, limit = check.value, check.threshold
    met = v >= limit if check.higher else v <= limit
    return f"| {check.name} | {v:,.3g} | {check.figure} | {'yes' if met else '**no**'} |"


def table(facts: Facts, results: dict[str, ServerResult]) -> list[str]:
    """One row per target: the figure this run gives for it, and whether it meets it."""
    run = _Run(results)
    checks = [*_reads(run), *_imports(facts), *_serving(run)]
    lines = ["| target (issue 8) | this run | figure | met |", "|---|---:|---|---|"]
    lines += [_row(c) for c in checks]
    if facts.options.quick:
        lines += ["", "Quick mode: the thresholds are for the full-scale data; these rows only "
                  "show the harness reads every figure."]  # fmt: skip
    return lines
