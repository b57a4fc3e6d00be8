"""Refuse webhook targets inside the installation's network (SSRF protection).

A webhook URL is chosen by an org admin, and the server fetches it: without a check it
could reach the metadata service (169.254.169.254), the database, or localhost admin
ports. Every address the host resolves to must be public (``ipaddress.is_global`` and
not multicast), IPv4-mapped/6to4/Teredo IPv6 forms judged by the IPv4 they carry.
Self-hosters delivering to their own LAN set ``allow_private_targets``.

The check runs at registration (for a quick error) and again at each delivery, whose
connection then goes to the very address checked here (see ``pinned_http``), so a DNS
answer that changes between check and connect (rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

__all__ = [
    "IPAddress",
    "ResolutionFailed",
    "Resolver",
    "Target",
    "UnsafeTarget",
    "check_target",
    "forbidden_reason",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


class UnsafeTarget(ValueError):
    """The URL is malformed, or resolves to an address we refuse to connect to."""


class ResolutionFailed(UnsafeTarget):
    """The host did not resolve now; DNS may come back, so a delivery should retry."""


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to ``addresses`` (in order), speak to ``host``."""

    url: str
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[IPAddress, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses ``getaddrinfo`` gives for TCP to ``host:port``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolutionFailed(f"cannot resolve {host!r}: {exc}") from None
    return [str(info[4][0]) for info in infos]


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is refused (loopback, private, ...), or ``None`` if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            reason = forbidden_reason(inner)
            return f"{reason} (inside {ip})" if reason else None
        if ip.scope_id:
            return "scoped IPv6 address"
    for name in ("loopback", "link_local", "private", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{name}"):
            return f"{name.replace('_', '-')} address {ip}"
    if not ip.is_global:
        return f"non-global address {ip}"
    return None


def _parse(url: str) -> tuple[SplitResult, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeTarget(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeTarget("only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("credentials in the URL are not allowed (use the signing secret)")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget("the URL has no host")
    return parts, host, port or (443 if scheme == "https" else 80)


def check_target(
    url: str, *, allow_private_targets: bool = False, resolver: Resolver | None = None
) -> Target:
    """Parse and resolve ``url``; refuse it if *any* address is internal (unless allowed).

    Any, not all: with several A records a client may pick whichever, so one internal
    record is enough to make the URL unsafe.
    """
    parts, host, port = _parse(url)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    raw = [str(literal)] if literal is not None else (resolver or system_resolver)(host, port)
    addresses: list[IPAddress] = []
    for text in raw:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            raise UnsafeTarget(f"resolver returned a non-address {text!r}") from None
        if not allow_private_targets:
            reason = forbidden_reason(ip)
            if reason:
                raise UnsafeTarget(f"{host} resolves to a {reason}; refused")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise ResolutionFailed(f"{host} resolves to no address")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url, parts.scheme.lower(), host, port, path, tuple(addresses))
