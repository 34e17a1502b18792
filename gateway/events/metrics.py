"""The count of events committed, kept where the outbox writes them.

One counter per process, not per app: it is counted on commit, which no app sees. Each
app's metrics registry registers it (web/metrics.py); under several workers it is summed
from their files like every other series.
"""

from __future__ import annotations

from prometheus_client import Counter

EVENTS_WRITTEN = Counter(
    "gateway_events_written",
    "Change events committed to the outbox, by event type.",
    ["type"],
    registry=None,
)
