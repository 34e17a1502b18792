"""`gateway import` run as a child process, and large catalog files written as a stream."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from gateway.migrations import upgrade_async

ROOT = Path(__file__).resolve().parents[2]


def migrated_sqlite(directory: Path) -> str:
    """The URL of a SQLite database with the schema (so no child logs its creation)."""
    url = f"sqlite+aiosqlite:///{directory / 'gateway.db'}"
    asyncio.run(upgrade_async(url))
    return url


def write_catalog(path: Path, assignments: int, products: int = 100, tenant: str = "demo") -> int:
    """A valid file with `assignments` customer and as many item assignments (the products
    spread over as many segments as it takes), written entry by entry; its record count."""
    segments = assignments // products + 1
    with path.open("w", encoding="utf-8") as out:
        out.write(f'{{"tenant": "{tenant}", "defaultLanguage": "en", "languages": ["en"],')
        out.write(' "categories": [{"id": "c0", "code": "C0"}],')
        _list(out, "products", ({"id": f"p{n}", "code": f"P{n}"} for n in range(products)))
        out.write(",")
        named = {"name": {"en": "S"}, "siteCode": "main"}
        _list(out, "segments", ({"id": f"s{n}", **named} for n in range(segments)))
        out.write(",")
        customers = ({"segmentId": "s0", "customerId": f"u{n}"} for n in range(assignments))
        _list(out, "customerAssignments", customers)
        out.write(",")
        items = (
            {"segmentId": f"s{n // products}", "type": "PRODUCT", "itemId": f"p{n % products}",
             "mixins": {"n": n}}
            for n in range(assignments)
        )  # fmt: skip
        _list(out, "itemAssignments", items)
        out.write("}")
    return 1 + products + segments + 2 * assignments


def _list(out: IO[str], key: str, entries: Any) -> None:
    out.write(f' "{key}": [')
    for index, entry in enumerate(entries):
        out.write(("," if index else "") + json.dumps(entry))
    out.write("]")


@dataclass
class Run:
    code: int
    out: str
    peak_mb: float  # the child's maximum resident set


def gateway_import(
    path: Path, database_url: str, stderr: Any, setup: str = "", options: Sequence[str] = ()
) -> Run:
    """`gateway import [OPTIONS] PATH` in a child process (after the Python statements
    `setup`), its standard error going to the file `stderr`."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
        "PYTHONPATH": str(ROOT),
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_JWT_SECRET": "a-test-secret-of-at-least-32-bytes!!",
    }
    command = f"{setup}\nfrom gateway.cli import main\nmain()"
    child = subprocess.Popen(
        [sys.executable, "-c", command, "import", *options, str(path)],
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    assert child.stdout is not None
    out = child.stdout.read().decode()
    child.stdout.close()
    # wait4, not wait: the child's own rusage, whose ru_maxrss is its peak (in KiB on Linux)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(child.returncode, out, usage.ru_maxrss / 1024)
