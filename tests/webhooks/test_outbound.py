"""app/outbound.py refuses what must not be reached from here, before any connection: loopback,
private, link-local and odd addresses, by name or by number; and posts to the address it checked."""

from __future__ import annotations

import pytest

from app.outbound import Refused, post
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
