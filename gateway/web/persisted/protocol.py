"""What a request says about persisted documents: Apollo's APQ extension or a documentId."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from gateway.api.execution import RequestError, request_error
from gateway.errors import ErrorCode
from gateway.web.request_params import Params

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
APQ_VERSION = 1


@dataclass(frozen=True)
class Reference:
    """A persisted document named by its sha256, and the document sent with it, if any."""

    sha256: str
    sent: str | None = None


def sha256_of(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def reference_of(params: Params) -> Reference | None:
    """The persisted document the request names, checked; None for a plain request."""
    persisted = (params.extensions or {}).get("persistedQuery")
    if params.document_id is not None:
        if persisted is not None or params.query:
            raise _bad("Send a documentId alone, without a query or a persistedQuery extension.")
        return Reference(_document_id_hash(params.document_id))
    if persisted is None:
        return None
    sha256 = _apq_hash(persisted)
    if not params.query:
        return Reference(sha256)
    actual = sha256_of(params.query)
    if actual != sha256:
        message = f"The query's sha256 is {actual}, not the persistedQuery.sha256Hash sent."
        raise _bad(message)
    return Reference(sha256, params.query)


def _apq_hash(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise _bad("extensions.persistedQuery must be an object with version and sha256Hash.")
    version = persisted.get("version")
    # bool is an int in Python; `true` is not version 1.
    if type(version) is not int or version != APQ_VERSION:
        raise _bad(f"Persisted query version {version!r} is not supported: send version 1.")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256):
        raise _bad("persistedQuery.sha256Hash must be 64 lowercase hexadecimal characters.")
    return sha256


def _document_id_hash(document_id: str) -> str:
    prefix, _, payload = document_id.partition(":")
    if prefix != "sha256" or not SHA256_HEX.fullmatch(payload):
        message = "documentId must be sha256:<64 lowercase hex>; no other kind is supported."
        raise _bad(message)
    return payload


def _bad(message: str) -> RequestError:
    return request_error(400, message, ErrorCode.BAD_USER_INPUT)


def not_found() -> RequestError:
    """An unknown hash: Apollo's link then sends the document with it.

    404, not 400: the spec wants 4xx for an answer without data, and Apollo's older links
    stop using persisted queries for good on a 400 or 500 (application/json gets 200)."""
    return request_error(404, "PersistedQueryNotFound", ErrorCode.PERSISTED_QUERY_NOT_FOUND)


def required() -> RequestError:
    """Trusted documents only: a document sent as text, or one not in the manifest."""
    message = "Only trusted documents run here: send one by its sha256 (documentId or APQ)."
    return request_error(400, message, ErrorCode.PERSISTED_QUERY_REQUIRED)
