"""Scheduled crawls: what a re-run emits, crash safety under SIGKILL, and the generic news spider
crawling the mirror from its feed alone and from its sitemap alone."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import MIRROR_DIR, ROOT
from .servers import NewsServer, news_site, start_urls
from .sites import make_site, story_html, story_url

ARTICLES = 19  # article pages in the mirror; one of them is the same story as another (a duplicate)
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


README = (ROOT / "README.md").read_text(encoding="utf-8")
SEED_URLS = {"https://euobserver.com/world/26823", "https://euobserver.com/9/26823"}  # one story, two URLs
EDITED = "https://euobserver.com/rule-of-law/156569"


def cron_command() -> str:
    """The README's cron line, as a shell runs it from the project folder, with the mirror switch."""
    [line] = re.search(r"```cron\n(.*?)\n```", README, re.S).group(1).strip().splitlines()
    command = line.split(" && ", 1)[1]  # what runs in /srv/euspider
    assert "crawl euobserver -s EUSPIDER_STATE=" in command and "-s JOBDIR=" in command
    return command.replace("crawl euobserver", "crawl euobserver -a mirror=fixtures/euobserver", 1)


@pytest.fixture
def project(tmp_path) -> tuple[Path, dict[str, str]]:
    """A folder standing for /srv/euspider: the project's scrapy.cfg and a copy of the mirror."""
    folder = tmp_path / "srv"
    shutil.copytree(MIRROR_DIR, folder / "fixtures" / "euobserver")
    shutil.copy(ROOT / "scrapy.cfg", folder / "scrapy.cfg")
    (folder / "logs").mkdir()
    (folder / "state").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    return folder, env


def manifest_of(output: Path) -> dict:
    return json.loads(output.with_name(output.name.replace(".jsonl", ".manifest.json")).read_text())


def test_readme_cron_line_three_times_with_a_kill_and_an_edit(project):
    """The scheduled crawl as the README gives it, run like cron runs it: the first run is killed
    (SIGKILL to every process) after its first records and resumed by the next start; a second run
    finds nothing changed; a story is edited; a third run writes it alone, as version 2."""
    folder, env = project
    command, log = cron_command(), folder / "logs" / "euobserver.log"
    runs, marker = folder / "output" / "euobserver", folder / "state" / "euobserver.job" / "euspider_run.json"

    def run() -> str:
        before = log.stat().st_size if log.exists() else 0
        result = subprocess.run(["bash", "-c", command], cwd=folder, env=env, timeout=240)
        text = log.read_text(encoding="utf-8")[before:]
        assert result.returncode == 0, text[-3000:]
        return text

    # run 1, killed once it has written its first records
    process = subprocess.Popen(["bash", "-c", command], cwd=folder, env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(path.read_bytes().count(b"\n") for path in runs.glob("*.jsonl")):
            break
        time.sleep(0.005)
    assert process.poll() is None, "the first run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    while time.monotonic() < deadline:  # until the last process of the group is gone (and the lock with it)
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    [killed] = run_files(runs)
    written_before = len(records_of(killed))
    assert 1 <= written_before < ARTICLES - 1 and marker.exists()

    first_log = run()  # the same command again: run 1 goes on
    [run1] = run_files(runs)
    assert run1 == killed and not marker.exists()
    first = records_of(run1)
    assert len(first) == ARTICLES - 1, "the same story at two URLs is written once"
    assert stat(first_log, "euspider/state/already_done") == written_before
    assert len(SEED_URLS & {r["url"] for r in first}) == 1
    manifest1 = manifest_of(run1)
    assert manifest1["resumed"] is True and manifest1["finish_reason"] == "finished"
    assert manifest1["records"] == ARTICLES - 1 and manifest1["counts"] == {"duplicate": 1, "new": ARTICLES - 1}
    assert set(manifest1["duplicates"].items()) <= {tuple(SEED_URLS), tuple(reversed(list(SEED_URLS)))}

    second_log = run()  # run 2: nothing changed
    run2 = next(p for p in run_files(runs) if p != run1)
    assert records_of(run2) == [] and not marker.exists()
    manifest2 = manifest_of(run2)
    assert manifest2["resumed"] is False and manifest2["run_id"] != manifest1["run_id"]
    assert manifest2["counts"]["unchanged"] == ARTICLES and set(manifest2["counts"]) == {"not_modified", "unchanged"}
    # asked conditionally and answered 304, but for the records the kill caught between their write and
    # their commit: the state got them from the output file, without the response's validators
    assert ARTICLES - written_before <= stat(second_log, "euspider/state/not_modified") <= ARTICLES

    page = folder / "fixtures" / "euobserver" / "rule-of-law-156569_2023-02-04.html"
    html = page.read_text(encoding="utf-8")
    sentence = "A cross-party group of MEPs has asked the European Commission"
    assert sentence in html
    page.write_text(html.replace(sentence, "A correction was added on Saturday. " + sentence, 1), encoding="utf-8")

    third_log = run()  # run 3: the edited story alone, as its next version
    run3 = next(p for p in run_files(runs) if p not in {run1, run2})
    [changed] = records_of(run3)
    before = next(r for r in first if r["url"] == EDITED)
    assert (changed["url"], changed["version"]) == (EDITED, 2)
    assert changed["previous_content_hash"] == before["content_hash"] != changed["content_hash"]
    assert "A correction was added on Saturday." in changed["text"]
    assert manifest_of(run3)["counts"] == {"changed": 1, "not_modified": ARTICLES - 1, "unchanged": ARTICLES - 1}
    assert stat(third_log, "euspider/items/extracted") == 1

    every = [r for path in (run1, run2, run3) for r in records_of(path)]
    assert len({(r["url"], r["version"]) for r in every}) == len(every) == ARTICLES
    assert len({r["content_hash"] for r in every}) == len(every), "nothing appears twice across the runs"
    assert len({manifest_of(p)["run_id"] for p in (run1, run2, run3)}) == 3

    # run 4: EUSPIDER_RECRAWL fetches and writes everything again
    result = subprocess.run(["bash", "-c", command.replace(" >> ", " -s EUSPIDER_RECRAWL=1 >> ")], cwd=folder, env=env)
    assert result.returncode == 0
    run4 = next(p for p in run_files(runs) if p not in {run1, run2, run3})
    again = records_of(run4)
    assert len(again) == ARTICLES - 1
    assert next(r for r in again if r["url"] == EDITED)["version"] == 2


def test_moved_stories_are_asked_conditionally_under_the_address_the_crawl_has(tmp_path):
    """A story's state is kept under the URL it ended at; the next run asks for it under the address
    it was given (an old one that redirects) with that story's validators already."""
    pages = news_site(8, moved=3)
    urls = tmp_path / "urls.txt"
    args = ("news", "-a", f"urls={urls}", "-s", f"EUSPIDER_STATE={tmp_path / 'state.sqlite'}",
            "-s", f"EUSPIDER_RUN_DIR={tmp_path / 'runs'}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0")  # fmt: skip
    with NewsServer(pages) as server:
        urls.write_text("\n".join(start_urls(server)), encoding="utf-8")
        first = crawl(*args)
        assert first.returncode == 0, first.stderr[-3000:]
        assert {r["url"] for r in records_of(run_files(tmp_path / "runs")[0])} == {server.url(p) for p in pages}
        server.log.clear()
        second = crawl(*args)
        log = list(server.log)
    assert second.returncode == 0, second.stderr[-3000:]
    assert stat(second.stderr, "euspider/state/not_modified") == len(pages)
    moved = [p for p in pages.values() if p.old_path]
    assert len(moved) == 3
    for page in moved:
        [hop] = [entry for entry in log if entry.path == page.old_path]
        assert hop.status == 301 and "if-none-match" in hop.headers, page.old_path
        [final] = [entry for entry in log if entry.path == page.path]
        assert final.status == 304


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
        if attempt == 3:  # one stop the way a service manager asks: the run closes, unfinished
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=120) == 0
            manifest = manifest_of(run_files(tmp_path / "runs")[0])
            assert manifest["finish_reason"] == "shutdown" and (tmp_path / "job" / "euspider_run.json").exists()
        else:
            process.send_signal(signal.SIGKILL)
            process.wait()
        kills += 1
    assert kills >= 5
    final = crawl(*args)
    assert final.returncode == 0, final.stderr[-3000:]
    [output] = run_files(tmp_path / "runs")  # one run, continued through JOBDIR after every stop
    assert manifest_of(output)["finish_reason"] == "finished" and manifest_of(output)["resumed"] is True
    assert not (tmp_path / "job" / "euspider_run.json").exists()
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
