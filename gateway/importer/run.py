"""The idempotent catalog import: everything validated and written in one transaction, so
a file with any problem writes nothing."""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.importer.batches import Batches
from gateway.importer.fields import CatalogImportError
from gateway.importer.format import languages_of, tenant_of
from gateway.importer.reading import Progress, Reading, quiet
from gateway.importer.report import Counts, ImportReport
from gateway.importer.source import DocumentSource, Source, open_source
from gateway.importer.write import analyze_tables
from gateway.migrations import ensure_schema_async, has_tables_async
from gateway.settings import Limits
from gateway.store.columns import utcnow
from gateway.store.database import conflict_insert, create_engine, session_factory, transaction
from gateway.store.tables import metadata
from gateway.store.writes import bump_data_version

__all__ = ["CatalogImportError", "Counts", "ImportReport", "import_document", "import_file"]

DEFAULT_LIMITS = Limits()
IMPORT_STATEMENT_TIMEOUT_MS = 600_000
IMPORT_WORK_MEM = "64MB"


TENANTS = metadata.tables["tenant"]
CATEGORY_TABLE = metadata.tables["category"]


def read_import_file(path: str | PathLike[str]) -> Any:
    """The file's JSON, all in memory; unreadable or malformed files are a CatalogImportError.

    Only for files the streaming reader refuses: it gives json's own messages."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogImportError(f"{path}: cannot be read ({error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogImportError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        # The parser recurses per level; no entry of the file needs anywhere near this.
        raise CatalogImportError(
            f"{path}: arrays or objects are nested too deeply to read "
            f"(mixins may be at most {Limits.max_mixins_depth} levels deep by default)"
        ) from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise CatalogImportError(f"{path}: not valid JSON: {error}") from None


async def import_file(
    database_url: str,
    path: str | PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    events: bool = False,
) -> ImportReport:
    """Import a catalog file, streamed; an empty SQLite database gets its schema first.

    `progress(phase, records)` is called as the import goes: the list being read (or
    "writing" once all are) and how many records were read so far. `events`: record the
    change events of the segments and assignments it creates or changes."""
    source = open_source(path, read_import_file)
    _header(source)
    # A server database is migrated on purpose (`gateway migrate`), never as a side effect.
    if not await ensure_schema_async(database_url) and not await has_tables_async(database_url):
        raise CatalogImportError("the database has no tables yet: run `gateway migrate` first")
    # One statement writes a whole list (500,000 rows take seconds): not the API's timeout.
    engine = create_engine(database_url, statement_timeout_ms=IMPORT_STATEMENT_TIMEOUT_MS)
    try:
        return await _import(session_factory(engine), source, limits, progress, events)
    finally:
        await engine.dispose()


async def import_document(
    sessions: async_sessionmaker[AsyncSession],
    doc: Any,
    *,
    limits: Limits = DEFAULT_LIMITS,
    events: bool = False,
) -> ImportReport:
    """Validate the whole document, then write it in one transaction; nothing on any error."""
    return await _import(sessions, DocumentSource(doc), limits, events=events)


def _header(source: Source) -> tuple[str, str | None, tuple[str, ...] | None]:
    tenant = tenant_of(source.header)
    default, languages = languages_of(source.header)
    return tenant, default, languages


async def _import(
    sessions: async_sessionmaker[AsyncSession],
    source: Source,
    limits: Limits,
    progress: Progress | None = None,
    events: bool = False,
) -> ImportReport:
    tenant, default, languages = _header(source)
    async with transaction(sessions) as session:
        await _lock(session, tenant)
        await _tune(session)
        stored_default, stored_languages = await _stored_languages(session, tenant)
        reading = Reading(
            tenant,
            languages or stored_languages,
            await _stored_parents(session, tenant),
            limits.max_mixins_depth,
            progress or quiet,
        )
        batches = Batches(session, tenant, utcnow(), reading.clean, events)
        report = await _load(session, source, reading, batches)
        if languages is not None and (default, languages) != (stored_default, stored_languages):
            await _write_tenant(session, tenant, default, languages)
        await analyze_tables(session, sorted(batches.created, key=lambda table: table.name))
        if batches.changes is not None:
            # Each page of events raises the data version once more (import_changes).
            report.events = await batches.changes.record()
            await batches.changes.drop()
        await bump_data_version(session, tenant=tenant, catalog=True)
        # On any error the rollback takes the staging tables with it.
        await batches.stage.drop()
        return report


async def _load(
    session: AsyncSession, source: Source, reading: Reading, batches: Batches
) -> ImportReport:
    """Every record read, staged and written through the batches; what they changed."""
    await batches.start()
    try:
        await reading.read(source, batches, session)
    except BaseException:
        await batches.close()
        raise
    reading.progress("writing", reading.records)
    report = await batches.finish()
    reading.check(batches.duplicates)
    return report


async def _lock(session: AsyncSession, tenant: str) -> None:
    # Two imports of one tenant at once would both see a record as new; let one wait.
    if session.get_bind().dialect.name == "postgresql":
        key = sa.func.hashtext(sa.literal(f"gateway-import:{tenant}"))
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


async def _tune(session: AsyncSession) -> None:
    # For this transaction only: its few statements each sort or hash up to 500,000 rows
    # (in memory, not in batches on disk), and JIT compiling them costs more (0.2 s on the
    # duplicates query) than it saves.
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.text(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'"))
        await session.execute(sa.text("SET LOCAL jit = off"))


async def _stored_languages(
    session: AsyncSession, tenant: str
) -> tuple[str | None, tuple[str, ...] | None]:
    stored = await session.execute(
        sa.select(TENANTS.c.default_language, TENANTS.c.languages).where(TENANTS.c.tenant == tenant)
    )
    default, languages = stored.one_or_none() or (None, None)
    return default, tuple(languages) if languages is not None else None


async def _stored_parents(session: AsyncSession, tenant: str) -> dict[str, str | None]:
    table = CATEGORY_TABLE
    parents = await session.execute(
        sa.select(table.c.id, table.c.parent_id).where(table.c.tenant == tenant)
    )
    return {id: parent for id, parent in parents}


async def _write_tenant(
    session: AsyncSession, tenant: str, default: str | None, languages: tuple[str, ...]
) -> None:
    statement = conflict_insert(session, TENANTS)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TENANTS.c.tenant],
            set_={name: statement.excluded[name] for name in ("default_language", "languages")},
        ),
        {"tenant": tenant, "default_language": default, "languages": list(languages)},
    )
