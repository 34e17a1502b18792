"""RequestsInFlight: what the delivery worker asks before each attempt."""

import asyncio
import contextlib

from gateway.web.activity import RequestsInFlight


async def test_quiet_at_once_when_no_request_is_in_flight():
    # given
    requests = RequestsInFlight()
    # when
    async with asyncio.timeout(0.5):
        await requests.until_quiet(60)
    # then
    assert not requests.busy


async def test_quiet_when_the_last_request_ends():
    # given
    requests = RequestsInFlight()
    first, second = requests.one(), requests.one()
    first.__enter__(), second.__enter__()
    waiting = asyncio.create_task(requests.until_quiet(60))
    # when
    first.__exit__(None, None, None)
    await asyncio.sleep(0.01)
    still_busy = not waiting.done()
    second.__exit__(None, None, None)
    # then
    async with asyncio.timeout(0.5):
        await waiting
    assert still_busy
    assert (requests.busy, requests.count) == (False, 0)


async def test_a_wait_ends_after_at_most_its_time_while_requests_go_on():
    # given
    requests = RequestsInFlight()
    with requests.one():
        # when
        async with asyncio.timeout(1):
            await requests.until_quiet(0.05)
        # then
        assert requests.busy


async def test_the_view_counts_each_request_while_it_is_answered(serve):
    # given
    gateway = await serve()
    requests = gateway.app.state.runtime.requests
    seen = []
    counting = requests.one

    @contextlib.contextmanager
    def one():
        with counting():
            seen.append(requests.count)
            yield

    requests.one = one
    # when
    response = await gateway.post("{ __typename }")
    # then
    assert response.status_code == 200
    assert seen == [1]
    assert not requests.busy
