"""End to end: `scrapy crawl euobserver` over the bundled mirror, in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from euspider.schema import shipped_schema

from .conftest import GOLDEN_PAGES, ROOT


def crawl(*args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "euobserver", "-a", "mirror=fixtures/euobserver", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def crawl_output(tmp_path_factory) -> tuple[list[dict], str, bytes]:
    out = tmp_path_factory.mktemp("crawl") / "out.jsonl"
    result = crawl("-O", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    raw = out.read_bytes()
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()], result.stderr, raw


def test_one_valid_record_per_article_page(crawl_output):
    records, _, _ = crawl_output
    articles = {p.golden["url"] for p in GOLDEN_PAGES if p.golden["kind"] == "article"}
    others = {p.golden["url"] for p in GOLDEN_PAGES if p.golden["kind"] != "article"}
    urls = [r["url"] for r in records]
    assert sorted(urls) == sorted(articles)
    assert not others & set(urls)
    validator = jsonschema.Draft202012Validator(shipped_schema())
    for record in records:
        errors = list(validator.iter_errors(record))
        assert not errors, (record["url"], errors[0].message)


def test_output_is_utf8_lines_in_schema_order(crawl_output):
    records, _, raw = crawl_output
    assert raw.endswith(b"\n") and b"\\u" not in raw
    order = list(shipped_schema()["properties"])
    assert all(list(r) == order for r in records)


def test_crawl_dates_pages_as_the_offline_snapshot(crawl_output):
    """The crawl dates pages as the golden snapshots say (taken offline from the same mirror): the
    crawl's link context and anchors are the ones the offline dating assumes."""
    records = {r["url"]: r for r in crawl_output[0]}
    for page in GOLDEN_PAGES:
        if page.golden["kind"] != "article":
            continue
        record = records[page.golden["url"]]
        for name, value in page.golden["snapshot"].items():
            if name == "date_mismatch":
                got = record[name]
                assert (got and {"kinds": got["kinds"], "gap_days": got["gap_days"]}) == value, page.id
            else:
                assert record[name] == value, (page.id, name)


def test_seed_story_in_the_crawl(crawl_output):
    seed = next(r for r in crawl_output[0] if r["url"] == "https://euobserver.com/world/26823")
    assert seed["page_date_stamp"] == "2023-02-04"
    assert seed["crawled_at"].startswith("2023-02-04")
    assert seed["date_mismatch"]["kind"] == "stamp_not_publication"
    assert "Join EUobserver today" not in seed["text"]


def test_crawl_counts_drops_and_obeys_robots(crawl_output):
    _, log, _ = crawl_output
    assert "'euspider/dropped/no_main_text': 1" in log
    assert "'robotstxt/forbidden'" in log
    assert "'euspider/items/extracted': 19" in log
    assert "Traceback" not in log


def test_default_output_is_a_per_run_file_with_a_manifest(tmp_path):
    result = crawl("-s", f"EUSPIDER_RUN_DIR={tmp_path / 'runs'}", "-s", "LOG_LEVEL=INFO")
    assert result.returncode == 0, result.stderr[-2000:]
    files = list((tmp_path / "runs").glob("euobserver_*.jsonl"))
    assert len(files) == 1
    assert len(files[0].read_text(encoding="utf-8").splitlines()) == 19
    manifest = json.loads(files[0].with_name(files[0].name.replace(".jsonl", ".manifest.json")).read_text())
    assert manifest["records"] == 19
    assert manifest["finish_reason"] == "finished"
    assert manifest["dropped"] == {"no_main_text": 1}
    assert manifest["mismatches"]["stamp_not_publication"] == 8
    assert manifest["run_id"] in files[0].name


def test_bad_setting_fails_before_the_first_request():
    result = crawl("-s", "EUSPIDER_ARCHIVAL_DAYS=soon", "-O", "/dev/null:jsonl")
    assert result.returncode != 0
    assert "EUSPIDER_ARCHIVAL_DAYS='soon'" in result.stderr
    assert "Crawled (200)" not in result.stderr
