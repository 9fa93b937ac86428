"""Which network addresses the fetchers may reach: the guard against server-side request forgery.

A supplier URL (or a redirect from a supplier page) naming the monitor's own machine, its LAN or a cloud
metadata service (169.254.169.254) would otherwise be fetched and its answer stored as evidence that the
dashboard serves back. So every address a fetch connects to is checked, after DNS resolution and on every
redirect hop: loopback, private, link-local, multicast, unspecified, reserved and otherwise not globally
routable addresses (IPv4 embedded in IPv6 too: ``::ffff:127.0.0.1``, NAT64, 6to4) are refused with
``FetchError("blocked_address")`` unless ``[fetch] allow_private_addresses`` is on.

Plain HTTP: ``vetted_transport`` gives httpx a network backend that resolves the host itself, refuses the
connection when any of its addresses is disallowed and connects to the vetted address, so a DNS answer that
changes between a check and the connect (DNS rebinding) cannot slip through; TLS still names the host (SNI and
certificate checks are httpcore's, on the hostname). Redirects are followed by httpx, and each hop opens its
connection through the same backend. Through a proxy the proxy connects, not us: the target host is resolved
locally and vetted before the request is sent (best effort: the proxy may resolve it differently; a name that
does not resolve locally is left to the proxy).

The browser resolves hosts itself, so ``AddressCache`` looks each host up (cached briefly) for the browser's
request interception, and the address each response actually came from is checked afterwards (see
``scrapers.fetch.browser``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from scrapers.fetch.base import FetchError

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

BLOCKED_HINT = (
    "addresses on this machine or its private networks are not fetched; set [fetch] allow_private_addresses = true "
    "only for a marketplace you run yourself"
)
#: RFC 6052 well-known NAT64 prefix: the last 32 bits are the IPv4 address a NAT64 gateway connects to.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
#: How long the browser's host lookups are reused.
ADDRESS_CACHE_TTL_S = 30.0
_ADDRESS_CACHE_MAX = 1024


def parse_address(address: str | IPAddress) -> IPAddress | None:
    """An IP address from text (brackets and an IPv6 zone such as ``%eth0`` allowed); None if it is none."""
    if not isinstance(address, str):
        return address
    text = address.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to: IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 (2002::/16)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def address_category(address: str | IPAddress) -> str | None:
    """What kind of non-public address this is ("loopback", "private", "link-local", ...); None when it is a
    public (globally routable unicast) address. Text that is no IP address at all is "not an IP address"."""
    ip = parse_address(address)
    if ip is None:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner = address_category(embedded)
            # Mapped and NAT64 addresses are nothing but their IPv4 address (NAT64 is in ::/8, "reserved").
            if inner is not None or ip.ipv4_mapped is not None or ip in _NAT64:
                return None if inner is None else f"{inner} IPv4-in-IPv6"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:
        return "not globally routable"  # e.g. 100.64.0.0/10, shared by carrier-grade NAT
    return None


def _normalized(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
    return ip


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be fetched: public ones always, the rest only with ``allow_private``.

    ``allowed``: exact addresses allowed although they are not public (tests allow 127.0.0.1 while 127.0.0.2
    stays blocked; a marketplace mirror on the LAN could be allowed the same way).
    """

    allow_private: bool = False
    allowed: frozenset[IPAddress] = frozenset()

    @classmethod
    def make(cls, allow_private: bool = False, allowed: Iterable[str | IPAddress] = ()) -> AddressPolicy:
        addresses = set()
        for item in allowed:
            ip = parse_address(item)
            if ip is None:
                raise ValueError(f"{item!r} is not an IP address")
            addresses.add(_normalized(ip))
        return cls(allow_private, frozenset(addresses))

    @property
    def unrestricted(self) -> bool:
        return self.allow_private

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why ``address`` may not be fetched (its category), or None when it may."""
        if self.allow_private:
            return None
        ip = parse_address(address)
        if ip is not None and _normalized(ip) in self.allowed:
            return None
        return address_category(address)

    def refusal_for(self, host: str, addresses: Iterable[str]) -> str | None:
        """Why ``host`` may not be fetched given the addresses it resolves to (any one disallowed refuses it:
        a name that mixes public and private answers is how rebinding attacks start), or None."""
        for address in addresses:
            why = self.refusal(address)
            if why is not None:
                literal = parse_address(host) is not None
                return f"{address} is a {why} address" if literal else f"{host} resolves to {address}, a {why} address"
        return None

    def blocked(self, url: str | None, why: str) -> FetchError:
        """The refusal to raise; ``url`` names what was refused when ``why`` does not say it already."""
        return FetchError("blocked_address", f"{url + ': ' if url else ''}{why}; {BLOCKED_HINT}")

    async def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` (itself when it is an IP address), each vetted.

        Raises ``FetchError("blocked_address")`` when any is disallowed and ``OSError`` (``socket.gaierror``)
        when the name does not resolve.
        """
        literal = parse_address(host)
        if literal is not None:
            addresses = [str(literal)]
        else:
            addresses = await lookup(host, port)
        why = self.refusal_for(host, addresses)
        if why is not None:
            raise self.blocked(None, why)
        return addresses


async def lookup(host: str, port: int | None) -> list[str]:
    """The addresses ``host`` resolves to (the event loop's getaddrinfo), in the resolver's order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


# --- plain HTTP ----------------------------------------------------------------------------------------


class VettingBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to vetted addresses.

    The host is resolved here and the connection made to the address that was checked, never to the name
    (which a second lookup could answer differently). TLS is started by httpcore on the returned stream with
    the hostname as SNI, so certificates are checked against the name as usual.
    """

    def __init__(self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        options: dict[str, Any] = {"timeout": timeout, "local_address": local_address, "socket_options": socket_options}
        if self.policy.unrestricted:
            return await self.inner.connect_tcp(host, port, **options)
        try:
            async with asyncio.timeout(timeout):
                addresses = await self.policy.resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took longer than {timeout:g}s") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(address, port, **options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # resolve() never returns an empty list
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("blocked_address", f"unix socket {path} is not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class VettedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with every connection made through a ``VettingBackend``; with a proxy, the target
    host is resolved locally and vetted before each request (redirect hops included) is handed to the proxy."""

    def __init__(self, policy: AddressPolicy, *, proxy: str | None = None, **options: Any) -> None:
        super().__init__(proxy=proxy, **options)
        self.policy = policy
        self.proxied = proxy is not None
        if not self.proxied:
            # httpx takes no network backend of its own; its connection pool (httpcore's) does. A guard, so
            # that an httpx upgrade that renames these fails loudly here instead of fetching unvetted.
            pool = self._pool
            if not isinstance(getattr(pool, "_network_backend", None), httpcore.AsyncNetworkBackend):
                raise RuntimeError("httpx/httpcore changed: cannot install the address check on the connection pool")
            pool._network_backend = VettingBackend(policy, pool._network_backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.proxied and not self.policy.unrestricted:
            host, port = request.url.host, request.url.port or (443 if request.url.scheme == "https" else 80)
            try:
                await self.policy.resolve(host, port)
            except OSError as exc:  # not resolvable here: only the proxy can look it up
                log.debug("cannot vet %s before the proxy: %s", host, exc)
        return await super().handle_async_request(request)


def vetted_transport(policy: AddressPolicy, *, proxy: str | None = None) -> VettedTransport:
    """The transport an httpx client fetching supplier pages must use (``httpx.AsyncClient(transport=...)``)."""
    return VettedTransport(policy, proxy=proxy)


# --- the browser -------------------------------------------------------------------------------------


def _consume_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class AddressCache:
    """Host lookups for the browser's request checks, each reused for ``ttl_s`` and shared by concurrent
    requests for the same host, so a page's dozens of requests cost one lookup per host."""

    def __init__(self, ttl_s: float = ADDRESS_CACHE_TTL_S, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[float, asyncio.Future[list[str]]]] = {}

    async def addresses(self, host: str, port: int) -> list[str]:
        """The host's addresses; ``OSError`` when it does not resolve (not cached)."""
        now = self._clock()
        entry = self._entries.get(host)
        if entry is None or entry[0] <= now or (entry[1].done() and entry[1].exception() is not None):
            if len(self._entries) >= _ADDRESS_CACHE_MAX:
                self._entries = {h: e for h, e in self._entries.items() if e[0] > now}
                if len(self._entries) >= _ADDRESS_CACHE_MAX:
                    self._entries.clear()
            future = asyncio.ensure_future(lookup(host, port))
            future.add_done_callback(_consume_exception)  # a lookup whose waiters all left must not warn
            entry = self._entries[host] = (now + self.ttl_s, future)
        return list(await asyncio.shield(entry[1]))

    async def refusal(self, policy: AddressPolicy, url: str) -> str | None:
        """Why the browser must not request ``url``, or None. URLs that are not http(s)/ws(s) (data:, blob:,
        about:) and hosts that do not resolve here are let through: the browser cannot reach those either."""
        if policy.unrestricted:
            return None
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https", "ws", "wss") or not parts.hostname:
            return None
        host = parts.hostname
        port = port or (443 if scheme in ("https", "wss") else 80)
        if parse_address(host) is not None:
            return policy.refusal_for(host, [host])
        try:
            addresses = await self.addresses(host, port)
        except OSError:
            return None
        return policy.refusal_for(host, addresses)
