"""Prometheus metrics: GraphQL requests by operation type and status, errors by code.

Under `gateway serve --workers N` every worker writes its samples to files in the directory
named by PROMETHEUS_MULTIPROC_DIR (prometheus-client's multiprocess mode, chosen when the
library is first imported), and a scrape, whichever worker answers it, sums them all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.errors import ErrorCode
from gateway.events.metrics import EVENTS_WRITTEN

# Labels stay low-cardinality on purpose: no tenant, customer or operation names.
OPERATION_TYPES = frozenset({"query", "mutation", "subscription"})
ERROR_CODES = frozenset(code.value for code in ErrorCode)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# From an event's commit to its receiver's 2xx: retries make minutes and hours.
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 600.0, 3600.0, 36000.0)
DELIVERY_OUTCOMES = ("delivered", "retried", "failed")
# prometheus-client's own variable, read at its import: set it before a worker starts.
SHARED_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def shared_dir() -> str | None:
    """The directory the workers of one server share their samples in; None in one process."""
    return os.environ.get(SHARED_DIR_VARIABLE) or None


class Metrics:
    """One registry per app, so several apps in one process never share counters.

    A Gauge added here needs a `multiprocess_mode` ("livesum" for what live workers hold),
    so that a scrape under several workers still gives one value.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.shared_dir = shared_dir()
        # The process_* series describe one process; summed over workers they would mean
        # nothing, and a scrape would show whichever worker answered.
        if self.shared_dir is None:
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

        self.registry.register(EVENTS_WRITTEN)
        self.deliveries = Counter(
            "gateway_webhook_deliveries",
            "Webhook delivery attempts by outcome: delivered (2xx), retried (to be sent "
            "again), failed (the retry schedule ran out).",
            ["outcome"],
            registry=self.registry,
        )
        self.delivery_latency = Histogram(
            "gateway_webhook_delivery_latency_seconds",
            "Time from an event's commit to its receiver's 2xx answer.",
            buckets=DELIVERY_BUCKETS,
            registry=self.registry,
        )
        self.sockets = Gauge(
            "gateway_subscription_sockets",
            "GraphQL subscription WebSockets connected now.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        for outcome in DELIVERY_OUTCOMES:  # each shows from the start, at 0
            self.deliveries.labels(outcome)

    # The delivery worker's observer (gateway/webhooks/worker.py).
    def delivered(self, seconds_since_commit: float) -> None:
        self.deliveries.labels("delivered").inc()
        self.delivery_latency.observe(max(0.0, seconds_since_commit))

    def retried(self) -> None:
        self.deliveries.labels("retried").inc()

    def failed(self) -> None:
        self.deliveries.labels("failed").inc()

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
        if self.shared_dir is None:
            return generate_latest(self.registry)
        every_worker = CollectorRegistry()
        # prometheus-client leaves its multiprocess module unannotated.
        MultiProcessCollector(every_worker, path=self.shared_dir)  # type: ignore[no-untyped-call]
        return generate_latest(every_worker)
