"""The delivery worker: sends pending webhook deliveries, each subscription's in commit order.

It runs as a task of every `gateway serve` process (and alone as `gateway deliver`). It
wakes when a change commits (the broker's notices, from every process on PostgreSQL) and
every POLL_SECONDS regardless, claims subscriptions with pending deliveries, and sends
each claimed subscription's line one delivery at a time: a delivery waiting for its next
attempt holds back the later ones of its subscription, so a receiver sees them in order.
Nothing here runs in a request: a write only inserts the pending rows.

At least once: an outcome is recorded after its attempt, so a process that dies between
the two sends that delivery again (same `webhook-id`) once its claim lapses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.settings import Settings
from gateway.store.columns import utcnow
from gateway.store.writes import write
from gateway.webhooks import deliveries, sealing, sender
from gateway.webhooks.deliveries import DELIVERED, FAILED, PENDING, Claim, Pending
from gateway.webhooks.hooks import NoRequests, Observer, Requests, Unobserved
from gateway.webhooks.targets import Resolver, system_resolver

log = logging.getLogger("gateway.webhooks.worker")

POLL_SECONDS = 0.5
# While requests are in flight, an attempt waits this long at most for a gap between them:
# at least 20 attempts a second however busy the process is.
GIVE_WAY_SECONDS = 0.05
FAILING_POLL_SECONDS = 5.0
# Subscriptions one process sends for at once, and deliveries read per statement.
CONCURRENCY = 16
LINE_BATCH = 50
PRUNE_EVERY_SECONDS = 600.0
# Pending deliveries whose subscription's secret cannot be opened are left pending.
UNREADABLE_RETRY_SECONDS = 60.0
RELEASE_ON_STOP_SECONDS = 2.0
# A claim is renewed (with an outcome, in its transaction) once less than this is left of
# it: more than one attempt can take (a lookup of 5 s, an answer of 10 s).
RENEW_WITHIN = timedelta(seconds=20)


class LostClaim(Exception):
    """The claim lapsed and another process took the subscription: this one stops sending."""


class DeliveryWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        observer: Observer | None = None,
        resolve: Resolver = system_resolver,
        client_factory: Callable[[], httpx.AsyncClient] = sender.new_client,
        poll_seconds: float = POLL_SECONDS,
        requests: Requests | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._observer = observer or Unobserved()
        self._resolve = resolve
        self._client_factory = client_factory
        self._poll_seconds = poll_seconds
        self._requests = requests or NoRequests()
        # While requests are in flight, one attempt at a time (see _giving_way).
        self._turn = asyncio.Lock()
        self._lease = timedelta(seconds=settings.delivery.lease_seconds)
        self._schedule = settings.delivery.retry_schedule
        # Unique per run: a restarted process never mistakes an old claim for its own.
        self.owner = uuid.uuid4().hex
        self._wake = asyncio.Event()
        self._lines: set[asyncio.Task[None]] = set()
        # When each claim this process holds lapses unless renewed.
        self._expiry: dict[Claim, datetime] = {}
        self._last_prune = 0.0
        self._failing = False

    def wake(self) -> None:
        """A change committed: look for pending deliveries now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled; the lines being sent are cancelled with it and give their claims
        back."""
        async with self._client_factory() as client:
            try:
                while True:
                    self._wake.clear()
                    if not await self._tick(client):
                        # While the database fails, wake-ups are no reason to try sooner.
                        await asyncio.sleep(FAILING_POLL_SECONDS)
                        continue
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_seconds):
                            await self._wake.wait()
            finally:
                for task in self._lines:
                    task.cancel()
                await asyncio.gather(*self._lines, return_exceptions=True)

    async def _tick(self, client: httpx.AsyncClient) -> bool:
        """One round of claims (and, now and then, retention); False when it failed."""
        try:
            await self._claim_lines(client)
            await self._prune_now_and_then()
        except Exception as error:  # the database is down, say: try again a little later
            if not self._failing:  # once per outage, not every round
                log.exception(
                    "webhook delivery: claiming failed; retrying every %g s", FAILING_POLL_SECONDS
                )
            else:
                log.debug("webhook delivery: claiming still fails: %s", error)
            self._failing = True
            return False
        if self._failing:
            log.info("webhook delivery: claiming works again")
            self._failing = False
        return True

    async def _claim_lines(self, client: httpx.AsyncClient) -> None:
        free = CONCURRENCY - len(self._lines)
        if free <= 0:
            return
        now = utcnow()
        async with self._sessions() as session:
            if not await deliveries.anything_to_claim(session, now=now):
                return

        async def work(session: AsyncSession) -> list[Claim]:
            return await deliveries.claim(
                session, owner=self.owner, now=now, until=now + self._lease, limit=free
            )

        for claim in await write(self._sessions, work, tenant="", raise_version=False):
            sending = claim in self._expiry
            self._expiry[claim] = now + self._lease
            if sending:  # its claim lapsed mid-attempt and came back here: one line is enough
                continue
            task = asyncio.create_task(self._send_line(client, claim))
            self._lines.add(task)
            task.add_done_callback(self._lines.discard)

    async def _send_line(self, client: httpx.AsyncClient, claim: Claim) -> None:
        """Sends the claimed subscription's pending deliveries until none is due."""
        until: datetime | None = None
        try:
            until = await self._line(client, claim)
        except asyncio.CancelledError:
            # Shutting down: give the line back at once rather than when the claim lapses
            # (an attempt cut short may have arrived: it is sent again, at least once).
            # Bounded: a database that does not answer must not hold the shutdown up.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(RELEASE_ON_STOP_SECONDS):
                    await self._release(claim, None)
            raise
        except LostClaim:
            log.warning(
                "webhook subscription %s: claim lost to another process", claim.subscription_id
            )
            return
        except Exception:
            log.exception("webhook delivery: subscription %s failed", claim.subscription_id)
            until = utcnow() + self._lease
        finally:
            self._expiry.pop(claim, None)
        await self._release(claim, until)

    async def _line(self, client: httpx.AsyncClient, claim: Claim) -> datetime | None:
        """When to look at the subscription again: None as soon as anything is pending."""
        try:
            secret = sealing.unseal(claim.secret, self._settings.webhook_secret_keys)
        except sealing.UnreadableSecret as problem:
            log.error("webhook subscription %s: %s", claim.subscription_id, problem)
            return utcnow() + timedelta(seconds=UNREADABLE_RETRY_SECONDS)
        while True:
            async with self._sessions() as session:
                line = await deliveries.line(session, claim, limit=LINE_BATCH)
            if not line:
                return None
            for pending in line:
                if pending.next_attempt_at is not None and pending.next_attempt_at > utcnow():
                    return pending.next_attempt_at
                async with self._giving_way():
                    outcome = await sender.attempt(
                        client, self._settings, url=claim.url, secret=secret, pending=pending,
                        resolve=self._resolve,
                    )  # fmt: skip
                    retry_at = await self._record(claim, pending, outcome)
                if retry_at is not None:
                    return retry_at

    @contextlib.asynccontextmanager
    async def _giving_way(self) -> AsyncIterator[None]:
        """Requests first: while any is in flight, attempts go one at a time, each after a
        gap between requests or GIVE_WAY_SECONDS at most (so deliveries never stop)."""
        if not self._requests.busy:
            yield
            return
        async with self._turn:
            await self._requests.until_quiet(GIVE_WAY_SECONDS)
            yield

    async def _record(
        self, claim: Claim, pending: Pending, outcome: sender.Attempt
    ) -> datetime | None:
        """Records the outcome (and renews the claim when it is running out); the retry's
        time if it must wait."""
        now = utcnow()
        renewing = self._expiry[claim] - now < RENEW_WITHIN
        status, retry_at = DELIVERED, None
        if not outcome.delivered:
            attempts = pending.attempts + 1
            if attempts <= len(self._schedule):
                status = PENDING
                retry_at = now + timedelta(seconds=self._schedule[attempts - 1])
            else:
                status = FAILED
            log.warning(
                "webhook %s to subscription %s: attempt %d %s",
                pending.event_id, claim.subscription_id, attempts,
                outcome.error or f"answered {outcome.status_code}",
            )  # fmt: skip

        async def work(session: AsyncSession) -> bool:
            await deliveries.record(
                session, claim, pending, status=status, status_code=outcome.status_code,
                next_attempt_at=retry_at, now=now,
            )  # fmt: skip
            if not renewing:
                return True
            return await deliveries.renew(session, claim, owner=self.owner, until=now + self._lease)

        if not await write(self._sessions, work, tenant=claim.tenant, raise_version=False):
            raise LostClaim(claim.subscription_id)
        if renewing:
            self._expiry[claim] = now + self._lease
        if status == DELIVERED:
            self._observer.delivered((now - pending.occurred_at).total_seconds())
        elif status == PENDING:
            self._observer.retried()
        else:
            self._observer.failed()
        return retry_at

    async def _release(self, claim: Claim, until: datetime | None) -> None:
        async def work(session: AsyncSession) -> None:
            await deliveries.release(session, claim, owner=self.owner, until=until)

        try:
            await write(self._sessions, work, tenant=claim.tenant, raise_version=False)
        except Exception:  # the claim lapses by itself
            log.exception("webhook delivery: releasing %s failed", claim.subscription_id)

    async def _prune_now_and_then(self) -> None:
        loop_now = asyncio.get_running_loop().time()
        if loop_now - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = loop_now
        await self.prune()

    async def prune(self) -> tuple[int, int]:
        """Retention: delivered events older than the configured age, and their deliveries."""
        before = utcnow() - timedelta(seconds=self._settings.delivery.retention_seconds)

        async def work(session: AsyncSession) -> tuple[int, int]:
            return await deliveries.prune(session, before=before)

        gone = await write(self._sessions, work, tenant="", raise_version=False)
        if any(gone):
            log.info("retention: pruned %d events and %d deliveries", *gone)
        return gone
