"""Safe outbound HTTP: the one guard for requests to addresses people type in — links to check
(app/sources/link_check.py) and webhook receivers (app/webhooks/worker.py) — so that neither
reaches this machine or its private network.

The name is resolved here and the hop refused when any address it resolves to is not public
(private, loopback, link-local, unspecified, multicast, reserved, shared, IPv4-mapped or
-translated forms of those); then the connection is made to the address it checked — never to
the name again — sending the name as the Host header and, for https, as the TLS server name
(SNI) and certificate name. So a name cannot answer the check with a public address and the
connection with a private one (DNS rebinding). Redirects are the caller's: the link checker
checks every hop again through here; the webhook worker does not follow them (a receiver that
answers 3xx has answered).

Plain http.client over a socket we open ourselves: no HTTP client library is in the production
lock, and this is the one place that needs to control the connect. `allow_loopback` lets tests
and a developer's own machine reach 127.0.0.0/8 and ::1 (nothing else private); the settings
refuse it in production (app/settings.py).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024


class Refused(Exception):
    """The URL is not one we connect to: bad scheme, credentials, or a non-public address."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    # Path and query, as sent in the request line.
    path: str


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes


def public_address(
    address: str, *, allow_loopback: bool
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """`address` if we may connect to it; Refused otherwise."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:10.0.0.1, 2002:a00:1:: and 64:ff9b::a00:1 reach IPv4 hosts: judge the IPv4 one.
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


def target(url: str) -> Target:
    """What `url` asks to reach, or Refused: http(s) with a host name, no credentials."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"not an http(s) address with a host name: {url[:100]}")
    if parts.username or parts.password:
        raise Refused("addresses with a user name or password are not reached")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise Refused(str(error)) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path)


def resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to for `host`: every address it resolves to must be public.
    A name that does not resolve is OSError (network trouble), not Refused."""
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


def connect(
    url: str, *, allow_loopback: bool, timeout: float
) -> tuple[http.client.HTTPConnection, Target]:
    """An HTTP connection to `url`'s checked address (the caller sends and closes it)."""
    where = target(url)
    address = resolve(where.host, where.port, allow_loopback=allow_loopback)
    sock = socket.create_connection((address, where.port), timeout=timeout)
    try:
        if where.scheme == "https":
            # The certificate is checked against the name, not the address we connected to.
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=where.host)
    except BaseException:
        sock.close()
        raise
    # The connection is ours (to the checked address); http.client only speaks HTTP on it and
    # sends Host from the name it was given.
    connection = http.client.HTTPConnection(where.host, where.port, timeout=timeout)
    connection.sock = sock
    return connection, where


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_loopback: bool = False,
) -> OutboundResponse:
    """POST `body` to `url` if it is a public address (Refused if not; OSError and
    http.client errors for network trouble). Reads at most MAX_RESPONSE_BYTES of the answer."""
    connection, where = connect(url, allow_loopback=allow_loopback, timeout=timeout)
    try:
        connection.request("POST", where.path, body=body, headers=headers)
        response = connection.getresponse()
        return OutboundResponse(response.status, response.read(MAX_RESPONSE_BYTES))
    finally:
        connection.close()
