"""The `gateway` command as an operator uses it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jwt
import pytest
import sqlalchemy as sa

from gateway.auth import scopes
from gateway.auth.tokens import TokenVerifier
from gateway.cli import run
from gateway.settings import load_settings
from tests.web.conftest import fake_asset_cache

ROOT = Path(__file__).resolve().parents[1]
SECRET = "cli-test-secret-0123456789abcdefghijkl"


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A clean gateway environment: a fresh SQLite file, a known secret."""
    for name in list(os.environ):
        if name.startswith("GATEWAY_"):
            monkeypatch.delenv(name)
    values = {
        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "GATEWAY_JWT_SECRET": SECRET,
        "GATEWAY_ASSET_CACHE_DIR": str(fake_asset_cache(tmp_path / "assets")),
        # On stderr these tests read the command's output, not the log (Alembic's INFO lines).
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def test_token_prints_a_token_the_gateway_accepts(environment, capsys):
    # when
    code = run(
        [
            "token", "--tenant", "shop1", "--scope", f"{scopes.READ_OWN} {scopes.MANAGE}",
            "--customer", "c-7", "--legal-entity", "le-2", "--ttl", "600",
        ]
    )  # fmt: skip
    # then
    token = capsys.readouterr().out.strip()
    assert code == 0
    principal = TokenVerifier(load_settings()).verify(token)
    assert principal.tenant == "shop1"
    assert principal.scopes == {scopes.READ_OWN, scopes.MANAGE}
    assert (principal.customer_id, principal.legal_entity_id) == ("c-7", "le-2")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 600


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--tenant", "Shop", "--scope", scopes.READ], "--tenant 'Shop'"),
        (["--tenant", "shop1", "--scope", "read"], "--scope: unknown read"),
        (["--tenant", "shop1", "--scope", " "], "--scope: unknown (empty)"),
        (["--tenant", "shop1", "--scope", scopes.READ_OWN], "--customer is required"),
        (["--tenant", "shop1", "--scope", scopes.READ, "--ttl", "0"], "--ttl must be positive"),
    ],
)
def test_token_refuses_bad_arguments_with_exit_2(environment, capsys, arguments, message):
    # when
    code = run(["token", *arguments])
    # then
    output = capsys.readouterr()
    assert code == 2
    assert output.out == ""
    assert message.replace(" positive", "") in output.err


def test_a_bad_configuration_is_exit_2_and_named(environment, capsys, monkeypatch):
    # given
    monkeypatch.setenv("GATEWAY_PROFILE", "staging")
    # when
    code = run(["token", "--tenant", "shop1", "--scope", scopes.READ])
    # then
    assert code == 2
    assert "configuration error: GATEWAY_PROFILE" in capsys.readouterr().err


def test_export_schema_prints_schema_graphql(capsys):
    # when
    code = run(["export-schema"])
    # then
    assert code == 0
    assert capsys.readouterr().out == (ROOT / "schema.graphql").read_text("utf-8")


def test_migrate_creates_the_schema(environment, capsys):
    # when
    code = run(["migrate"])
    # then
    assert code == 0
    assert "from an empty schema to revision" in capsys.readouterr().out
    database = environment["GATEWAY_DATABASE_URL"].replace("+aiosqlite", "")
    tables = sa.inspect(sa.create_engine(database)).get_table_names()
    assert {"segment", "item_assignment", "customer_assignment"} <= set(tables)


def test_import_reports_what_it_wrote(environment, tmp_path, capsys):
    # given
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        '{"tenant": "shop1", "defaultLanguage": "en", "languages": ["en"],'
        ' "products": [{"id": "p1", "code": "p1"}]}'
    )
    # when
    code = run(["import", str(catalog)])
    # then
    assert code == 0
    assert 'Imported tenant "shop1"' in capsys.readouterr().out


def test_import_shows_its_progress_on_a_terminal_only(environment, tmp_path, capsys, monkeypatch):
    # given
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        '{"tenant": "shop1", "defaultLanguage": "en", "languages": ["en"],'
        ' "products": [{"id": "p1", "code": "p1"}, {"id": "p2", "code": "p2"}]}'
    )
    # when: not a terminal
    assert run(["import", str(catalog)]) == 0
    # then
    assert capsys.readouterr().err == ""
    # when: a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert run(["import", str(catalog)]) == 0
    # then: one line, rewritten in place, ending when the writing starts
    shown = capsys.readouterr().err
    assert shown.startswith("\r") and shown.endswith("\n")
    assert "writing: 2 records read" in shown.split("\r")[-1]


def test_import_of_a_broken_file_is_exit_1_and_says_why(environment, tmp_path, capsys):
    # given
    catalog = tmp_path / "catalog.json"
    catalog.write_text('{"tenant": ')
    # when
    code = run(["import", str(catalog)])
    # then
    assert code == 1
    error = capsys.readouterr().err
    assert "import refused, nothing was written" in error and "not valid JSON" in error


def test_an_unknown_command_is_exit_2(capsys):
    # when
    with pytest.raises(SystemExit) as exited:
        run(["frobnicate"])
    # then
    assert exited.value.code == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "gateway serve exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("gateway serve did not become healthy")


def _printed_token(output: str, label: str) -> str:
    lines = output.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(label))
    return lines[index + 1].strip()


def test_serve_demo_answers_with_the_printed_token(environment, tmp_path):
    # given
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    command = [sys.executable, "-m", "gateway", "serve", "--demo", "--port", str(port)]
    env = {**os.environ, "GATEWAY_LOG_LEVEL": "INFO"}  # uvicorn's shutdown lines are INFO
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, cwd=tmp_path, env=env)
    try:
        _wait_until_healthy(base, process, seconds=90)
        # when
        printed = out.read_text()
        token = _printed_token(printed, "Customer token")
        answer = httpx.post(
            f"{base}/demo/graphql",
            json={"query": "{ segments { items { id } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        page = httpx.get(f"{base}/demo/graphql", headers={"Accept": "text/html"})
    finally:
        process.terminate()
        process.wait(timeout=30)
    # then
    assert f"GraphiQL and GraphQL: {base}/demo/graphql" in printed
    assert answer.status_code == 200
    assert "hobby" in [s["id"] for s in answer.json()["data"]["segments"]["items"]]
    assert "server" not in answer.headers
    assert answer.headers["x-request-id"]
    assert "/_graphiql/assets/" in page.text
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in err.read_text()


def _catalog(tmp_path: Path, mixins: str = "{}") -> Path:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        '{"tenant": "shop1", "defaultLanguage": "en", "languages": ["en"], "segments": '
        f'[{{"id": "s1", "name": {{"en": "S"}}, "siteCode": "main", "mixins": {mixins}}}]}}'
    )
    return catalog


@pytest.mark.parametrize(
    ("mixins", "message"),
    [
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply to read"),
        ('{"a": "x\\u0000"}', "segments[0]: mixins.a contains the NUL character (U+0000)"),
        ('{"a": NaN}', "segments[0]: mixins.a is not a finite number"),
    ],
    ids=["deep", "nul", "nan"],
)
def test_import_of_an_unstorable_file_is_exit_1_without_a_traceback(
    environment, tmp_path, capsys, mixins, message
):
    # when
    code = run(["import", str(_catalog(tmp_path, mixins))])
    # then
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith("gateway: import refused, nothing was written:\n")
    assert message in error and "Traceback" not in error


REFUSE_SEGMENTS = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON segment "
        "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'refused by a trigger'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON segment FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
DROP_REFUSAL = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgresql": ["DROP TRIGGER refuse ON segment", "DROP FUNCTION refuse()"],
}


async def _run_sql(db, statements):
    async with db.engine.begin() as connection:
        for statement in statements:
            await connection.execute(sa.text(statement))


async def test_import_failing_in_the_database_prints_no_sql_and_no_data(
    environment, db, tmp_path, capsys, monkeypatch
):
    # given: a database that refuses every new segment
    monkeypatch.setenv("GATEWAY_DATABASE_URL", db.url)
    await _run_sql(db, REFUSE_SEGMENTS[db.dialect])
    catalog = _catalog(tmp_path, '{"secret": "s3cr3t-value"}')
    try:
        # when
        code = await asyncio.to_thread(run, ["import", str(catalog)])
    finally:
        await _run_sql(db, DROP_REFUSAL[db.dialect])
    # then
    error = capsys.readouterr().err
    assert code == 1
    assert error.startswith("gateway: import failed in the database, nothing was written: ")
    assert "refused by a trigger" in error
    for leaked in ("INSERT", "[SQL", "s3cr3t-value", "[parameters", "Traceback"):
        assert leaked not in error
