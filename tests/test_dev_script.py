"""`./dev`: which lock each command installs, and what the first run says (DEV_DRY_RUN)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("dev", "requirements.lock", "requirements-dev.lock", "pyproject.toml")


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The dev script and what it reads, with no .venv yet."""
    for name in COPIED:
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def _dev(checkout: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DEV_DRY_RUN": "1"}
    command = ["bash", str(checkout / "dev"), *argv]
    return subprocess.run(command, capture_output=True, text=True, env=environment, check=False)


def _installed(checkout: Path, marker: str) -> None:
    """A .venv as an earlier run left it, marked as installed from one lock."""
    for name in ("python", "gateway"):
        (checkout / ".venv" / "bin").mkdir(parents=True, exist_ok=True)
        (checkout / ".venv" / "bin" / name).touch(mode=0o755)
    (checkout / ".venv" / marker).touch()


def _lock_of(ran: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split(" -r ")[1] for line in ran.stdout.splitlines() if " -r " in line]


def test_demo_installs_only_what_serving_needs(checkout):
    # when
    ran = _dev(checkout, "demo", "--port", "9000")
    # then
    assert ran.returncode == 0
    assert _lock_of(ran) == ["requirements.lock"]
    assert ran.stdout.splitlines()[-1] == "+ exec .venv/bin/gateway serve --demo --port 9000"


def test_test_installs_the_dev_lock(checkout):
    # when
    ran = _dev(checkout, "test", "-x")
    # then
    assert ran.returncode == 0
    assert _lock_of(ran) == ["requirements-dev.lock"]
    assert ran.stdout.splitlines()[-1] == "+ exec .venv/bin/python -m pytest -x"


def test_the_first_run_says_what_it_does_while_creating_the_environment(checkout):
    # when
    ran = _dev(checkout, "demo")
    # then
    said = ran.stderr.splitlines()
    assert said[0].startswith("./dev: first run: creating .venv with python")
    assert said[1].startswith("./dev: installing ") and "from requirements.lock" in said[1]
    assert said[-1] == "./dev: .venv is ready"
    assert "-m venv .venv" in ran.stdout


def test_a_current_environment_is_not_installed_again(checkout):
    # given
    _installed(checkout, ".installed-serve")
    # when
    ran = _dev(checkout, "demo")
    # then
    assert ran.stderr == ""
    assert ran.stdout == "+ exec .venv/bin/gateway serve --demo\n"


def test_test_after_demo_adds_the_test_tools_without_a_new_environment(checkout):
    # given
    _installed(checkout, ".installed-serve")
    # when
    ran = _dev(checkout, "test")
    # then
    assert _lock_of(ran) == ["requirements-dev.lock"]
    assert "-m venv" not in ran.stdout and "first run" not in ran.stderr


def test_demo_after_test_needs_nothing_more(checkout):
    # given
    _installed(checkout, ".installed")
    # when
    ran = _dev(checkout, "demo")
    # then
    assert _lock_of(ran) == []


def test_a_changed_lock_is_installed_again(checkout):
    # given
    _installed(checkout, ".installed-serve")
    os.utime(checkout / ".venv" / ".installed-serve", (1, 1))
    # when
    ran = _dev(checkout, "demo")
    # then
    assert _lock_of(ran) == ["requirements.lock"]


def test_the_dev_lock_pins_everything_the_serving_lock_pins():
    # given: why an environment from the dev lock also serves
    def pins(name: str) -> set[str]:
        lines = (ROOT / name).read_text("utf-8").splitlines()
        return {line.split(" ")[0] for line in lines if line[:1].isalpha()}

    # then
    assert pins("requirements.lock") <= pins("requirements-dev.lock")


def test_an_unknown_command_prints_the_usage_and_exits_2(checkout):
    # when
    ran = _dev(checkout, "bogus")
    # then
    assert ran.returncode == 2
    assert ran.stderr.startswith("usage: ./dev demo")
    assert _lock_of(ran) == []
