"""app/outbound.py refuses what must not be reached from here, before any connection: loopback,
private, link-local and odd addresses, by name or by number; and posts to the address it checked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app import outbound
from app.outbound import Refused, post
from app.settings import Settings
from tests.webhooks.receiver import receiver


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost:9/x",
        "http://[::1]:9/x",
        "http://10.0.0.1/x",
        "http://192.168.1.1/x",
        "http://172.16.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "http://2130706433/x",
        "ftp://example.org/x",
        "http://user:pw@example.org/x",
        "http:///x",
        "http://example.org:99999/x",
    ],
)
def test_refused_before_connecting(url) -> None:
    with pytest.raises(Refused):
        post(url, b"{}", {}, timeout=1)


def test_loopback_only_when_allowed_and_answers_are_read() -> None:
    with receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") as (url, got):
        with pytest.raises(Refused):
            post(url, b"{}", {}, timeout=2)
        answer = post(
            url, b"{}", {"content-type": "application/json"}, timeout=2, allow_loopback=True
        )
        # Unsigned: the receiver refuses it, and that answer comes back whole.
        assert answer.status == 400 and got.bad_signatures == 1


def test_loopback_receivers_can_never_be_allowed_in_production() -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_ALLOW_LOOPBACK"):
        Settings(
            environment="production",
            webhook_allow_loopback=True,
            secret_key="x" * 64,
            base_url="https://parley.example.org",
        )


def test_one_guard_for_webhooks_and_the_link_checker() -> None:
    """The link checker refuses what the worker refuses: they share app/outbound.py."""
    from app.sources import link_check

    assert link_check.connect is outbound.connect
    for address in ("2002:a00:1::", "64:ff9b::a00:1", "::ffff:10.0.0.1", "100.64.0.1"):
        with pytest.raises(Refused):
            outbound.public_address(address, allow_loopback=True)
