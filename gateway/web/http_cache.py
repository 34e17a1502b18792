"""HTTP caching of GET answers: an entity tag from the body, and If-None-Match (RFC 9110).

A clean GET answer (no `errors`) may be kept by the client's own cache but must be
revalidated before each use: `private, no-cache`, with a strong ETag computed from the
encoded body, so a 304 saves the transfer (not the execution, which the tag comes from).
Every other answer keeps the `no-store` that `responses.encoded_response` gives.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.web.negotiation import JSON
from gateway.web.responses import Outcome, dumps, encoded_response, json_response

REVALIDATE = {
    "Cache-Control": "private, no-cache",
    # The body depends on the caller, the media type and the locales, never on the Origin
    # alone; CORS adds Origin to Vary itself when it answers for one.
    "Vary": "Authorization, Accept, Accept-Language, legalEntityId",
}
# RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE. A comma may sit inside the
# quotes, so the list is read tag by tag, not split on commas.
ENTITY_TAG = re.compile(r'(?:W/)?("[\x21\x23-\x7e\x80-\xff]*")')
# The same bytes as application/json are another representation: another tag (RFC 9110
# 8.8.1 wants a strong tag unique across the representations of a resource).
MEDIA_SUFFIX = {JSON: "-json"}


class Encoded(bytes):
    """An encoded body with the digest of its bytes, hashed once however often it is served."""

    digest: str

    def __new__(cls, data: bytes) -> Encoded:
        encoded = super().__new__(cls, data)
        # 128 bits of SHA-256 (the fastest hashlib digest on current CPUs), base64url.
        digest = hashlib.sha256(data).digest()[:16]
        encoded.digest = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return encoded


def encode(body: dict[str, Any]) -> Encoded:
    """A body encoded and tagged: what the response cache keeps."""
    return Encoded(dumps(body))


def entity_tag(body: bytes, media_type: str) -> str:
    """The strong ETag of a body as sent with the given media type."""
    digest = (body if isinstance(body, Encoded) else Encoded(body)).digest
    return f'"{digest}{MEDIA_SUFFIX.get(media_type, "")}"'


def names_tag(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match value names the tag, by weak comparison, or is `*`."""
    if if_none_match.strip() == "*":
        return True
    return tag.removeprefix("W/") in ENTITY_TAG.findall(if_none_match)


def answered(
    request: Request, body: bytes | dict[str, Any], media_type: str, outcome: Outcome
) -> Response:
    """The view's 200 answer: a clean GET's is tagged, and 304 when the client has it."""
    if request.method != "GET" or (isinstance(body, dict) and "errors" in body):
        if isinstance(body, dict):
            return json_response(body, 200, media_type, outcome)
        return encoded_response(body, 200, media_type)
    encoded = body if isinstance(body, bytes) else encode(body)
    headers = {"ETag": entity_tag(encoded, media_type), **REVALIDATE}
    # Several If-None-Match lines are one list (RFC 9110 5.3).
    if_none_match = ", ".join(request.headers.getlist("if-none-match"))
    if if_none_match and names_tag(if_none_match, headers["ETag"]):
        # A 304 carries what the 200 would for caching, and no body or media type.
        return Response(status_code=304, headers=headers)
    return encoded_response(encoded, 200, media_type, headers)
