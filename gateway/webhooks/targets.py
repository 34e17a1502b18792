"""Where a webhook may be sent: the contract's target rules (https, public addresses only).

`check_target` runs when a subscription is created and again before every delivery, since
what a name resolves to can change between the two (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from gateway.settings import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses it resolves to, as getaddrinfo spells them.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

RESOLVE_SECONDS = 5.0
_DEFAULT_PORTS = {"https": 443, "http": 80}
# Cloud instance metadata services, named in refusals; each is also in a refused range.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)
# Checked in this order, so an address gets its most telling name (127.0.0.1 is also private).
_KINDS = (
    ("unspecified", "is_unspecified"),
    ("loopback", "is_loopback"),
    ("link-local", "is_link_local"),
    ("multicast", "is_multicast"),
    ("reserved", "is_reserved"),
    ("private", "is_private"),
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    """A checked target: send only to `addresses`, never to what `host` resolves to later.

    A sender connects to one of `addresses` (in order) and names `host` itself: in the
    `Host` header and as the TLS server name, so SNI and certificate checks still concern
    `host`. With httpx: `client.post(target.url_for(address), headers={"Host": host_header},
    extensions={"sni_hostname": target.host}, follow_redirects=False)`. A redirect is not
    followed: a 3xx is an attempt that failed, retried like any other non-2xx answer.
    """

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[Address, ...]

    @property
    def host_header(self) -> str:
        """`host[:port]` as the URL names it (the port only when it is not the default)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def url_for(self, address: Address) -> str:
        """The URL with its host replaced by `address`, so connecting needs no lookup."""
        parts = urlsplit(self.url)
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{self.port}"
        return parts._replace(netloc=netloc, fragment="").geturl()


@dataclass(frozen=True)
class Refused:
    """Why a URL is not a webhook target, worded for the subscriber."""

    reason: str


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The event loop's getaddrinfo (a thread, so the loop never blocks on DNS)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def check_target(
    url: str, settings: Settings, *, resolve: Resolver = system_resolver
) -> Target | Refused:
    """The target `url` names, resolved and checked; Refused when it may not be sent to."""
    parts = _parse(url, settings)
    if isinstance(parts, Refused):
        return parts
    scheme, host, port = parts
    addresses = await _resolve(host, port, resolve)
    if isinstance(addresses, Refused):
        return addresses
    if not settings.webhook_allow_private:
        for address in addresses:
            kind = refused_kind(address)
            if kind is not None:
                return _refusal(host, address, kind)
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def _refusal(host: str, address: Address, kind: str) -> Refused:
    found = f"is {kind}" if _literal(host) == address else f"resolves to {address}, {kind}"
    return Refused(f"url's host {host} {found}; webhook targets must be public addresses.")


def _parse(url: str, settings: Settings) -> tuple[str, str, int] | Refused:
    """(scheme, host, port) of an acceptable URL."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return Refused("url must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return Refused("url is not a valid URL (check its host and port).")
    scheme = parts.scheme.lower()
    schemes = ("https", "http") if settings.webhook_allow_http else ("https",)
    if scheme not in schemes:
        return Refused(f"url must be an {' or '.join(schemes)} URL, not {scheme or 'relative'}.")
    problem = _authority_problem(parts)
    if problem:
        return Refused(problem)
    assert parts.hostname  # checked by _authority_problem
    return scheme, parts.hostname, port or _DEFAULT_PORTS[scheme]


def _authority_problem(parts: SplitResult) -> str | None:
    if parts.username is not None or parts.password is not None:
        # `https://trusted@evil/`: parsers disagree on such URLs, and secrets do not go there.
        return "url must not contain a user name or password."
    if not parts.hostname:
        return "url has no host."
    return None


async def _resolve(host: str, port: int, resolve: Resolver) -> tuple[Address, ...] | Refused:
    literal = _literal(host)
    if literal is not None:
        return (literal,)
    try:
        async with asyncio.timeout(RESOLVE_SECONDS):
            found = await resolve(host, port)
        addresses = tuple(dict.fromkeys(ipaddress.ip_address(a) for a in found))
    except (OSError, UnicodeError, ValueError, TimeoutError):
        addresses = ()
    if not addresses:
        return Refused(f"url's host {host} could not be resolved.")
    return addresses


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def refused_kind(address: Address) -> str | None:
    """Why `address` is no public target ("a loopback address"...), or None when it is one."""
    if address in _METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            # A connection to it reaches the IPv4 address, so that one decides.
            kind = refused_kind(embedded)
            return None if kind is None else f"an address that embeds {embedded}, {kind}"
    for kind, attribute in _KINDS:
        if getattr(address, attribute):
            return f"a {kind} address"
    if not address.is_global:  # e.g. 100.64.0.0/10, shared carrier-grade NAT space
        return "an address that is not globally reachable"
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64), which is where it goes."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
