"""Where a webhook may point: never, unless allowed, at the server's own network.

A URL is refused when its host resolves to a loopback, private, link-local, multicast, reserved
or unspecified address (any of its addresses: a host with one public and one private address
could be answered by either). Checked when a webhook is created and again before each attempt,
because what a name resolves to can change.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class UnsafeAddress(ValueError):
    """The URL cannot or may not be called; the message says why."""


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(url: str) -> list[str]:
    """The addresses the URL's host resolves to."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("the URL must be an absolute http or https URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeAddress(f"the URL's port is not valid: {error}") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeAddress(f"the host {parts.hostname!r} does not resolve ({error})") from None
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise `UnsafeAddress` when the URL does not resolve, or resolves to an internal address
    while those are not allowed."""
    addresses = resolve(url)
    if allow_private:
        return
    internal = [a for a in addresses if _is_internal(ipaddress.ip_address(a.split("%")[0]))]
    if internal:
        raise UnsafeAddress(
            f"the host resolves to {', '.join(internal)}: a loopback, private or link-local "
            "address, which webhooks may not call (ONDERBOUWD_WEBHOOK_ALLOW_PRIVATE=true allows "
            "it)"
        )
