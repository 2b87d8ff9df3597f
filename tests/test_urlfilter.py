"""The URL filter on its own: what a crawl must never fetch. No request is ever made here, so private
and public addresses can be named safely."""

from __future__ import annotations

import pytest

from euspider.urlfilter import REFUSALS, refusal

REFUSED = [
    # only http and https
    ("file:///etc/passwd", "scheme"),
    ("data:text/html,<p>hello</p>", "scheme"),
    ("ftp://ftp.example.org/pub/story.html", "scheme"),
    ("gopher://example.org/", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("s3://bucket/key", "scheme"),
    # no readable host
    ("http:///path-only", "malformed"),
    ("http://exa mple.org/", "malformed"),
    ("http://example.org:99999/", "malformed"),
    ("http://example.org:port/", "malformed"),
    # a host hidden behind credentials
    ("http://news.example@10.0.0.1/", "credentials"),
    ("https://user:secret@news.example/story", "credentials"),
    # loopback, private, link-local, shared, reserved, multicast, unspecified: in every spelling
    ("http://127.0.0.1/", "private_address"),
    ("http://127.1/", "private_address"),
    ("http://2130706433/", "private_address"),
    ("http://0x7f000001/", "private_address"),
    ("http://0x7f.1/", "private_address"),
    ("http://0177.0.0.1/", "private_address"),
    ("http://10.1.2.3/admin", "private_address"),
    ("http://172.16.0.1/", "private_address"),
    ("http://192.168.1.1/", "private_address"),
    ("http://169.254.169.254/latest/meta-data/", "private_address"),
    ("http://100.64.0.1/", "private_address"),
    ("http://0.0.0.0:8080/", "private_address"),
    ("http://224.0.0.1/", "private_address"),
    ("http://240.0.0.1/", "private_address"),
    ("http://[::1]/", "private_address"),
    ("http://[::ffff:127.0.0.1]/", "private_address"),
    ("http://[::ffff:a9fe:a9fe]/", "private_address"),
    ("http://[fe80::1%25eth0]/", "private_address"),
    ("http://[fd00::1]/", "private_address"),
    ("http://[64:ff9b::a00:1]/", "private_address"),
    ("http://[2002:c0a8:101::]/", "private_address"),
    # names only a local network resolves
    ("http://localhost:8000/", "private_address"),
    ("http://LOCALHOST./", "private_address"),
    ("http://api.localhost/", "private_address"),
    ("http://printer.local/", "private_address"),
    ("http://metadata.google.internal/computeMetadata/v1/", "private_address"),
    ("http://intranet/", "private_address"),
    ("http://router.home.arpa/", "private_address"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED, ids=[u for u, _ in REFUSED])
def test_refused(url, reason):
    assert refusal(url) == reason
    assert reason in REFUSALS


ALLOWED = [
    "https://euobserver.com/world/26823",
    "http://xml.euobserver.com/rss.xml",
    "https://news.example/2024/05/01/a-story?utm_source=x#comments",
    "http://93.184.215.14/",  # a public address
    "http://8.8.8.8/",
    "http://[2001:4860:4860::8888]/",
    "http://bücher.example/",
    "HTTPS://EUOBSERVER.COM/",
    "http://euobserver.com./",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed(url):
    assert refusal(url) is None


def test_allowed_domains_keep_the_crawl_on_its_sites():
    domains = ["euobserver.com", "127.0.0.1"]
    assert refusal("https://euobserver.com/world", allowed_domains=domains) is None
    assert refusal("https://xml.euobserver.com/rss.xml", allowed_domains=domains) is None
    assert refusal("https://euobserver.com.evil.example/", allowed_domains=domains) == "offsite"
    assert refusal("https://noteuobserver.com/", allowed_domains=domains) == "offsite"
    assert refusal("http://127.0.0.2/", allowed_domains=domains) == "offsite"
    assert refusal("http://8.8.8.8/", allowed_domains=domains) == "offsite"
    # a scheme refusal comes first, whatever the host
    assert refusal("file://euobserver.com/etc/passwd", allowed_domains=domains) == "scheme"


def test_hosts_the_crawl_names_may_be_local():
    """A mirror or a test server on loopback, an intranet site: the user chose them."""
    assert refusal("http://127.0.0.1:8000/euobserver.com/", trusted_hosts=["127.0.0.1"]) is None
    assert refusal("http://127.0.0.1:8000/", allowed_domains=["127.0.0.1"]) is None
    assert refusal("http://intranet/news/1", trusted_hosts=["intranet"]) is None
    # the same address spelt otherwise is the same host
    assert refusal("http://2130706433/", trusted_hosts=["127.0.0.1"]) is None
    # but only that host
    assert refusal("http://127.0.0.2/", trusted_hosts=["127.0.0.1"]) == "private_address"
    assert refusal("http://169.254.169.254/", trusted_hosts=["127.0.0.1"]) == "private_address"
    assert refusal("http://127.0.0.1/", trusted_hosts=["0.0.1"]) == "private_address"
