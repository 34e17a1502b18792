"""Webhook targets: https only, and never an address that is not public (SSRF)."""

import asyncio
import ipaddress
import socket

import pytest

from gateway.settings import Settings
from gateway.webhooks import targets
from gateway.webhooks.targets import Refused, Target, check_target

DEFAULT = Settings()
PUBLIC = "93.184.215.14"


def resolving_to(*addresses):
    """A resolver that answers `addresses` for any name, and records what it was asked."""
    asked = []

    async def resolve(host, port):
        asked.append((host, port))
        return list(addresses)

    resolve.asked = asked
    return resolve


async def refusal(url, settings=DEFAULT, **kw):
    checked = await check_target(url, settings, **kw)
    assert isinstance(checked, Refused), checked
    return checked.reason


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://[::1]/hook", "loopback"),
        ("https://[::ffff:127.0.0.1]/hook", "127.0.0.1, a loopback"),
        ("https://[::ffff:10.0.0.1]/hook", "10.0.0.1, a private"),
        ("https://[fd00:ec2::254]/", "metadata"),
        ("https://[fe80::1]/", "link-local"),
        ("https://0.0.0.0/", "unspecified"),
        ("https://[::]/", "unspecified"),
        ("https://192.168.0.10/", "private"),
        ("https://172.16.0.1/", "private"),
        ("https://224.0.0.1/", "multicast"),
        ("https://240.0.0.1/", "reserved"),
        ("https://100.100.100.200/", "not globally reachable"),  # shared CGNAT space
        ("https://[2002:7f00:1::]/", "127.0.0.1, a loopback"),  # 6to4
        ("https://[64:ff9b::a00:1]/", "10.0.0.1, a private"),  # NAT64
    ],
)
async def test_an_address_that_is_not_public_is_refused_by_default(url, named):
    # when
    reason = await refusal(url)
    # then
    assert named in reason
    assert "webhook targets must be public addresses" in reason


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.7", "169.254.169.254", "::1", "::ffff:192.168.1.1"]
)
async def test_a_name_that_resolves_to_a_refused_address_is_refused(address):
    # given
    resolve = resolving_to(address)
    # when
    reason = await refusal("https://hooks.example.com/in", resolve=resolve)
    # then
    assert f"hooks.example.com resolves to {ipaddress.ip_address(address)}" in reason
    assert resolve.asked == [("hooks.example.com", 443)]


async def test_one_refused_address_among_public_ones_refuses_the_name():
    # when
    reason = await refusal("https://a.example.com/", resolve=resolving_to(PUBLIC, "10.0.0.1"))
    # then
    assert "resolves to 10.0.0.1, a private address" in reason


@pytest.mark.parametrize("host", ["localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1"])
async def test_loopback_spellings_are_refused_through_the_system_resolver(host):
    # given: getaddrinfo reads these as 127.0.0.1 without asking DNS
    # when
    reason = await refusal(f"https://{host}/hook")
    # then
    assert "loopback" in reason


async def test_each_check_resolves_again_so_a_rebound_name_is_refused():
    # given: a name public at creation, then pointed at the metadata service
    answers = iter([[PUBLIC], ["169.254.169.254"]])

    async def resolve(host, port):
        return next(answers)

    first = await check_target("https://rebind.example.com/", DEFAULT, resolve=resolve)
    # when
    second = await check_target("https://rebind.example.com/", DEFAULT, resolve=resolve)
    # then
    assert isinstance(first, Target)
    assert isinstance(second, Refused)
    assert "cloud metadata" in second.reason


async def test_a_public_target_gives_the_checked_addresses_to_connect_to():
    # when
    target = await check_target(
        "https://Hooks.Example.com:8443/in?x=1#frag",
        DEFAULT,
        resolve=resolving_to(PUBLIC, "2606:4700::1"),
    )
    # then
    assert isinstance(target, Target)
    assert target.host == "hooks.example.com"
    assert target.port == 8443
    assert target.host_header == "hooks.example.com:8443"
    assert [str(a) for a in target.addresses] == [PUBLIC, "2606:4700::1"]
    assert target.url_for(target.addresses[0]) == f"https://{PUBLIC}:8443/in?x=1"
    assert target.url_for(target.addresses[1]) == "https://[2606:4700::1]:8443/in?x=1"


async def test_the_default_port_is_left_out_of_the_host_header():
    # when
    target = await check_target("https://hooks.example.com/", DEFAULT, resolve=resolving_to(PUBLIC))
    # then
    assert isinstance(target, Target)
    assert (target.port, target.host_header) == (443, "hooks.example.com")


async def test_allow_private_accepts_private_addresses():
    # given
    settings = Settings(webhook_allow_private=True)
    # when
    target = await check_target("https://10.0.0.1/hook", settings)
    # then
    assert isinstance(target, Target)
    assert target.addresses == (ipaddress.ip_address("10.0.0.1"),)


async def test_http_is_refused_by_default_and_allowed_by_the_setting():
    # when
    refused = await refusal(f"http://{PUBLIC}/hook")
    allowed = await check_target(f"http://{PUBLIC}/hook", Settings(webhook_allow_http=True))
    # then
    assert refused == "url must be an https URL, not http."
    assert isinstance(allowed, Target)
    assert allowed.port == 80


async def test_allow_http_does_not_allow_private_addresses():
    # when
    reason = await refusal("http://127.0.0.1:8170/", Settings(webhook_allow_http=True))
    # then
    assert "loopback" in reason


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/", "url must be an https URL, not ftp."),
        ("hooks.example.com/in", "url must be an https URL, not relative."),
        ("https:///path", "url has no host."),
        (f"https://user:pw@{PUBLIC}/", "url must not contain a user name or password."),
        (f"https://{PUBLIC}@10.0.0.1/", "url must not contain a user name or password."),
        (f"https://{PUBLIC}:99999/", "url is not a valid URL (check its host and port)."),
        ("https://[::1/", "url is not a valid URL (check its host and port)."),
        (f"https://{PUBLIC}/a b", "url must not contain spaces or control characters."),
        (f"https://{PUBLIC}/\nx", "url must not contain spaces or control characters."),
    ],
)
async def test_a_malformed_url_is_refused_with_what_is_wrong(url, reason):
    # when / then
    assert await refusal(url, resolve=resolving_to(PUBLIC)) == reason


async def test_a_name_that_does_not_resolve_is_refused():
    # given
    async def resolve(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # when
    reason = await refusal("https://nowhere.invalid/", resolve=resolve)
    # then
    assert reason == "url's host nowhere.invalid could not be resolved."


async def test_a_resolver_that_hangs_is_given_up_on(monkeypatch):
    # given
    monkeypatch.setattr(targets, "RESOLVE_SECONDS", 0.05)

    async def resolve(host, port):
        await asyncio.sleep(10)
        return [PUBLIC]

    # when
    reason = await refusal("https://slow.example.com/", resolve=resolve)
    # then
    assert reason == "url's host slow.example.com could not be resolved."


@pytest.mark.parametrize(
    "address", ["8.8.8.8", PUBLIC, "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]
)
def test_public_addresses_have_no_refusal(address):
    # when / then
    assert targets.refused_kind(ipaddress.ip_address(address)) is None
