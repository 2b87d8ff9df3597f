"""Which URLs a crawl may fetch at all (pure): the first line of defence against hostile pages.

A page, a feed, a sitemap or a redirect can point the crawler anywhere. :func:`refusal` says why a URL
must not be fetched, or ``None`` when it may be:

- ``scheme``: anything but ``http`` and ``https`` (``file:``, ``data:``, ``ftp:``, ``gopher:``...);
- ``malformed``: no host, an unreadable port, or characters that have no place in a host name;
- ``credentials``: a user name or password in the URL (``https://site.example@10.0.0.1/`` reads as
  one host and goes to another);
- ``private_address``: a host that is a literal loopback, private, link-local (cloud metadata
  ``169.254.169.254``), shared, multicast, reserved or unspecified address, in any spelling the
  resolver accepts (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``[::ffff:127.0.0.1]``), or a name
  that only a local network resolves (``localhost``, ``*.local``, ``*.internal``, a name without a
  dot) — unless the crawl itself names that host (``trusted``: its allowed domains and start URLs);
- ``offsite``: a host outside the crawl's allowed domains (when it has any).

Host names are not resolved here (no network in pure code): a public name that resolves to a private
address is the resolver's business.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

#: Refusal reasons, as they appear in stats (``euspider/refused/<reason>``) and logs.
REFUSALS = {
    "scheme": "not an http or https URL",
    "malformed": "no readable host",
    "credentials": "a user name or password in the URL",
    "private_address": "a loopback, private, link-local or reserved address, or a local-only name",
    "offsite": "outside the crawl's allowed domains",
}

SAFE_SCHEMES = frozenset({"http", "https"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".localdomain")
_BAD_HOST_CHARS = re.compile(r"[\x00-\x20\x7f/\\?#@<>\"{}|^`]")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host spells, in any form ``inet_aton`` and URL parsers accept; None for a name."""
    candidate = host.split("%", 1)[0]  # an IPv6 zone id
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(candidate) and any(ch.isdigit() for ch in candidate):
        parts = candidate.rstrip(".").split(".")
        # every part a decimal, octal or hex number: what the C resolver reads as an IPv4 address
        if all(re.fullmatch(r"0x[0-9a-f]*|[0-9]+", part) for part in parts):
            try:
                return ipaddress.IPv4Address(socket.inet_aton(candidate.rstrip(".")))
            except (OSError, ValueError):
                return None
    return None


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address on the public internet (not loopback, private, link-local, reserved...)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public_address(embedded)
        if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64: the IPv4 address in its low bits
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


def is_local_name(host: str) -> bool:
    """A host name only a local network resolves (``localhost``, ``printer.local``, ``intranet``)."""
    host = host.rstrip(".")
    return host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host


def host_matches(host: str, domains: Iterable[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one (as Scrapy's offsite filter reads them)."""
    host = host.rstrip(".")
    for name in domains:
        domain = name.lower().strip().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def refusal(url: str, *, allowed_domains: Iterable[str] = (), trusted_hosts: Iterable[str] = ()) -> str | None:
    """Why the crawler must not fetch ``url`` (a key of :data:`REFUSALS`), or None when it may.

    ``allowed_domains``: the crawl's domains (empty: any site). ``trusted_hosts``: hosts the crawl
    names itself (its allowed domains count too), which may be local or private (a mirror or a test
    server on loopback, an intranet site the user chose).
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises on an unreadable port
    except ValueError:
        return "malformed"
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return "scheme"
    if not host or _BAD_HOST_CHARS.search(host) or any(ch.isspace() for ch in parts.netloc):
        return "malformed"
    if parts.username is not None or parts.password is not None:
        return "credentials"
    allowed = [d for d in allowed_domains if d]
    if allowed and not host_matches(host, allowed):
        return "offsite"
    address = _ip(host)
    if address is None:
        if is_local_name(host) and not host_matches(host, [*trusted_hosts, *allowed]):
            return "private_address"
    elif not is_public_address(address) and address not in {_ip(h.lower()) for h in [*trusted_hosts, *allowed]}:
        return "private_address"  # an address is trusted only as itself, in whatever spelling
    return None
