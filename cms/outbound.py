"""Requests this site makes to addresses someone else typed in (--fetch-images, webhook targets).

An address we are told to reach must not turn the server into a probe of its own network: the host
is resolved, every address it resolves to must be public (or in a network the caller's setting
allows), and the connection goes to the address that was checked, so a DNS answer that changes
between the check and the connect (DNS rebinding) reaches nothing new.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit


class RefusedAddress(Exception):
    """A host we will not connect to. str(exc) says which host and why."""


def default_port(parts):
    """The port of a urlsplit() result, with the scheme's default."""
    return parts.port or (443 if parts.scheme == "https" else 80)


def checked_address(host, port, allowed_networks):
    """The address to connect to for `host`: the first it resolves to, once every one of them is
    public or inside one of `allowed_networks` (CIDR strings, e.g. "10.0.0.0/8")."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RefusedAddress(f"its host {host!r} does not resolve") from exc
    allowed = [ipaddress.ip_network(net) for net in allowed_networks]
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if any(address in net for net in allowed):
            continue
        if not address.is_global or address.is_multicast:
            raise RefusedAddress(
                f"its host {host!r} is a private, loopback or link-local address ({address})"
            )
    if not addresses:
        raise RefusedAddress(f"its host {host!r} has no address")
    return str(addresses[0])


def checked_url_address(url, allowed_networks):
    """The address to connect to for `url`, an http or https URL whose host passes checked_address;
    RefusedAddress for any other URL."""
    try:
        parts = urlsplit(url)
        port = default_port(parts)
    except ValueError as exc:  # an unclosed [IPv6 literal], a port that is not a number
        raise RefusedAddress(f"it is not a valid address ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress("only http and https addresses are allowed")
    if not parts.hostname:
        raise RefusedAddress("it names no host")
    return checked_address(parts.hostname, port, allowed_networks)


class PinnedConnection:
    """An HTTP(S) connection to the address we checked, with the URL's host for Host and TLS.
    It follows no redirects: callers decide what a 3xx means."""

    def __init__(self, parts, address, timeout):
        port = default_port(parts)
        if parts.scheme == "https":
            self._conn = http.client.HTTPSConnection(
                parts.hostname, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            self._conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
        self._conn.sock = None
        original_create = socket.create_connection

        def connect():
            sock = original_create((address, port), timeout)
            if parts.scheme == "https":
                sock = self._conn._context.wrap_socket(sock, server_hostname=parts.hostname)
            self._conn.sock = sock

        self._conn.connect = connect

    def request(self, *args, **kwargs):
        return self._conn.request(*args, **kwargs)

    def getresponse(self):
        return self._conn.getresponse()

    def close(self):
        self._conn.close()
