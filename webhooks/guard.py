"""The SSRF guard: a webhook URL may only lead to the public internet.

An editor's URL (or a DNS answer that changed since) must not make our worker talk to this
machine, our private network or a cloud's metadata service. Every address the host resolves to
is checked, the IPv4 inside IPv4-mapped, 6to4 and NAT64 IPv6 addresses included, and the request
then connects to exactly the addresses checked (webhooks/client.py), so a second DNS answer
(rebinding) is never used. Hosts listed in DJANGO_WEBHOOK_ALLOWED_HOSTS skip the address check.

Federation (federation/fetch.py) uses the same guard with its own list of allowed hosts,
DJANGO_FEDERATION_ALLOWED_HOSTS: a remote server's actor or inbox URL is as untrusted as an
editor's webhook URL.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean…
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The URL may not be called; the message says why, for the editor."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]  # the checked addresses: connect to these and no others


def forbidden(ip: IPAddress) -> str | None:
    """Why a webhook may not go to this address (\"a loopback address\"), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            reason = forbidden(embedded)
            return f"{reason} (inside an IPv6 address)" if reason else None
    if ip in METADATA:
        return "a cloud metadata address"
    for reason, test in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),
    ):
        if test:
            return f"{'an' if reason[0] in 'aeiou' else 'a'} {reason} address"
    return None


@dataclass(frozen=True)
class Policy:
    """Who calls out (for the message) and which hosts skip the address check."""

    purpose: str  # "webhooks", "federation requests"
    setting: str  # the environment variable that lists the allowed hosts
    allowed_hosts: tuple[str, ...]


def webhook_policy() -> Policy:
    return Policy("webhooks", "DJANGO_WEBHOOK_ALLOWED_HOSTS", tuple(settings.WEBHOOK_ALLOWED_HOSTS))


def is_allowed_host(host: str, policy: Policy | None = None) -> bool:
    allowed = (policy or webhook_policy()).allowed_hosts
    return host.lower() in {name.strip("[]").lower() for name in allowed}


def check(url: str, policy: Policy | None = None) -> Target:
    """Resolve the URL's host and return where to connect, or raise Refused."""
    policy = policy or webhook_policy()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(f"This is not a usable URL ({error}).") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("Use an http:// or https:// URL.")
    if parts.username is not None or parts.password is not None:
        raise Refused("Put no user name or password in the URL: the signature proves who sent it.")
    host = parts.hostname
    if not host:
        raise Refused("The URL has no host.")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} cannot be resolved ({error}).") from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if not addresses:
        raise Refused(f"{host} cannot be resolved.")
    if not is_allowed_host(host, policy):
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone: fe80::1%eth0
            reason = forbidden(ip)
            if reason:
                named = host if host == address else f"{host} resolves to {address}, which"
                raise Refused(
                    f"{named} is {reason}: {policy.purpose} only go to the public internet "
                    f"(unless {policy.setting} lists the host)."
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)
