"""Rebuilding the URL the provider requested, which is what its signature covers.

Known pitfalls, each handled here:

* a TLS terminator in front of the app: the app sees ``http`` while the provider
  called ``https`` (``X-Forwarded-Proto``, trusted only from a configured number of
  proxies, or a configured ``PUBLIC_BASE_URL``);
* the host and port the provider used (``X-Forwarded-Host`` / ``X-Forwarded-Port``);
* default ports: the provider signs the URL as it called it, with or without ``:443``;
  the validator tries both spellings, so the URL is normalised without them here;
* the path exactly as sent (percent-escapes kept), and the query string kept whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

__all__ = ["RequestFacts", "candidate_urls", "forwarded_origin", "public_url", "request_url"]

DEFAULT_PORTS = {"http": "80", "https": "443"}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


@dataclass(frozen=True)
class RequestFacts:
    """What the web server saw, before any proxy rewriting.

    ``raw_target`` is the request target as sent (``REQUEST_URI``/``RAW_URI``) when the
    server reports it; ``path`` the decoded WSGI ``PATH_INFO`` otherwise.
    """

    scheme: str
    host: str  # the Host header (may carry a port)
    path: str
    query: str = ""
    script_name: str = ""
    server_port: str = ""
    raw_target: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def _hop_value(value: str | None, trusted: int) -> str | None:
    """The value the outermost trusted proxy wrote (``trusted`` from the right)."""
    if not value or trusted <= 0:
        return None
    values = [part.strip() for part in value.split(",")]
    if len(values) < trusted:
        return None
    chosen = values[-trusted]
    return chosen or None


def _split_host(host: str) -> tuple[str, str | None]:
    if host.startswith("["):  # IPv6 literal
        end = host.find("]")
        rest = host[end + 1 :]
        return host[: end + 1], rest[1:] if rest.startswith(":") else None
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit():
        return name, port
    return host, None


def _netloc(scheme: str, host: str, port: str | None) -> str:
    if port is None or DEFAULT_PORTS.get(scheme) == port:
        return host
    return f"{host}:{port}"


def forwarded_origin(
    scheme: str,
    host: str,
    headers: Mapping[str, str],
    trusted_proxies: int,
    server_port: str = "",
) -> tuple[str, str]:
    """(scheme, netloc) the client used, honouring ``trusted_proxies`` forwarding hops.

    >>> forwarded_origin("http", "app:8000", {"X-Forwarded-Proto": "https",
    ...     "X-Forwarded-Host": "ivr.example.dk"}, 1)
    ('https', 'ivr.example.dk')
    >>> forwarded_origin("http", "app:8000", {"X-Forwarded-Proto": "https"}, 0)
    ('http', 'app:8000')
    """
    proto = _hop_value(headers.get("X-Forwarded-Proto"), trusted_proxies)
    if proto and proto.lower() in DEFAULT_PORTS:
        scheme = proto.lower()
    forwarded_host = _hop_value(headers.get("X-Forwarded-Host"), trusted_proxies)
    name, port = _split_host(forwarded_host or host or "")
    if not (forwarded_host or host) and server_port:
        port = server_port  # HTTP/1.0 without Host: the server's own port
    forwarded_port = _hop_value(headers.get("X-Forwarded-Port"), trusted_proxies)
    if forwarded_port and forwarded_port.isdigit():
        port = forwarded_port
    return scheme, _netloc(scheme, name.lower(), port)


def _escaped_path(facts: RequestFacts, with_script: bool) -> tuple[str, str]:
    if facts.raw_target is not None and facts.raw_target.startswith("/"):
        path, _, query = facts.raw_target.partition("?")
        if not with_script and facts.script_name and path.startswith(facts.script_name):
            path = path[len(facts.script_name) :] or "/"
        return path, query
    raw = facts.path.encode("latin-1", "replace")
    path = quote(raw, safe=_PATH_SAFE)
    if with_script and facts.script_name:
        path = quote(facts.script_name.encode("latin-1", "replace"), safe=_PATH_SAFE) + path
    return path, facts.query


def _join(base: str, path: str, query: str) -> str:
    return f"{base}{path}" + (f"?{query}" if query else "")


def request_url(facts: RequestFacts, trusted_proxies: int = 0) -> str:
    """The URL rebuilt from the request itself (and trusted forwarding headers)."""
    scheme, netloc = forwarded_origin(
        facts.scheme, facts.host, facts.headers, trusted_proxies, facts.server_port
    )
    prefix = _hop_value(facts.headers.get("X-Forwarded-Prefix"), trusted_proxies) or ""
    path, query = _escaped_path(facts, with_script=True)
    return _join(f"{scheme}://{netloc}{prefix.rstrip('/')}", path, query)


def public_url(public_base_url: str, facts: RequestFacts) -> str:
    """The URL under the configured public base (which includes any path prefix).

    >>> public_url("https://ivr.example.dk/", RequestFacts("http", "app", "/hooks/voice", "a=1"))
    'https://ivr.example.dk/hooks/voice?a=1'
    """
    path, query = _escaped_path(facts, with_script=False)
    return _join(public_base_url.rstrip("/"), path, query)


def candidate_urls(
    facts: RequestFacts, public_base_url: str | None, trusted_proxies: int = 0
) -> list[str]:
    """The URLs the provider may have signed, the configured public one first."""
    found: list[str] = []
    if public_base_url:
        found.append(public_url(public_base_url, facts))
    rebuilt = request_url(facts, trusted_proxies)
    if rebuilt not in found:
        found.append(rebuilt)
    return found
