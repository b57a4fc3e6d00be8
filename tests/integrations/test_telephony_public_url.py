"""Rebuilding the signed URL behind proxies: scheme, host, port, path, query."""

from __future__ import annotations

import pytest

from integrations.telephony import RequestFacts, candidate_urls, request_url
from integrations.telephony.public_url import forwarded_origin, public_url


def facts(**values):
    base = {"scheme": "http", "host": "127.0.0.1:8000", "path": "/hooks/voice", "query": ""}
    return RequestFacts(**{**base, **values})


def test_direct_request_keeps_its_non_default_port():
    assert request_url(facts()) == "http://127.0.0.1:8000/hooks/voice"


@pytest.mark.parametrize(
    ("scheme", "host", "expected"),
    [
        ("http", "ivr.example.dk:80", "http://ivr.example.dk/hooks/voice"),
        ("https", "ivr.example.dk:443", "https://ivr.example.dk/hooks/voice"),
        ("https", "ivr.example.dk:8443", "https://ivr.example.dk:8443/hooks/voice"),
        ("http", "IVR.Example.DK", "http://ivr.example.dk/hooks/voice"),
        ("http", "[::1]:8000", "http://[::1]:8000/hooks/voice"),
    ],
)
def test_default_ports_are_dropped_others_kept(scheme, host, expected):
    assert request_url(facts(scheme=scheme, host=host)) == expected


def test_tls_terminator_with_trusted_proxy():
    seen = facts(
        host="ivr.example.dk",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ivr.example.dk"},
    )
    assert request_url(seen, trusted_proxies=1) == "https://ivr.example.dk/hooks/voice"


def test_forwarding_headers_are_ignored_without_trusted_proxies():
    seen = facts(headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert request_url(seen, trusted_proxies=0) == "http://127.0.0.1:8000/hooks/voice"


def test_only_the_trusted_hop_counts():
    headers = {"X-Forwarded-Proto": "http, https", "X-Forwarded-Host": "spoofed, ivr.example.dk"}
    assert forwarded_origin("http", "app", headers, 1) == ("https", "ivr.example.dk")
    assert forwarded_origin("http", "app", headers, 2) == ("http", "spoofed")
    # Fewer values than trusted hops: the header is not believed.
    assert forwarded_origin("http", "app", {"X-Forwarded-Proto": "https"}, 2) == ("http", "app")


def test_forwarded_port():
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Port": "8443"}
    assert forwarded_origin("http", "ivr.example.dk", headers, 1) == (
        "https",
        "ivr.example.dk:8443",
    )
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"}
    assert forwarded_origin("http", "ivr.example.dk:8000", headers, 1) == (
        "https",
        "ivr.example.dk",
    )


def test_query_string_is_kept_whole_and_in_order():
    seen = facts(path="/hooks/voice/3/menu/result", query="tries=1&a=%2B45")
    assert request_url(seen).endswith("/hooks/voice/3/menu/result?tries=1&a=%2B45")


def test_raw_target_keeps_the_escaping_the_provider_used():
    seen = facts(path="/hooks/voice/3/før", raw_target="/hooks/voice/3/f%C3%B8r?x=1")
    assert request_url(seen) == "http://127.0.0.1:8000/hooks/voice/3/f%C3%B8r?x=1"


def test_decoded_path_is_escaped_like_the_provider_did():
    decoded = "/hooks/voice/3/før".encode().decode("latin-1")  # WSGI's PATH_INFO
    seen = facts(path=decoded, query="x=1")
    assert request_url(seen) == "http://127.0.0.1:8000/hooks/voice/3/f%C3%B8r?x=1"


def test_script_name_prefix():
    seen = facts(script_name="/ivr", path="/hooks/voice", raw_target="/ivr/hooks/voice")
    assert request_url(seen) == "http://127.0.0.1:8000/ivr/hooks/voice"
    assert public_url("https://x.example/ivr", seen) == "https://x.example/ivr/hooks/voice"


def test_forwarded_prefix_from_trusted_proxy():
    seen = facts(headers={"X-Forwarded-Prefix": "/ivr"})
    assert request_url(seen, 1) == "http://127.0.0.1:8000/ivr/hooks/voice"


def test_candidates_put_the_public_base_first_without_duplicates():
    seen = facts(query="a=1")
    assert candidate_urls(seen, "https://ivr.example.dk/") == [
        "https://ivr.example.dk/hooks/voice?a=1",
        "http://127.0.0.1:8000/hooks/voice?a=1",
    ]
    assert candidate_urls(seen, "http://127.0.0.1:8000") == [
        "http://127.0.0.1:8000/hooks/voice?a=1"
    ]
    assert candidate_urls(seen, None) == ["http://127.0.0.1:8000/hooks/voice?a=1"]
