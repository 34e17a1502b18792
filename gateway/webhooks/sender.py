"""One delivery attempt: the target checked again, the event signed and POSTed.

The body is Standard Webhooks' `{"type", "timestamp", "data"}`; `webhook-id` is the
event's id (the same on every attempt), `webhook-timestamp` the attempt's time, and
`webhook-signature` is made by the `standardwebhooks` package, so its verifiers (and
svix's) accept it unchanged.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

from gateway.api.types import format_datetime
from gateway.settings import Settings
from gateway.webhooks.deliveries import Pending
from gateway.webhooks.targets import Refused, Resolver, Target, check_target

# A 2xx within this many seconds is a delivery; anything else is retried.
ANSWER_SECONDS = 10.0
# An answer's body is read up to this much and dropped: read to its end, the connection goes
# back to the pool for the next delivery (closed unread, it cannot); a longer one is cut off.
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "segment-gateway-webhooks"


@dataclass(frozen=True)
class Attempt:
    """What one attempt got: a status code, or why there was none."""

    status_code: int | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def new_client() -> httpx.AsyncClient:
    """The client every attempt of a process shares (its connections are reused).

    No redirects (a 3xx is an answer that failed), no proxies or .netrc from the
    environment: a proxy would connect to the name again, past the address check."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(ANSWER_SECONDS),
        headers={"user-agent": USER_AGENT},
    )


def body(pending: Pending) -> bytes:
    """The request body; the payload goes in as stored (already JSON), not re-encoded."""
    head = f'{{"type":"{pending.event_type}","timestamp":"{format_datetime(pending.occurred_at)}"'
    return f'{head},"data":{pending.data}}}'.encode()


def signed_headers(secret: str, pending: Pending, content: bytes) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "content-type": "application/json",
        "webhook-id": pending.event_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(pending.event_id, now, content),
    }


async def attempt(
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    url: str,
    secret: str,
    pending: Pending,
    resolve: Resolver,
) -> Attempt:
    """POSTs the event to `url` once, if it is still an allowed target."""
    target = await check_target(url, settings, resolve=resolve)
    if isinstance(target, Refused):
        return Attempt(error=target.reason)
    content = body(pending)
    headers = signed_headers(secret, pending, content) | {"host": target.host_header}
    try:
        async with asyncio.timeout(ANSWER_SECONDS):
            return await _post(client, target, content, headers)
    except TimeoutError:
        return Attempt(error=f"no answer within {ANSWER_SECONDS:g} s")


async def _post(
    client: httpx.AsyncClient, target: Target, content: bytes, headers: dict[str, str]
) -> Attempt:
    """To the checked addresses in turn, until one takes the connection."""
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    error = "no address to connect to"
    for address in target.addresses:
        request = client.build_request(
            "POST", target.url_for(address), content=content, headers=headers,
            extensions=extensions,
        )  # fmt: skip
        try:
            response = await client.send(request, stream=True)
        except httpx.ConnectError as failure:
            error = f"could not connect to {address}: {failure}"
            continue
        except httpx.HTTPError as failure:
            return Attempt(error=f"{type(failure).__name__}: {failure}")
        await _drain(response)
        return Attempt(status_code=response.status_code)
    return Attempt(error=error)


async def _drain(response: httpx.Response) -> None:
    """Reads and drops the answer's body (up to MAX_ANSWER_BYTES), then closes it."""
    try:
        read = 0
        async for chunk in response.aiter_raw():
            read += len(chunk)
            if read > MAX_ANSWER_BYTES:
                break
    except httpx.HTTPError:
        pass  # the status is what counts; a broken body only costs the connection
    finally:
        await response.aclose()
