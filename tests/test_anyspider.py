"""Any spider, one line: a project made with `scrapy startproject`, the ADDONS line, and
`yield Page.from_response(response)` gives the records the `euobserver` spider gives for the same pages;
a spider that cannot be edited gets them from `EUSPIDER_EXTRACT_CALLBACKS`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from euspider.items import Page
from euspider.spidermiddlewares import ExtractResponsesMiddleware

from .conftest import GOLDEN_PAGES, MIRROR_DIR, ROOT

STORIES = sorted(p.golden["url"] for p in GOLDEN_PAGES if p.golden["kind"] == "article")

NEWCOMER = """
import scrapy
from euspider.items import Page


class StoriesSpider(scrapy.Spider):
    name = "stories"
    start_urls = {urls!r}

    def parse(self, response):
        yield Page.from_response(response)
"""

# a spider written without euspider in mind, left as it is
UNEDITED = """
import scrapy


class HeadlinesSpider(scrapy.Spider):
    name = "headlines"
    start_urls = {urls!r}

    def parse(self, response):
        yield {{"headline": response.css("h1::text").get(), "link": response.url}}
"""

#: Fields that come from the dates the linking pages show (RSS pubDate, a listing's <time>) and the
#: (id, date) anchors the crawl learns from them: a spider that fetches only the stories has neither,
#: so for a story dated by them these fields differ; every other field is the same.
LINK_DATED = (
    "published",
    "published_precision",
    "published_earliest",
    "published_latest",
    "published_source",
    "date_mismatch",
    "date_evidence",
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """`scrapy startproject newsdesk`, then what a newcomer edits: the ADDONS line and one spider."""
    base = tmp_path_factory.mktemp("startproject")
    made = subprocess.run(
        [sys.executable, "-m", "scrapy", "startproject", "newsdesk"], cwd=base, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    project = base / "newsdesk"
    settings = project / "newsdesk" / "settings.py"
    text = settings.read_text(encoding="utf-8")
    assert "ADDONS = {}" in text, "the startproject template changed"
    settings.write_text(text.replace("ADDONS = {}", 'ADDONS = {"euspider.addon.Addon": 0}'), encoding="utf-8")
    spiders = project / "newsdesk" / "spiders"
    (spiders / "stories.py").write_text(NEWCOMER.format(urls=STORIES), encoding="utf-8")
    (spiders / "headlines.py").write_text(UNEDITED.format(urls=STORIES[:3]), encoding="utf-8")
    return project


def crawl(project: Path, spider: str, output: Path, *settings: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(output), "-s", f"EUSPIDER_MIRROR={MIRROR_DIR}"]
    # the template's one-second politeness delay, needless against a mirror on 127.0.0.1
    args += ["-s", "DOWNLOAD_DELAY=0"]
    for setting in settings:
        args += ["-s", setting]
    return subprocess.run(args, cwd=project, env=_env(), capture_output=True, text=True, timeout=300)


def by_url(path: Path) -> dict[str, dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {r["url"]: r for r in records if "content_hash" in r}


def comparable(record: dict) -> dict:
    """The record without the mirror server's ``Date`` header (the time it served the page), which
    differs between any two crawls; its evidence row is kept, without the time."""
    evidence = [{**e, "raw": "", "value": None} if e["source"] == "http:date" else e for e in record["date_evidence"]]
    return {**record, "date_evidence": evidence}


def link_dated(record: dict) -> bool:
    """Dated with what other pages showed: link dates, or an ID bracket between anchors learned from
    other pages (an estimate's raw text names where its anchors came from)."""
    return any(
        e["source"].startswith("link:") or (e["source"].startswith("estimate:id-bracket") and "link:" in e["raw"])
        for e in record["date_evidence"]
    )


@pytest.fixture(scope="module")
def newcomer(project, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("newcomer") / "stories.jsonl"
    result = crawl(project, "stories", out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    return by_url(out)


def test_newcomer_spider_writes_a_record_per_story(newcomer):
    assert sorted(newcomer) == STORIES


def test_newcomer_records_equal_the_euobserver_spiders(newcomer, monitored_crawl):
    reference = {r["url"]: r for r in monitored_crawl.records}
    assert sorted(reference) == STORIES
    differ = []
    for url in STORIES:
        mine, theirs = comparable(newcomer[url]), comparable(reference[url])
        same = [k for k in theirs if k not in LINK_DATED or not link_dated(theirs)]
        assert {k: mine[k] for k in same} == {k: theirs[k] for k in same}, url
        assert list(mine) == list(theirs)
        if any(mine[k] != theirs[k] for k in LINK_DATED):
            differ.append(url)
    # text, title and the page's own dates are equal for all; dates from linking pages are not
    assert all(newcomer[u]["text"] == reference[u]["text"] for u in STORIES)
    # nothing linked to the stories: no link dates (ID brackets may still come from a page's own side lists)
    assert not [e for u in STORIES for e in newcomer[u]["date_evidence"] if e["source"].startswith("link:")]
    assert set(differ) == {u for u in STORIES if link_dated(reference[u])}
    # the stories dated from their own page (a <time> in the article, or an ID bracket between the
    # dates of the page's own side lists) are equal through and through
    assert [u for u in STORIES if not link_dated(reference[u])] == [
        "https://euobserver.com/eu-and-the-world/ar7545a8f2",
        "https://euobserver.com/eu-political/ar3c9e1f2a",
        "https://euobserver.com/foreign/141350",
        "https://euobserver.com/green-economy/ar91b04d7e",
        "https://euobserver.com/opinion/144210",
    ]
    # the WordPress story is dated by its own <time>: the feed's date, which agrees, is only evidence
    wordpress = "https://euobserver.com/412893/brussels-backs-grid-upgrade-plan/"
    mine, theirs = comparable(newcomer[wordpress]), comparable(reference[wordpress])
    assert [k for k in theirs if mine[k] != theirs[k]] == ["date_evidence"]


def test_unedited_spider_is_extracted_by_callback_name(project, newcomer, tmp_path):
    out = tmp_path / "headlines.jsonl"
    result = crawl(project, "headlines", out, "EUSPIDER_EXTRACT_CALLBACKS=parse")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    records = {r["url"]: r for r in lines if "content_hash" in r}
    assert sorted(records) == STORIES[:3]
    for url, record in records.items():
        assert comparable(record) == comparable(newcomer[url])
    # the spider's own items pass on untouched
    assert sorted(item["link"] for item in lines if "headline" in item) == STORIES[:3]
    assert "'euspider/extract/responses': 3" in result.stderr


def test_unedited_spider_without_the_switch_gets_no_records(project, tmp_path):
    out = tmp_path / "headlines.jsonl"
    result = crawl(project, "headlines", out, "EUSPIDER_WORKERS=0")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 3 and all("headline" in item for item in lines)


def _response(callback=None, **meta) -> HtmlResponse:
    request = Request("https://news.example/2024/05/01/story", callback=callback, meta=meta)
    return HtmlResponse(request.url, body=b"<html><body><p>x</p></body></html>", request=request)


class _Spider:
    def parse(self, response): ...

    def parse_story(self, response): ...


@pytest.mark.parametrize(
    ("callbacks", "callback", "meta", "wanted"),
    [
        ((), None, {}, False),
        ((), None, {"euspider_extract": True}, True),
        (("parse",), None, {}, True),  # no callback: Scrapy calls parse
        (("parse",), "parse_story", {}, False),
        (("parse_story",), "parse_story", {}, True),
        (("parse_story",), "parse_story", {"euspider_extract": False}, False),
        (("*",), "parse_story", {}, True),
    ],
    ids=["off", "meta-on", "parse-default", "other-callback", "named", "meta-off-wins", "star"],
)
def test_which_responses_are_extracted(callbacks, callback, meta, wanted):
    spider = _Spider()
    response = _response(getattr(spider, callback) if callback else None, **meta)
    assert ExtractResponsesMiddleware(callbacks).wanted(response) is wanted


def test_switch_hands_a_page_over_once():
    middleware = ExtractResponsesMiddleware(["parse"])
    response = _response(euspider_link_context=[{"source": "link:rss", "raw": "Mon, 01 Jan 2024 10:00:00 GMT"}])
    own = Page.from_response(response)
    out = list(middleware.process_spider_output(response, [own, {"other": 1}]))
    assert [type(o).__name__ for o in out] == ["Page", "dict"]
    assert out[0].link_context == [{"source": "link:rss", "raw": "Mon, 01 Jan 2024 10:00:00 GMT"}]
