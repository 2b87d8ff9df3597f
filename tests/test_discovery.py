"""`scrapy crawl news` on a generated site without a profile (tests/newssite.py, served on 127.0.0.1):
from the homepage alone, from robots.txt's sitemap alone and through links alone, every story once,
no record for anything else, duplicates written once at the canonical URL."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT
from .newssite import SCHEMES, NewsSite, NewsSiteServer
from .sites import make_site, story_html, story_url

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]  # fmt: skip


def crawl(start: str, out: Path, *settings: str) -> tuple[list[dict], str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start={start}", "-O", f"{out}:jsonl"]
    result = subprocess.run(
        [*command, *FAST, *settings], cwd=ROOT, capture_output=True, text=True, timeout=300
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], result.stderr


def stat(log: str, key: str) -> int:
    marker = f"'{key}': "
    return int(log.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0]) if marker in log else 0


@pytest.fixture(scope="module")
def home():
    with NewsSiteServer(NewsSite(300, seed=11)) as server:
        yield server


@pytest.fixture(scope="module")
def homepage_crawl(home, tmp_path_factory):
    out = tmp_path_factory.mktemp("home") / "out.jsonl"
    before = len(home.requests)
    records, log = crawl(home.base_url + "/", out)
    return records, log, home.requests[before:]


def check_stories(site: NewsSite, records: list[dict], expected: list[str] | None = None) -> dict[str, dict]:
    """Each story at most once, no record that is not a story, and at least 98% of the ``expected``
    stories (all of the site's by default)."""
    stories = site.stories()
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), [u for u, n in Counter(urls).items() if n > 1]
    assert not [u for u in urls if u not in stories]
    wanted = set(expected if expected is not None else stories)
    assert len(set(urls) & wanted) >= 0.98 * len(wanted), sorted(wanted - set(urls))[:10]
    return {r["url"]: r for r in records}


def test_from_the_homepage_alone_every_story_once_and_nothing_else(home, homepage_crawl):
    records, log, requests = homepage_crawl
    found = check_stories(home.site, records)
    stories = home.site.stories()
    assert {stories[u].scheme for u in found} == set(SCHEMES)
    # the extractor, not the URL, turned the homepage, sections, archives and videos down
    assert stat(log, "euspider/dropped/listing") >= 40 and stat(log, "euspider/dropped/too_short") >= 3
    assert stat(log, "euspider/discovery/robots") == 1 and stat(log, "euspider/discovery/sitemap") >= 3
    assert stat(log, "euspider/discovery/feed") >= 3  # /feed/, and the Atom and JSON feeds the homepage announces
    # furniture and assets are never fetched, nor the other host (127.0.0.2)
    assert not [r for r in requests if r.split("/")[1].split("?")[0] in {"tag", "author", "login", "share", "print"}]
    assert not [r for r in requests if "print=1" in r or r.startswith(("/search", "/img/", "/comments/"))]
    assert stat(log, "euspider/leads/skipped/furniture") > 0 and stat(log, "euspider/leads/skipped/offsite") > 0


def test_link_dates_reach_stories_whose_pages_show_none(home, homepage_crawl):
    """Pages at /a/<id> show no date: the listings, feeds and sitemaps that link to them do, and were
    read before the stories were fetched."""
    records, _, _ = homepage_crawl
    stories = home.site.stories()
    legacy = [(r, stories[r["url"]]) for r in records if stories[r["url"]].scheme == "id"]
    assert len(legacy) >= 40
    dated = [r for r, story in legacy if (r["published"] or "")[:10] == story.published.date().isoformat()]
    assert len(dated) >= 0.95 * len(legacy)
    assert all(r["published_source"].startswith("link:") for r in dated)
    others = [(r, stories[r["url"]]) for r in records if stories[r["url"]].scheme != "id"]
    assert all((r["published"] or "")[:10] == s.published.date().isoformat() for r, s in others)


def test_tracking_parameters_and_aliases_give_no_second_record(home, homepage_crawl):
    records, log, requests = homepage_crawl
    urls = {r["url"] for r in records}
    assert not [u for u in urls if "utm_" in u or "fbclid" in u or "/go/" in u]
    # the feed's ?utm_source=rss links and the trending ?fbclid= links were fetched clean, and no page twice
    assert not [r for r in requests if "utm_" in r or "fbclid" in r]
    pages = Counter(r for r in requests if not r.startswith(("/sitemap", "/feed", "/robots")))
    assert max(pages.values()) == 1, pages.most_common(3)
    # every alias the crawl met (Most read, the JSON Feed) was noted, its story written once
    aliases = home.site.aliases()
    met = [alias for alias in aliases if alias.removeprefix(home.base_url) in requests]
    assert met
    assert stat(log, "euspider/leads/alias") == len(met)
    assert all(aliases[alias] in urls for alias in met)


def test_from_the_robots_sitemap_alone(tmp_path):
    with NewsSiteServer(NewsSite(200, seed=23)) as server:
        records, log = crawl(server.base_url + "/robots.txt", tmp_path / "out.jsonl")
        by_url = check_stories(server.site, records)
        # sitemap entries are fetched, not followed: no section page beyond the first, no feed
        assert not [r for r in server.requests if "/page/" in r or "page=" in r or "feed" in r]
        assert stat(log, "euspider/discovery/sitemap") == 4  # the index, posts, news, pages
        # the news sitemap's publication dates reached the newest stories' evidence
        newest = [by_url[server.site.url(server.site.path_of(n))] for n in range(200, 150, -1)]
        assert all(any(e["source"] == "link:sitemap-news" for e in r["date_evidence"]) for r in newest)


def test_through_links_alone(tmp_path):
    with NewsSiteServer(NewsSite(150, seed=31, sitemaps=False, feeds=False)) as server:
        records, log = crawl(server.base_url + "/", tmp_path / "out.jsonl")
        check_stories(server.site, records)
        assert stat(log, "euspider/discovery/sitemap") == 0
        assert stat(log, "euspider/discovery/absent") >= 2  # no /feed/, no /sitemap.xml: not failures


def test_an_alias_gives_one_record_at_the_canonical_url(tmp_path):
    """The JSON Feed links /go/50, whose rel=canonical names the story's own address; nothing else
    links the story. The alias is fetched first; the record is the canonical page's."""
    with NewsSiteServer(NewsSite(60, seed=5)) as server:
        records, log = crawl(f"{server.base_url}/feed.json", tmp_path / "out.jsonl")
        listed = [server.site.url(server.site.path_of(n)) for n in range(55, 30, -1)]  # the feed's 25 items
        by_url = check_stories(server.site, records, listed)
        story, alias = server.site.url(server.site.path_of(50)), f"{server.base_url}/go/50"
        assert by_url[story]["duplicate_urls"] == [alias]
        assert server.requests.index("/go/50") < server.requests.index(server.site.path_of(50))
        # the alias is extracted too, its record held back and dropped once the story's was written
        assert stat(log, "euspider/leads/alias") == 1 and stat(log, "euspider/dedupe/alias") == 1
        assert stat(log, "euspider/items/extracted") == len(records) + 1


def test_a_tracking_parameter_gives_one_record_at_the_clean_url(tmp_path):
    """The RSS feed links every story with ?utm_source=rss&utm_medium=feed&utm_campaign=latest; the
    URL file names the same stories without."""
    with NewsSiteServer(NewsSite(60, seed=5)) as server:
        clean = [server.site.url(server.site.path_of(n)) for n in range(60, 30, -1)]
        (tmp_path / "urls.txt").write_text("\n".join(clean), encoding="utf-8")
        records, _ = crawl(f"{server.base_url}/feed/", tmp_path / "out.jsonl", "-a", f"urls={tmp_path / 'urls.txt'}")
        by_url = check_stories(server.site, records, clean)
        assert sorted(by_url) == sorted(clean)
        assert not [r for r in server.requests if "utm_" in r]
        assert all(server.requests.count(url.removeprefix(server.base_url)) == 1 for url in clean)


def test_stopped_with_sigterm_and_run_again_every_story_once(tmp_path):
    """A scheduled crawl stopped the way a service manager stops it resumes from its lead store: the
    sitemaps are not read again, and every story is written once across the two processes."""
    with NewsSiteServer(NewsSite(120, seed=41)) as server:
        command = [
            sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start={server.base_url}/robots.txt", *FAST,
            "-s", f"JOBDIR={tmp_path / 'job'}", "-s", f"EUSPIDER_RUN_DIR={tmp_path / 'runs'}",
            "-s", "CONCURRENT_REQUESTS=2", "-s", "EUSPIDER_WORKERS=1",
        ]  # fmt: skip

        def written() -> int:
            return sum(len(p.read_bytes().splitlines()) for p in (tmp_path / "runs").glob("*.jsonl"))

        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if (tmp_path / "runs").exists() and written() >= 20:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 0
        first = written()
        assert 20 <= first < 120
        assert (tmp_path / "job" / "euspider-leads.sqlite").exists()  # stopped, not finished: kept
        sitemaps = [r for r in server.requests if r.startswith("/sitemap")]

        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "resuming with the lead store" in result.stderr
        assert [r for r in server.requests if r.startswith("/sitemap")] == sitemaps
        [output] = (tmp_path / "runs").glob("*.jsonl")  # one run, continued
        records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
        check_stories(server.site, records)
        assert not (tmp_path / "job" / "euspider-leads.sqlite").exists()  # finished: the next run starts afresh


@pytest.mark.slow
def test_a_sitemap_of_200000_urls_streams_records(tmp_path):
    """Sitemaps listing 200,000 stories, stopped after 300 records: each record a story, none twice
    (the figures, time and memory, are bench/discovery.py's)."""
    with NewsSiteServer(NewsSite(sitemap_urls=200_000, seed=3)) as server:
        records, log = crawl(f"{server.base_url}/robots.txt", tmp_path / "out.jsonl", "-s", "CLOSESPIDER_ITEMCOUNT=300")
        urls = [r["url"] for r in records]
        assert len(urls) >= 300 and len(set(urls)) == len(urls)
        assert all(server.site.paths.get(u.removeprefix(server.base_url), 0) > 0 for u in urls)
        assert stat(log, "euspider/leads/new") > 20_000


def test_an_alias_whose_canonical_page_is_gone_is_written_itself(tmp_path):
    """A page naming a removed page as its address: the crawl tries the canonical page (404), and the
    alias's record, held back, is written when the crawl runs dry."""
    moved = story_url(1).replace("/politics/", "/archive/politics/")
    pages = {
        "https://news.example/politics": (
            f"<html><body><h1>Politics</h1><ul><li><a href='{story_url(1)}'>Story one of the crawl test, told "
            f"at length</a></li><li><a href='{story_url(2)}'>Story two of the crawl test, told at length</a></li>"
            "</ul></body></html>"
        ).encode(),
        story_url(1): story_html(1).replace("<head>", f"<head><link rel='canonical' href='{moved}'>").encode(),
        story_url(2): story_html(2).encode(),
    }
    site = make_site(tmp_path / "site", pages)
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "start=https://news.example/politics",
         "-a", f"mirror={site}", "-O", f"{out}:jsonl", "-s", "LOG_LEVEL=DEBUG"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["url"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert sorted(records) == sorted([story_url(1), story_url(2)])
    assert records[story_url(1)]["canonical_url"] == moved
    # the canonical page was asked for, and is gone
    assert [line for line in result.stderr.splitlines() if "(404)" in line and "/archive/politics/1/" in line]
    assert "gave no story: its own record is written" in result.stderr
