"""What `gateway --help`, `CMD --help` and `--version` tell an operator."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest

from gateway.cli import run
from gateway.environment import ENVIRONMENT
from gateway.settings import LOG_VARIABLES, load_settings


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        run([*argv, "--help"])
    assert exited.value.code == 0
    # argparse wraps long lines: compare with single spaces.
    return " ".join(capsys.readouterr().out.split())


def test_version_prints_the_installed_package_version(capsys):
    # when
    with pytest.raises(SystemExit) as exited:
        run(["--version"])
    # then
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"gateway {importlib.metadata.version('segment-gateway')}\n"


def test_the_top_level_help_lists_every_command_and_version(capsys):
    # when
    shown = _help(capsys)
    # then
    for command in ("serve", "import", "migrate", "token", "export-schema", "--version"):
        assert command in shown


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (
            "serve",
            [
                "--host HOST address to listen on (default: 127.0.0.1)",
                "--port PORT port to listen on (default: 8000)",
                "--workers WORKERS worker processes (default: 1)",
                "--demo import the demo data set first (default: off)",
            ],
        ),
        (
            "token",
            [
                "--tenant TENANT the token's tenant (required)",
                '--scope SCOPE space-separated, e.g. "S1 S2" (required)',
                "--customer CUSTOMER customer id (required with segment_read_own) (default: none)",
                "--legal-entity LEGAL_ENTITY legal entity id (default: none)",
                "--ttl TTL lifetime in seconds (default: 3600)",
            ],
        ),
        (
            "import",
            [
                "file the catalog, JSON in the contract's format",
                "--events record a change event for every segment and assignment it creates or "
                "changes (default: off)",
            ],
        ),
    ],
)
def test_every_option_shows_its_default(capsys, command, options):
    # when
    shown = _help(capsys, command)
    # then
    for option in options:
        assert option in shown


@pytest.mark.parametrize(
    ("command", "variables"),
    [
        ("serve", list(ENVIRONMENT)),
        ("import", ["GATEWAY_DATABASE_URL", "GATEWAY_MAX_MIXINS_DEPTH", *LOG_VARIABLES]),
        ("migrate", ["GATEWAY_DATABASE_URL", *LOG_VARIABLES]),
        (
            "token",
            ["GATEWAY_PROFILE", "GATEWAY_JWT_SECRET", "GATEWAY_JWT_ALGORITHMS", *LOG_VARIABLES],
        ),
        # Every command logs, so every one reads how.
        ("export-schema", list(LOG_VARIABLES)),
    ],
)
def test_every_command_names_the_variables_it_reads_with_their_defaults(capsys, command, variables):
    # when
    shown = _help(capsys, command)
    # then
    assert "environment variables read:" in shown
    for name in variables:
        default, meaning = ENVIRONMENT[name]
        assert " ".join(f"{name} {meaning} (default: {default})".split()) in shown
    unread = set(ENVIRONMENT) - set(variables)
    assert not [name for name in unread if f"{name} " in shown]


class _Recording(dict[str, str]):
    def __init__(self) -> None:
        super().__init__()
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)


def test_the_help_lists_exactly_the_variables_the_settings_read():
    # given
    environment = _Recording()
    # when
    load_settings(environment)
    # then
    assert environment.read == set(ENVIRONMENT)
