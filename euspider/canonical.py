"""One address per page: URL canonicalisation, tracking parameters, sites, declared canonicals (pure).

Every URL a crawl meets is canonicalised before anything else looks at it (the lead store, the
dedupe, the record): w3lib's :func:`~w3lib.url.canonicalize_url` (query arguments sorted, percent
encoding normalised, fragment dropped, host lower-cased), the default port dropped, and tracking
parameters removed (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid`` and the others in
:data:`TRACKING_PARAMETERS`), so ``/story?utm_source=rss`` and ``/story`` are one lead and one
record. A page may name its own address (``<link rel="canonical">``); :func:`declared_canonical`
reads it, and the crawl lets it win when it is on the same site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement
from w3lib.url import canonicalize_url

from .dom import absolute
from .sites import Profile, profile_for

#: Query parameters that say where a click came from, never which page it is.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid", "li_fat_id",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "igshid", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "vero_conv", "wt_mc", "wt_zmc", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
        "ns_fee", "cmpid", "ncid", "sr_share", "at_medium", "at_campaign", "at_custom1", "ref_src", "ref_url",
        "s_cid", "ocid", "spm", "__twitter_impression",
    }
)  # fmt: skip
#: Prefixes of tracking parameter families (``utm_source``, ``utm_medium``, ``pk_campaign``, ...).
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "itm_", "stm_")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMETERS or lowered.startswith(TRACKING_PREFIXES)


#: URLs that canonicalisation leaves as they are: lower-case scheme and host, a path of characters
#: never escaped, no query, no fragment (most story URLs; checked first because a sitemap has 50,000)
_PLAIN = re.compile(r"https?://[a-z0-9.-]+(?::(?!80/|443/)\d+)?/(?!.*/\.)(?!\.)[A-Za-z0-9._~!$&'()*+,=:@/-]*")


def canonical_url(url: str) -> str:
    """The one spelling of ``url`` a crawl uses: canonicalised, without tracking parameters,
    fragment or default port. Not an http(s) URL: returned unchanged."""
    if _PLAIN.fullmatch(url):
        return url
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return url
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    netloc = parts.netloc
    try:
        port = parts.port
    except ValueError:
        return url
    if port is not None and str(port) == _DEFAULT_PORTS[parts.scheme.lower()]:
        netloc = netloc.rsplit(":", 1)[0]
    try:
        return canonicalize_url(urlunsplit((parts.scheme, netloc, parts.path or "/", query, "")))
    except ValueError:
        return url


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def site_of(url: str, profiles: Iterable[Profile] | None = None) -> str:
    """The site a URL belongs to: its profile's main host, else its host without ``www.`` and, with
    three or more labels, without the first one (``xml.euobserver.com`` -> ``euobserver.com``).
    An IP address is its own site (``127.0.0.2`` is another site than ``127.0.0.1``)."""
    profile = profile_for(url, profiles) if profiles is not None else profile_for(url)
    if profile is not None:
        return profile.hosts[0]
    host = host_of(url).removeprefix("www.")
    labels = host.split(".")
    return ".".join(labels[1:]) if len(labels) >= 3 and not host.replace(".", "").isdigit() else host


def on_sites(url: str, domains: Iterable[str]) -> bool:
    """True when the URL's host is one of ``domains`` or a subdomain of one (as Scrapy's offsite
    filter decides), so only same-site URLs become leads."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains if d)


def declared_canonical(tree: HtmlElement, page_url: str) -> str | None:
    """The page's ``<link rel="canonical">`` as a canonical URL, or None when it names none (or an
    unusable one). ``og:url`` is not used: sites often fill it with their homepage."""
    upper, lower = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"  # rel values ignore case
    rel = f"concat(' ', normalize-space(translate(@rel, '{upper}', '{lower}')), ' ')"
    for href in tree.xpath(f"//link[contains({rel}, ' canonical ')]/@href"):
        target = absolute(page_url, str(href))
        if target and target.startswith(("http://", "https://")):
            return canonical_url(target)
        return None
    return None


def names_another_page(url: str, canonical: str) -> bool:
    """Whether a page at ``url`` declaring ``canonical`` is an alias of another page of its site.
    A canonical on another site is not followed, and one naming the site's root from a deeper page is
    a broken template (every page would be the homepage), not an alias."""
    if not canonical or canonical == url or site_of(canonical) != site_of(url):
        return False

    def root(address: str) -> bool:
        parts = urlsplit(address)
        return parts.path in {"", "/"} and not parts.query

    return not root(canonical) or root(url)
