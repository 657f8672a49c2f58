"""`parley sources check`: fetch every source's URL and record whether it still answers.

Safety first, because an editor types the URLs: the checker resolves each name itself, refuses
the hop when any address it resolves to is not public (private, loopback, link-local,
unspecified, multicast, reserved, shared, IPv4-mapped or -translated forms of those), and then
connects to the address it checked — never to the name again — sending the name as the Host
header and, for https, as the TLS server name (SNI) and certificate name. So a name cannot
answer the check with a public address and the connection with a private one (DNS rebinding).
Every redirect hop is resolved and checked the same way, up to a limit.

Plain http.client over a socket we open ourselves: no HTTP client library is in the
production lock, and this is the one place that needs to control the connect.

Checks run in a bounded thread pool (settings.link_check_concurrency), each socket with a
timeout, and their results go to source_link_check (one row per source; no revisions: migration
0014 says why).
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LinkOutcome, Source, SourceLinkCheck
from app.models.link_check import DETAIL_MAX
from app.settings import Settings

USER_AGENT = "Parley link checker (+source archive check)"
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class LinkResult:
    url: str
    outcome: LinkOutcome
    status_code: int | None
    detail: str


class Refused(Exception):
    """The address is not one the checker may fetch."""


def public_address(
    address: str, *, allow_loopback: bool
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """`address` if the checker may connect to it; Refused otherwise."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1 and 64:ff9b::a00:1 reach IPv4 hosts: judge the IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            public_address(str(embedded), allow_loopback=allow_loopback)
            return ip
    if allow_loopback and ip.is_loopback:
        return ip
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        raise Refused(f"{ip} is not a public address")
    return ip


def resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to for `host`: every address it resolves to must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OSError(f"cannot resolve {host}: {error}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} has no address")
    for address in addresses:
        public_address(address, allow_loopback=allow_loopback)
    return addresses[0]


def _fetch_once(url: str, settings: Settings) -> tuple[int, str | None]:
    """One request to `url` at the checked address: its status and Location header."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) address: {url[:100]}")
    if parts.username or parts.password:
        raise Refused("addresses with a user name or password are not fetched")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    allow = settings.link_check_allow_loopback and settings.environment != "production"
    address = resolve(host, port, allow_loopback=allow)
    timeout = settings.link_check_timeout_s
    sock = socket.create_connection((address, port), timeout=timeout)
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=host)
        # The connection is ours (to the checked address); http.client only speaks HTTP on it
        # and sends Host from the name it was given.
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = sock
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        connection.request(
            "GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*", "Connection": "close"}
        )
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        sock.close()


def check_url(url: str, settings: Settings) -> LinkResult:
    """Follow `url` through at most settings.link_check_max_redirects redirects."""
    current = url
    try:
        for _hop in range(settings.link_check_max_redirects + 1):
            status, location = _fetch_once(current, settings)
            if status in REDIRECTS and location:
                current = urljoin(current, location)
                continue
            if 200 <= status < 400:
                return LinkResult(url, LinkOutcome.OK, status, f"HTTP {status}")
            return LinkResult(url, LinkOutcome.BROKEN, status, f"HTTP {status}")
        return LinkResult(
            url,
            LinkOutcome.BROKEN,
            None,
            f"more than {settings.link_check_max_redirects} redirects (a redirect loop?)",
        )
    except Refused as refused:
        return LinkResult(url, LinkOutcome.REFUSED, None, str(refused)[:DETAIL_MAX])
    except TimeoutError:
        return LinkResult(url, LinkOutcome.ERROR, None, "timed out")
    except (OSError, http.client.HTTPException, ValueError) as error:
        detail = f"{type(error).__name__}: {error}"
        return LinkResult(url, LinkOutcome.ERROR, None, detail[:DETAIL_MAX])


def check_urls(urls: Iterable[str], settings: Settings) -> list[LinkResult]:
    """Check every URL, at most settings.link_check_concurrency at once, in the given order."""
    with ThreadPoolExecutor(max_workers=settings.link_check_concurrency) as pool:
        return list(pool.map(lambda url: check_url(url, settings), urls))


def check_sources(session: Session, settings: Settings) -> dict[LinkOutcome, int]:
    """Check every source's URL and record each result; counts by outcome."""
    sources = session.execute(select(Source.id, Source.url).order_by(Source.id)).all()
    # The database connection is not held while the network is slow.
    session.rollback()
    results = check_urls([url for _, url in sources], settings)
    now = dt.datetime.now(dt.UTC)
    counts = dict.fromkeys(LinkOutcome, 0)
    for (source_id, _), result in zip(sources, results, strict=True):
        counts[result.outcome] += 1
        session.merge(
            SourceLinkCheck(
                source_id=source_id,
                outcome=result.outcome.value,
                status_code=result.status_code,
                detail=result.detail,
                checked_at=now,
            )
        )
    session.commit()
    return counts
