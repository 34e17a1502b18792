"""JavaScript clients from the npm registry, installed into a test's folder, and run with node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def install(folder: Path, packages: list[str]) -> Path:
    """`npm install` of the pinned packages into `folder`; skips the test without npm or node."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip(f"npm and node are not installed, so {', '.join(packages)} cannot run")
    command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(folder)]
    done = subprocess.run([*command, *packages], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"npm could not install {packages}: {done.stderr.strip()[-300:]}")
    return folder


def run_script(folder: Path, script: Path, payload: Any) -> Any:
    """Runs a script of ours beside the installed packages: JSON on stdin, JSON from stdout."""
    copy = folder / script.name
    shutil.copy(script, copy)
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(copy)], input=json.dumps(payload), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
