"""The trusted-documents manifest of GATEWAY_TRUSTED_DOCUMENTS, checked once at startup."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
from graphql import parse
from graphql.error import GraphQLSyntaxError

from gateway.web.persisted.protocol import SHA256_HEX, sha256_of

SHA1_HEX = re.compile(r"[0-9a-f]{40}")
# The client preset (from @graphql-codegen/client-preset 5) writes its keys as documentIds,
# "sha256:<hex>"; older ones wrote the bare hex. Both are read.
PREFIX = "sha256:"


def load_manifest(path: Path) -> dict[str, str]:
    """{sha256 hex: document} from the file GraphQL Code Generator's client preset writes.

    Raises ValueError naming the file and the first bad entry."""
    where = f"GATEWAY_TRUSTED_DOCUMENTS ({path})"
    try:
        manifest = orjson.loads(path.read_bytes())
    except OSError as error:
        raise ValueError(f"{where}: cannot be read: {error.strerror}") from None
    except orjson.JSONDecodeError as error:
        raise ValueError(f"{where}: is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or not manifest:
        raise ValueError(f"{where}: must be a non-empty JSON object of sha256 hex -> document")
    documents: dict[str, str] = {}
    for key, document in manifest.items():
        sha256 = key.removeprefix(PREFIX)
        problem = _problem(sha256, document)
        if problem:
            raise ValueError(f"{where}: entry {key[:80]!r}: {problem}")
        documents[sha256] = document
    return documents


def _problem(key: str, document: Any) -> str | None:
    if not isinstance(document, str):
        return "the document must be a string"
    if SHA1_HEX.fullmatch(key):
        return "the key looks like sha1; generate sha256 (the client preset's hashAlgorithm)"
    if not SHA256_HEX.fullmatch(key):
        return "the key must be 64 lowercase hexadecimal characters (a sha256)"
    actual = sha256_of(document)
    if actual != key:
        return f"the key is not the sha256 of its document (that is {actual})"
    try:
        parse(document)
    except GraphQLSyntaxError as error:
        return f"the document does not parse: {error.message} at {error.locations}"
    return None
