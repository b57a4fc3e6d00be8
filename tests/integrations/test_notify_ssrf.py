"""SSRF protection: internal addresses refused, checked again at delivery, connection pinned."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from integrations.notify import ChannelConfigError, Notification, Outcome
from integrations.notify.channels.webhook import WebhookChannel
from integrations.notify.ssrf import (
    ResolutionFailed,
    UnsafeTarget,
    check_target,
    forbidden_reason,
    system_resolver,
)
from tests.integrations.webhook_receiver import WebhookReceiver

PUBLIC = "93.184.215.14"


def fixed(*answers: str):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> Sequence[str]:
        return list(answers)

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.8.9.10:8080/",
        "https://10.1.2.3/",
        "http://172.16.0.5/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a00:1]/",  # IPv4-mapped 10.0.0.1
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[fc00::1]/",
        "http://[fe80::1]/",
        "http://[ff02::1]/",
        "http://[::]/",
        "http://2130706433/",  # 127.0.0.1 as one number, resolved by getaddrinfo
        "http://127.1/",
        "http://0x7f.1/",
    ],
)
def test_internal_literals_are_refused(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_target(url)


def test_a_hostname_resolving_to_loopback_is_refused() -> None:
    assert "127.0.0.1" in system_resolver("localhost", 80) or "::1" in system_resolver(
        "localhost", 80
    )
    with pytest.raises(UnsafeTarget, match="loopback"):
        check_target("http://localhost:8080/hook")


def test_one_internal_record_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(UnsafeTarget, match="private"):
        check_target("https://hooks.example.com/", resolver=fixed(PUBLIC, "10.0.0.7"))


def test_public_targets_pass_and_keep_host_port_path() -> None:
    target = check_target(
        "https://hooks.example.com/in/ivr?x=1", resolver=fixed(PUBLIC, "2606:2800:21f:cb07::1")
    )
    assert target.host == "hooks.example.com"
    assert target.port == 443
    assert target.path == "/in/ivr?x=1"
    assert [str(a) for a in target.addresses] == [PUBLIC, "2606:2800:21f:cb07::1"]
    assert check_target(f"http://{PUBLIC}:8080").port == 8080


def test_the_allow_setting_admits_internal_targets() -> None:
    target = check_target("http://127.0.0.1:9/x", allow_private_targets=True)
    assert target.addresses == (ipaddress.ip_address("127.0.0.1"),)
    assert check_target("http://[::1]/", allow_private_targets=True).addresses[0].version == 6


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
        "http:///nohost",
        "http://[::1/",
    ],
)
def test_malformed_or_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        check_target(url, allow_private_targets=True, resolver=fixed(PUBLIC))


def test_no_answer_is_a_resolution_failure() -> None:
    with pytest.raises(ResolutionFailed):
        check_target("https://hooks.example.com/", resolver=fixed())


def test_forbidden_reason_names_the_range() -> None:
    assert forbidden_reason(ipaddress.ip_address("::ffff:127.0.0.1")) == (
        "loopback address 127.0.0.1 (inside ::ffff:7f00:1)"
    )
    assert forbidden_reason(ipaddress.ip_address("169.254.1.1")).startswith("link-local")  # type: ignore[union-attr]
    assert forbidden_reason(ipaddress.ip_address(PUBLIC)) is None


def _notification() -> Notification:
    return Notification(
        event="call.completed", occurred_at=datetime(2026, 1, 1, tzinfo=UTC), object_id=1
    )


def test_dns_rebinding_after_registration_is_refused_at_delivery(webhook_secret: str) -> None:
    answers = [PUBLIC]
    channel = WebhookChannel(resolver=lambda host, port: list(answers))
    config = {"url": "https://hooks.example.com/in", "secret": webhook_secret}
    channel.validate_target(config)  # public at registration time

    answers[:] = ["127.0.0.1"]  # the attacker's DNS now answers loopback
    result = channel.deliver(_notification(), config, idempotency_key="k", timeout=1)

    assert result.outcome is Outcome.PERMANENT
    assert "loopback" in result.reason


def test_delivery_connects_to_the_checked_address_and_names_the_real_host(
    webhook_receiver: WebhookReceiver, webhook_secret: str
) -> None:
    port = webhook_receiver.url.split(":")[2].split("/")[0]
    lookups: list[str] = []

    def resolve(host: str, _port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    channel = WebhookChannel(allow_private_targets=True, resolver=resolve)
    config = {"url": f"http://hooks.internal.test:{port}/hooks/ivr", "secret": webhook_secret}
    result = channel.deliver(_notification(), config, idempotency_key="k", timeout=5)

    assert result.ok, result.reason
    assert lookups == ["hooks.internal.test"]  # one lookup, the checked one is used
    assert webhook_receiver.received[0].headers["host"] == f"hooks.internal.test:{port}"


def test_registration_refusal_lists_the_reason_under_url(webhook_secret: str) -> None:
    channel = WebhookChannel(resolver=fixed("10.0.0.1"))
    with pytest.raises(ChannelConfigError) as info:
        channel.validate_target({"url": "https://intranet.example.com/", "secret": webhook_secret})
    assert "private" in info.value.messages["url"][0]
