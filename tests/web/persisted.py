"""Requests of the persisted-queries protocols, over GET and POST, against a test gateway."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from tests.web.conftest import Gateway

HELLO = "{ hello }"
METHODS = ["GET", "POST"]


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def apq(sha256_hash: str, version: Any = 1) -> dict[str, Any]:
    """The `extensions` of Apollo's automatic persisted queries."""
    return {"persistedQuery": {"version": version, "sha256Hash": sha256_hash}}


def registering(document: str) -> dict[str, Any]:
    """The request Apollo's link sends after a miss: the document with its hash."""
    return {"query": document, "extensions": apq(sha256(document))}


def by_hash(document: str) -> dict[str, Any]:
    """The request Apollo's link sends first: the hash alone."""
    return {"extensions": apq(sha256(document))}


async def send(
    gateway: Gateway, method: str, fields: dict[str, Any], **headers: str
) -> httpx.Response:
    """GET with each object as a JSON query parameter, or POST with a JSON body."""
    headers = {**gateway.auth(), **headers}
    if method == "POST":
        return await gateway.client.post("/demo/graphql", json=fields, headers=headers)
    params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
    return await gateway.client.get("/demo/graphql", params=params, headers=headers)


def error_of(response: httpx.Response) -> tuple[str, str]:
    """The one error's code and message."""
    (error,) = response.json()["errors"]
    return error["extensions"]["code"], error["message"]
