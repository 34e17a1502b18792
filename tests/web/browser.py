"""A headless Chromium driven over the DevTools protocol, and the app on a real port for it."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.sync.client import ClientConnection, connect

from tests.web.live import free_port

WAIT_SECONDS = 30.0


class Page:
    """One browser tab: evaluates JavaScript and waits for conditions in it."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self.base = ""  # the URL of the server the test points the tab at

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        self._socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=WAIT_SECONDS))
            if message.get("id") == ident:
                assert "error" not in message, message
                return dict(message["result"])

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        """The expression's first truthy value; fails naming `what` after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        body = self.evaluate("document.body ? document.body.innerText : ''")
        pytest.fail(f"the page never showed {what}; it showed:\n{str(body)[:2000]}")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install chromium): no browser test")
    return found


@contextmanager
def browser_page(profile: Path) -> Iterator[Page]:
    """A headless Chromium with one blank tab; closed afterwards."""
    command = [
        chromium(),
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port = _devtools_port(profile)
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(url, max_size=None, open_timeout=10) as socket:
            yield Page(socket)
    finally:
        process.kill()
        process.wait(timeout=10)


def _devtools_port(profile: Path) -> int:
    # Chromium writes the port it picked for --remote-debugging-port=0 into this file.
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if marker.is_file() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        time.sleep(0.1)
    pytest.fail("chromium did not open its DevTools port")


@contextmanager
def listening(app: Starlette) -> Iterator[str]:
    """The app served by uvicorn on a free local port, in a thread; its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_SECONDS)
