"""Where the import's entries come from: a file read as a stream, or a document in memory.

A file is read in passes with ijson (its C backend): one for the top level (tenant,
languages, which lists there are), then one per list, so memory holds one entry at a time
and never the whole file, and the lists are read in the order their problems are reported.

Each entry comes with `clean`: True when no byte read so far could have put NUL or a lone
surrogate into a string (only the escapes \\u0000 and unpaired \\udXXX can, since ijson
refuses raw control characters, invalid UTF-8, NaN and Infinity), so the entry needs no
check of its text, the most expensive check of the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

import ijson  # type: ignore[import-untyped]

from gateway.importer.fields import CatalogImportError
from gateway.importer.format import LISTS, checked_top_level

BUFFER = 1 << 20
# NUL (escaped or raw), a high surrogate not followed by a low one, a low one not preceded
# by a high one. A match may be a false alarm (an escaped backslash before "u0000", a pair
# cut by the end of a read): then later entries are merely checked the slow way.
_UNSAFE = re.compile(
    rb"\\u0000|\x00|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_OVERLAP = 11  # bytes of the previous read scanned again: an escape cut in two is seen


class Source:
    """The top-level values of a file (lists stand in as empty lists) and its entries."""

    def __init__(self, header: dict[str, Any]) -> None:
        self.header = checked_top_level(header)

    def entries(self, key: str) -> Iterator[tuple[str, Any, bool]]:
        """(where, entry, clean) of each entry of the list `key`."""
        raise NotImplementedError

    def _checked(self, key: str) -> bool:
        raw = self.header.get(key)
        if raw is None:
            return False
        if not isinstance(raw, list):
            raise CatalogImportError(f"{key} must be a list")
        return True


class DocumentSource(Source):
    """A document already in memory (import_document, or a file only json can read)."""

    def __init__(self, document: Any) -> None:
        super().__init__(document)
        self.document = document

    def entries(self, key: str) -> Iterator[tuple[str, Any, bool]]:
        if not self._checked(key):
            return iter(())
        # Built by anyone, of any Python values: every entry is checked.
        return ((f"{key}[{index}]", raw, False) for index, raw in enumerate(self.document[key]))


class FileSource(Source):
    """A file, streamed: each list is read again from the start of the file in its pass,
    and only as far as the header pass saw the list end."""

    def __init__(self, path: Path, header: dict[str, Any], ends: dict[str, int]) -> None:
        super().__init__(header)
        self.path, self.ends = path, ends

    def entries(self, key: str) -> Iterator[tuple[str, Any, bool]]:
        if not self._checked(key):
            return
        with self.path.open("rb") as raw_file:
            file = _Counting(raw_file, self.ends.get(key))
            items = ijson.items(file, f"{key}.item", use_float=True, buf_size=BUFFER)
            index = 0
            try:
                for raw in items:
                    # Every byte of this entry has been read (and scanned) by now.
                    yield f"{key}[{index}]", raw, not file.unsafe
                    index += 1
            except ijson.JSONError:
                # The whole file was read once without error: an error here comes from
                # stopping after the list, all of whose entries were read by then.
                if not file.stopped:
                    raise


class _Counting:
    """A binary file that counts what was read, ends early after `limit` bytes, and notes
    (`unsafe`) once what it read could hold NUL or a lone surrogate."""

    def __init__(self, file: Any, limit: int | None = None) -> None:
        self.file, self.limit, self.position, self.stopped = file, limit, 0, False
        self.unsafe, self.tail = False, b""

    def read(self, size: int = -1) -> bytes:
        if self.limit is not None and self.position >= self.limit:
            self.stopped = True
            return b""
        data: bytes = self.file.read(size)
        self.position += len(data)
        if not self.unsafe:
            scanned = self.tail + data
            # The finds run at memchr speed; the regex only where an escape may be.
            if b"\\ud" in scanned or b"\\uD" in scanned or b"\\u0000" in scanned:
                self.unsafe = _UNSAFE.search(scanned) is not None
            self.unsafe = self.unsafe or b"\x00" in data
            self.tail = data[-_OVERLAP:]
        return data


def open_source(path: str | PathLike[str], fallback: Any) -> Source:
    """The file as a stream; a file ijson refuses is read by `fallback` (json's messages,
    and values json reads but ijson does not, such as NaN), in memory."""
    file = Path(path)
    ends: dict[str, int] = {}
    try:
        header = _header(file, ends)
    except CatalogImportError:
        raise
    except Exception:  # any refusal by ijson: let json say why, or read what it can
        return DocumentSource(fallback(path))
    return FileSource(file, header, ends)


def _header(path: Path, ends: dict[str, int]) -> Any:
    """The file's top level, with each list's entries skipped (each list becomes []);
    `ends` gets how far into the file each list ends (to the read buffer).

    Nested deeper than MAX_DEPTH, the file is left to json (which refuses it): ijson's
    paths grow with the depth, so such a file would take quadratic time to stream.
    """
    try:
        file = path.open("rb")
    except OSError as error:
        raise CatalogImportError(f"{path}: cannot be read ({error})") from None
    with file:
        counting = _Counting(file)
        events = ijson.basic_parse(counting, use_float=True, buf_size=BUFFER)
        event, value = next(events)
        if event != "start_map":
            return _value(event, value, events)
        header: dict[str, Any] = {}
        for event, value in events:
            if event == "end_map":
                break
            key = value  # a map_key; the next event starts its value
            event, value = next(events)
            if key in LISTS and event == "start_array":
                _skip(events)
                header[key] = []
                ends[key] = counting.position
            else:
                header[key] = _value(event, value, events)
        for _ in events:  # anything after the object is an error for ijson to raise
            pass
        return header


class TooDeep(Exception):
    pass


MAX_DEPTH = 1_000
_OPEN = frozenset(("start_map", "start_array"))
_CLOSE = frozenset(("end_map", "end_array"))


def _depth_after(event: str, depth: int) -> int:
    """The nesting depth once `event` is read; TooDeep past MAX_DEPTH."""
    if event in _OPEN:
        depth += 1
        if depth > MAX_DEPTH:
            raise TooDeep
    elif event in _CLOSE:
        depth -= 1
    return depth


def _skip(events: Iterator[tuple[str, Any]]) -> None:
    """Past the end of the array just started."""
    # _depth_after inlined: this loop sees every event of the file's lists.
    depth = 1
    for event, _ in events:
        if event in _OPEN:
            depth += 1
            if depth > MAX_DEPTH:
                raise TooDeep
        elif event in _CLOSE:
            depth -= 1
            if not depth:
                return


def _value(event: str, value: Any, events: Iterator[tuple[str, Any]]) -> Any:
    """The value that starts with this event, built from the events that follow it."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in _OPEN else 0
    while depth:
        event, value = next(events)
        builder.event(event, value)
        depth = _depth_after(event, depth)
    return builder.value
