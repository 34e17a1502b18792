"""Prometheus metrics: GraphQL requests by operation type and status, errors by code."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from gateway.errors import ErrorCode

# Labels stay low-cardinality on purpose: no tenant, customer or operation names.
OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})
ERROR_CODES = frozenset(code.value for code in ErrorCode)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One registry per app, so several apps in one process never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        self.requests = Counter(
            "gateway_graphql_requests",
            "GraphQL HTTP requests by operation type and HTTP status.",
            ["operation_type", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gateway_graphql_request_duration_seconds",
            "Time to answer a GraphQL HTTP request, by operation type.",
            ["operation_type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "gateway_graphql_errors",
            "GraphQL errors sent to clients, by error code.",
            ["code"],
            registry=self.registry,
        )

        self.cache_lookups = Counter(
            "gateway_response_cache_lookups",
            "Query answers looked up in the response cache, by result (hit or miss).",
            ["result"],
            registry=self.registry,
        )

    def observe(self, operation_type: str | None, status: int, seconds: float) -> None:
        kind = operation_type if operation_type in OPERATION_TYPES else "none"
        self.requests.labels(kind, str(status)).inc()
        self.latency.labels(kind).observe(seconds)

    def count_errors(self, codes: Iterable[object]) -> None:
        for code in codes:
            self.errors.labels(code if code in ERROR_CODES else "OTHER").inc()

    def count_cache_lookup(self, *, hit: bool) -> None:
        self.cache_lookups.labels("hit" if hit else "miss").inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
