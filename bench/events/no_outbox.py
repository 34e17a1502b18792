"""The baseline server: `gateway` with the outbox's cost removed, for this bench only.

    python -m bench.events.no_outbox serve --port P

`gateway.events.outbox.record` becomes a no-op before the commands that call it are
imported, so a write records no events: no change_event INSERT, no webhook_delivery
fan-out, no NOTIFY. Everything else is the gateway as shipped, so the gateway's code needs
no switch for it. The bench checks that a baseline run left change_event empty.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from gateway.events import outbox


def _record_nothing(session: Any, tenant: str, events: Sequence[Any]) -> None:
    """The baseline's record: the events a command built are dropped."""


def patch() -> None:
    original = outbox.record
    outbox.record = _record_nothing
    # Any module that imported the name already gets the no-op too.
    for module in list(sys.modules.values()):
        if getattr(module, "record", None) is original:
            module.record = _record_nothing  # type: ignore[attr-defined]


if __name__ == "__main__":
    patch()
    from gateway.cli import main

    main(sys.argv[1:])
