"""Scheduled crawls: what a re-run emits, crash safety under SIGKILL, and the generic news spider
crawling the mirror from its feed alone and from its sitemap alone."""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import MIRROR_DIR, ROOT
from .sites import make_site, story_html, story_url

ARTICLES = 19  # article pages in the mirror; one of them is the same story as another (a duplicate)
SEED = "https://euobserver.com/world/26823"
ALIAS = "https://euobserver.com/9/26823"  # the 2018 capture of the seed story; its rel=canonical names SEED
COMPARED = ("title", "text", "authors", "published", "published_precision", "published_earliest", "published_latest",
            "page_date_stamp", "crawled_at", "content_hash", "paywall_truncated")  # fmt: skip


def crawl(spider: str, *args: str, timeout: int = 240) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def stat(log: str, key: str) -> int:
    marker = f"'{key}': "
    if marker not in log:
        return 0
    return int(log.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0])


def run_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jsonl"))


def records_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def mirror_copy(tmp_path) -> Path:
    target = tmp_path / "mirror"
    shutil.copytree(MIRROR_DIR, target)
    return target


def scheduled(mirror: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return crawl(
        "euobserver", "-a", f"mirror={mirror}",
        "-s", f"EUSPIDER_STATE={tmp_path / 'state.sqlite'}", "-s", f"EUSPIDER_RUN_DIR={tmp_path / 'runs'}", *extra,
    )  # fmt: skip


def test_rerun_emits_only_what_changed(mirror_copy, tmp_path):
    first = scheduled(mirror_copy, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    [run1] = run_files(tmp_path / "runs")
    records = records_of(run1)
    assert len(records) == ARTICLES - 1, "the same story at two URLs is written once"
    # the record is the seed's canonical page as captured on 4 Feb 2023, not the 2018 alias
    [seed] = [r for r in records if r["url"] in {SEED, ALIAS}]
    assert seed["url"] == SEED and seed["crawled_at"] == "2023-02-04T11:02:17Z"
    assert all(r["version"] == 1 and r["previous_content_hash"] is None for r in records)
    assert stat(first.stderr, "euspider/state/duplicate") == 1
    manifest1 = json.loads(run1.with_name(run1.name.replace(".jsonl", ".manifest.json")).read_text())
    assert manifest1["duplicates"] == {ALIAS: SEED}

    second = scheduled(mirror_copy, tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    run2 = next(p for p in run_files(tmp_path / "runs") if p != run1)
    assert records_of(run2) == []
    # every known article (the duplicate too) was asked for conditionally and answered 304
    assert stat(second.stderr, "euspider/state/not_modified") == ARTICLES
    assert stat(second.stderr, "euspider/items/extracted") == 0
    manifest = json.loads(run2.with_name(run2.name.replace(".jsonl", ".manifest.json")).read_text())
    assert manifest["records"] == 0 and manifest["counts"]["unchanged"] == ARTICLES

    page = mirror_copy / "rule-of-law-156569_2023-02-04.html"
    html = page.read_text(encoding="utf-8")
    first_sentence = "A cross-party group of MEPs has asked the European Commission"
    assert first_sentence in html
    # a change in the page's chrome alone (the date banner) is no change of the story
    page.write_text(
        html.replace(first_sentence, "A correction was added on Saturday. " + first_sentence, 1), encoding="utf-8"
    )
    third = scheduled(mirror_copy, tmp_path)
    assert third.returncode == 0, third.stderr[-3000:]
    run3 = next(p for p in run_files(tmp_path / "runs") if p not in {run1, run2})
    [changed] = records_of(run3)
    assert changed["url"] == "https://euobserver.com/rule-of-law/156569"
    assert changed["version"] == 2
    before = next(r for r in records if r["url"] == changed["url"])
    assert changed["previous_content_hash"] == before["content_hash"] != changed["content_hash"]
    assert "A correction was added on Saturday." in changed["text"]

    forced = scheduled(mirror_copy, tmp_path, "-s", "EUSPIDER_RECRAWL=1")
    assert forced.returncode == 0
    run4 = next(p for p in run_files(tmp_path / "runs") if p not in {run1, run2, run3})
    again = records_of(run4)
    assert len(again) == ARTICLES - 1
    [seed] = [r for r in again if r["url"] in {SEED, ALIAS}]
    assert seed["url"] == SEED and seed["crawled_at"] == "2023-02-04T11:02:17Z"


def test_corrupt_state_fails_before_crawling(mirror_copy, tmp_path):
    (tmp_path / "state.sqlite").write_bytes(b"this is not a database" * 200)
    result = scheduled(mirror_copy, tmp_path)
    assert result.returncode != 0
    assert "EUSPIDER_STATE=" in result.stderr and "not a euspider state file" in result.stderr
    assert "Crawled (200)" not in result.stderr


def test_unwritable_output_fails_before_crawling(mirror_copy, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = crawl("euobserver", "-a", f"mirror={mirror_copy}", "-s", f"EUSPIDER_RUN_DIR={blocker / 'runs'}")
    assert result.returncode != 0
    assert "EUSPIDER_RUN_DIR=" in result.stderr and "cannot write the run output" in result.stderr
    assert "Crawled (200)" not in result.stderr


def test_sigkill_and_resume_write_every_story_exactly_once(tmp_path):
    stories = 60
    pages = {story_url(i): story_html(i).encode() for i in range(stories)}
    listing = "".join(
        f"<li><a href='{url}'>Story {i} of the crawl test, told at length</a></li>" for i, url in enumerate(pages)
    )
    pages["https://news.example/politics"] = f"<html><body><h1>Politics</h1><ul>{listing}</ul></body></html>".encode()
    site = make_site(tmp_path / "site", pages)
    args = [
        "news", "-a", "start=https://news.example/politics", "-a", f"mirror={site}",
        "-s", f"JOBDIR={tmp_path / 'job'}", "-s", f"EUSPIDER_STATE={tmp_path / 'state.sqlite'}",
        "-s", f"EUSPIDER_RUN_DIR={tmp_path / 'runs'}", "-s", "CONCURRENT_REQUESTS=2", "-s", "DOWNLOAD_DELAY=0.05",
        "-s", "EUSPIDER_WORKERS=1", "-s", "LOG_LEVEL=INFO",
    ]  # fmt: skip
    rng = random.Random(20231128)

    def written() -> int:
        return sum(len(p.read_bytes().splitlines()) for p in (tmp_path / "runs").glob("*.jsonl"))

    kills = 0
    for attempt in range(6):
        before = written() if (tmp_path / "runs").exists() else 0
        process = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", *args],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # kill at a random point: during discovery, or after a random number of new records
        target = 0 if attempt == 0 else rng.randint(1, 6)
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if (target == 0 and time.monotonic() > deadline - 59.2) or (
                (tmp_path / "runs").exists() and written() >= before + target > before
            ):
                break
            time.sleep(rng.uniform(0.01, 0.06))
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert kills >= 5
    final = crawl(*args)
    assert final.returncode == 0, final.stderr[-3000:]
    [output] = run_files(tmp_path / "runs")  # one run, resumed through JOBDIR
    raw = output.read_bytes()
    assert raw.endswith(b"\n")
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    urls = [r["url"] for r in records]
    assert sorted(urls) == sorted(story_url(i) for i in range(stories))
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM articles WHERE version = 1").fetchone()[0] == stories


def _euobserver_records(tmp_path: Path) -> dict[str, dict]:
    out = tmp_path / "euobserver.jsonl"
    result = crawl("euobserver", "-a", f"mirror={MIRROR_DIR}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    return {r["url"]: r for r in records_of(out)}


@pytest.mark.parametrize(
    "start", ["https://xml.euobserver.com/rss.xml", "https://euobserver.com/sitemap.xml"], ids=["rss", "sitemap"]
)
def test_news_spider_matches_the_site_spider(tmp_path, start):
    reference = _euobserver_records(tmp_path)
    out = tmp_path / "news.jsonl"
    result = crawl("news", "-a", f"start={start}", "-a", f"mirror={MIRROR_DIR}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["url"]: r for r in records_of(out)}
    if start.endswith("rss.xml"):
        assert len(records) == 4
    else:
        assert set(records) == set(reference)
    for url, record in records.items():
        for name in COMPARED:
            assert record[name] == reference[url][name], (url, name)
        assert (record["date_mismatch"] or {}).get("kinds") == (reference[url]["date_mismatch"] or {}).get("kinds")
