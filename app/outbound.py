"""Safe outbound HTTP: requests to addresses that people type in (webhook receivers, and links to
check) must not reach this machine or its private network.

The name is resolved here, every address it resolves to is checked, and the connection is made
to the checked address itself (the Host header and, for https, SNI and the certificate carry the
name), so a DNS answer that changes between the check and the connection (rebinding) cannot
slip a private address through. Redirects are not followed: a receiver that answers 3xx has
answered. `allow_private` is for tests and a developer's own machine only.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024


class RefusedAddress(Exception):
    """The URL is not one we send to: bad scheme, no host, or a non-public address."""


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: bytes


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path-and-query) of an http(s) URL, or RefusedAddress."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("only http and https addresses with a host name are sent to")
    if parts.username or parts.password:
        raise RefusedAddress("addresses with a user name or password are not sent to")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise RefusedAddress(str(error)) from None
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return parts.scheme, parts.hostname, port, path


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The first address `host` resolves to, once every one of them has been checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedAddress(f"{host} does not resolve: {error}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        for address in addresses:
            if not is_public(ipaddress.ip_address(address.split("%")[0])):
                raise RefusedAddress(f"{host} resolves to {address}, which is not public")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name, not the address we connected to.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_private: bool = False,
) -> OutboundResponse:
    """POST `body` to `url` if it is a public address (RefusedAddress if not; OSError and
    http.client errors for network trouble). Reads at most MAX_RESPONSE_BYTES of the answer."""
    scheme, host, port, path = check_url(url)
    address = resolve(host, port, allow_private=allow_private)
    kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = kind(host, port, address, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return OutboundResponse(response.status, response.read(MAX_RESPONSE_BYTES))
    finally:
        connection.close()
