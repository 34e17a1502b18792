"""The `gateway` command: serve, deliver, import, migrate, token, export-schema.

The app, the schema and the server are imported by the commands that use them, so
`gateway import` and `gateway migrate` do not pay for loading them (0.6 s of CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from gateway.auth import scopes
from gateway.auth.tokens import TokenVerifier, mint_token
from gateway.demo import DEMO_FILE
from gateway.environment import DELIVERY, ENVIRONMENT
from gateway.importer.progress import TerminalProgress
from gateway.importer.run import CatalogImportError, import_file
from gateway.migrations import ensure_schema_async, upgrade_reporting_async
from gateway.settings import LOG_VARIABLES, Settings, load_settings, log_options
from gateway.web import logs

DEMO_TOKEN_TTL = 12 * 3600
DATABASE = ("GATEWAY_DATABASE_URL",)
SIGNING = ("GATEWAY_PROFILE", "GATEWAY_JWT_SECRET", "GATEWAY_JWT_ALGORITHMS")


class UsageError(Exception):
    """A bad argument or configuration: exit code 2."""


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script's entry point."""
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit code."""
    args = _parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        logs.configure(*log_options())
    except ValueError as error:
        return _fail(f"configuration error: {error}", 2)
    try:
        return handler(args)
    except UsageError as error:
        return _fail(str(error), 2)
    except (OSError, SQLAlchemyError) as error:
        return _fail(f"database error: {error}", 1)


def _settings(*checks: Callable[[Settings], object]) -> Settings:
    """The environment's settings, with the token configuration (and `checks`) checked too."""
    try:
        settings = load_settings()
        TokenVerifier(settings)
        for check in checks:
            check(settings)
    except ValueError as error:
        raise UsageError(f"configuration error: {error}") from None
    return settings


def _fail(message: str, code: int) -> int:
    print(f"gateway: {message}", file=sys.stderr)
    return code


class _Help(argparse.RawDescriptionHelpFormatter):
    """Every option's default (or that it is required) after its help."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.required:
            return f"{action.help} (required)"
        if not action.option_strings or action.default is argparse.SUPPRESS:
            return str(action.help)
        shown = "none" if action.default is None else "%(default)s"
        shown = "off" if action.default is False else shown  # `is`: a default of 0 is not "off"
        return f"{action.help} (default: {shown})"


def _command(commands: Any, name: str, about: str, reads: Sequence[str]) -> Any:
    names = dict.fromkeys([*reads, *LOG_VARIABLES])  # every command logs (gateway/web/logs.py)
    lines = [f"  {n:<28} {ENVIRONMENT[n][1]} (default: {ENVIRONMENT[n][0]})" for n in names]
    epilog = "environment variables read:\n" + "\n".join(lines)
    return commands.add_parser(
        name, help=about, description=about, epilog=epilog, formatter_class=_Help
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description=__doc__.partition("\n")[0])
    version = importlib.metadata.version("segment-gateway")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve = _command(commands, "serve", "serve GraphQL over HTTP", tuple(ENVIRONMENT))
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.add_argument("--demo", action="store_true", help="import the demo data set first")
    serve.set_defaults(handler=_serve)
    about = "send pending webhook deliveries, without serving GraphQL"
    deliver = _command(commands, "deliver", about, (*DATABASE, *DELIVERY))
    deliver.set_defaults(handler=_deliver)
    reads = (*DATABASE, "GATEWAY_MAX_MIXINS_DEPTH")
    imports = _command(commands, "import", "import a catalog file (idempotent)", reads)
    imports.add_argument("file", help="the catalog, JSON in the contract's format")
    imports.add_argument(
        "--events",
        action="store_true",
        help="record a change event for every segment and assignment it creates or changes",
    )
    imports.set_defaults(handler=_import)
    migrate = _command(commands, "migrate", "create or upgrade the database schema", DATABASE)
    migrate.set_defaults(handler=_migrate)
    token = _command(commands, "token", "print a signed bearer token", SIGNING)
    token.add_argument("--tenant", required=True, help="the token's tenant")
    token.add_argument("--scope", required=True, help='space-separated, e.g. "S1 S2"')
    token.add_argument("--customer", help="customer id (required with segment_read_own)")
    token.add_argument("--legal-entity", help="legal entity id")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    token.set_defaults(handler=_token)
    export = _command(commands, "export-schema", "print the GraphQL schema (SDL)", ())
    export.set_defaults(handler=_export_schema)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from gateway.app import create_app
    from gateway.web.assets import fetch_assets
    from gateway.web.persisted.documents import persisted_documents
    from gateway.web.server import serve

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    settings = _settings(persisted_documents)  # a bad trusted-documents manifest stops here
    # Before any worker starts, so workers never race to create it.
    asyncio.run(ensure_schema_async(settings.database_url))
    demo = _import_demo(settings) if args.demo else None
    if settings.graphiql:
        fetch_assets(settings.asset_cache_dir, shutil.which("npm"))
    _announce(args, demo)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "server_header": False,
        "timeout_graceful_shutdown": 30,
    }
    # Each worker builds its app from the same environment.
    app = create_app(settings) if args.workers == 1 else "gateway.app:create_app"
    serve(app, settings, workers=args.workers, **options)
    return 0


def _import_demo(settings: Settings) -> tuple[str, dict[str, str]]:
    """Imports the demo data set; returns its tenant and tokens to try it with."""
    print(asyncio.run(import_file(settings.database_url, DEMO_FILE)))
    demo = json.loads(DEMO_FILE.read_text("utf-8"))
    tenant, customer = demo["tenant"], demo["customerAssignments"][0]["customerId"]
    customer_token = mint_token(
        settings, tenant=tenant, scopes=[scopes.READ_OWN], customer=customer,
        ttl_seconds=DEMO_TOKEN_TTL,
    )  # fmt: skip
    manager_token = mint_token(
        settings, tenant=tenant, scopes=[scopes.READ, scopes.MANAGE], subject="demo-manager",
        ttl_seconds=DEMO_TOKEN_TTL,
    )  # fmt: skip
    return tenant, {
        f"Customer token (customer {customer}, {scopes.READ_OWN})": customer_token,
        f"Manager token ({scopes.READ} {scopes.MANAGE})": manager_token,
    }


def _announce(args: argparse.Namespace, demo: tuple[str, dict[str, str]] | None) -> None:
    host = "127.0.0.1" if args.host in {"0.0.0.0", "::", ""} else args.host
    host = f"[{host}]" if ":" in host else host
    tenant = demo[0] if demo else "<tenant>"
    print(f"GraphiQL and GraphQL: http://{host}:{args.port}/{tenant}/graphql")
    for label, token in (demo[1] if demo else {}).items():
        print(f"{label}:\n{token}")
    if demo:
        print(
            "In development GraphiQL starts with a manager token; to act as someone else, paste "
            'one into its Headers tab: {"Authorization": "Bearer <token>"}'
        )
    sys.stdout.flush()


def _deliver(args: argparse.Namespace) -> int:
    from gateway.webhooks.service import deliver_forever

    settings = _settings()
    asyncio.run(ensure_schema_async(settings.database_url))
    print("Delivering webhooks until stopped (Ctrl-C or SIGTERM).", flush=True)
    asyncio.run(deliver_forever(settings))
    return 0


def _import(args: argparse.Namespace) -> int:
    settings = _settings()
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    try:
        report = asyncio.run(
            import_file(
                settings.database_url,
                args.file,
                limits=settings.limits,
                progress=progress,
                events=args.events,
            )
        )
    except CatalogImportError as error:
        return _fail(f"import refused, nothing was written:\n{error}", 1)
    except SQLAlchemyError as error:
        # Not str(error): it holds the statement and its parameters, i.e. the file's data.
        cause = getattr(error, "orig", None) or error
        reason = (str(cause).strip().splitlines() or [""])[0]
        message = f"{type(cause).__name__}: {reason}" if reason else type(cause).__name__
        return _fail(f"import failed in the database, nothing was written: {message}", 1)
    print(report)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    before, after = asyncio.run(upgrade_reporting_async(settings.database_url))
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    if before == after:
        print(f"{shown} is already at revision {after}, the latest: nothing to do.")
    else:
        print(f"Migrated {shown} from {before or 'an empty schema'} to revision {after}.")
    return 0


def _token(args: argparse.Namespace) -> int:
    settings = _settings()
    granted = args.scope.split()
    _check_token_request(settings, args, granted)
    token = mint_token(
        settings,
        tenant=args.tenant,
        scopes=granted,
        customer=args.customer,
        legal_entity=args.legal_entity,
        ttl_seconds=args.ttl,
    )
    print(token)
    return 0


def _check_token_request(settings: Settings, args: argparse.Namespace, granted: list[str]) -> None:
    from gateway.web.view import TENANT

    if not TENANT.fullmatch(args.tenant):
        raise UsageError(
            f"--tenant {args.tenant!r}: 3 to 16 lowercase letters or digits, starting with a letter"
        )
    unknown = [s for s in granted if s not in scopes.ALL]
    if unknown or not granted:
        given = " ".join(unknown) or "(empty)"
        raise UsageError(f"--scope: unknown {given}; known: {' '.join(scopes.ALL)}")
    if scopes.READ_OWN in granted and not args.customer:
        raise UsageError(f"--customer is required with {scopes.READ_OWN}")
    if args.ttl <= 0:
        raise UsageError("--ttl must be a positive number of seconds")
    if "HS256" not in settings.jwt_algorithms:
        raise UsageError(
            "this gateway does not accept HS256 tokens (GATEWAY_JWT_ALGORITHMS), "
            "and `gateway token` signs with GATEWAY_JWT_SECRET"
        )


def _export_schema(args: argparse.Namespace) -> int:
    from gateway.schema import export_sdl

    sys.stdout.write(export_sdl())
    return 0
