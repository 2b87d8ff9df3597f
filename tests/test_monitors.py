"""Spidermon monitors, turned on by EUSPIDER_SPIDERMON: a good crawl of the mirror passes them; a
broken profile, a jump in the mismatch rate since the previous run, failures fail the right one."""

from __future__ import annotations

import json
import re

import pytest

from euspider import config
from euspider.extract import ArticleExtractor, ExtractOptions
from euspider.monitors import extracted_in, mismatch_rise
from euspider.sites import builtin_profiles, load_profile_file

from .conftest import ROOT
from .sites import make_site, run_crawl

MONITORS = {
    "Stories/enough stories": "items",
    "Dates/share of records without a date": "undated",
    "Boilerplate/boilerplate residue": "residue",
    "Mismatches/rise in the mismatch rate since the previous run": "mismatch_rise",
    "Failures/share of pages that failed extraction": "failures",
    "Validation/records valid against the JSON Schema": "validation",
}


def outcomes(log: str) -> dict[str, str]:
    """Each monitor's outcome as Spidermon logs it (OK, FAIL, SKIPPED, ERROR)."""
    found = dict(re.findall(r"\[Spidermon\] (\S[^\n]*?)\.\.\. (OK|FAIL|SKIPPED|ERROR)", log))
    return {MONITORS[name]: outcome for name, outcome in found.items() if name in MONITORS}


def test_a_good_crawl_passes(monitored_crawl):
    log = monitored_crawl.log
    assert outcomes(log) == {
        "items": "OK",
        "undated": "OK",
        "residue": "OK",
        "mismatch_rise": "SKIPPED",  # no crawl state: nothing to compare with
        "failures": "OK",
        "validation": "OK",
    }
    assert "no crawl state (EUSPIDER_STATE)" in log
    assert "'euspider/monitors/failed': 0" in log
    # every record went through Spidermon's JSON Schema validation, none with errors
    assert "'spidermon/validation/items': 19" in log
    assert "spidermon/validation/items/errors" not in log


def test_first_scheduled_run_passes(stateful_runs):
    assert outcomes(stateful_runs.first_log)["mismatch_rise"] == "SKIPPED"
    assert "no previous finished run with records" in stateful_runs.first_log
    assert "'euspider/monitors/failed': 0" in stateful_runs.first_log


def test_a_jump_in_the_mismatch_rate_fails_the_run(stateful_runs):
    log = stateful_runs.second_log
    assert outcomes(log) == {
        "items": "OK",
        "undated": "OK",
        "residue": "OK",
        "mismatch_rise": "FAIL",
        "failures": "OK",
        "validation": "OK",
    }
    # 7 of the 19 mirror stories are archival at a year; 12 of them at a day
    assert "archival 37% -> 63%" in log
    assert "'euspider/monitors/failed/mismatch_rise': 1" in log
    assert "the crawl failed its monitors: mismatch_rise" in log


HERALD_PROFILE = """name = "herald"
hosts = ["herald.example"]

[dates]
stamp = ["div.today"]

[remove]
paywall_prompt = ["div.supporters"]
date_banner = ["div.today"]
"""

# the Herald's own supporter box, in words no generic detector knows: the profile removes it
BOX = (
    "<div class='supporters'><p>Thanks for reading the Herald: our reporting on the council and the regions "
    "is free because readers like you choose to subscribe today.</p></div>"
)


def herald_page(index: int) -> bytes:
    paragraphs = [
        f"<p>Paragraph {p} of story {index}: the regional council met on Monday and ministers said the talks on "
        "the budget for the coming year would go on until an agreement was found.</p>"
        for p in range(6)
    ]
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Budget talks</title></head><body>"
        "<div class='today'>Saturday 4 February 2023</div>"
        f"<article><h1>Budget talks go on, day {index}</h1>"
        f"<time datetime='2023-01-{10 + index}T09:00:00+01:00'>{10 + index} January 2023</time>"
        f"{''.join(paragraphs[:3])}{BOX}{''.join(paragraphs[3:])}</article></body></html>"
    ).encode()


def herald_url(index: int) -> str:
    return f"https://herald.example/2023/01/{10 + index}/budget-talks-day-{index}"


def test_the_profile_is_what_keeps_the_box_out(tmp_path):
    """Without the profile's removal rule the box stays in the text, and is reported as residue."""
    line = BOX.split("<p>")[1].split("</p>", maxsplit=1)[0]
    for name, text, residue in (
        ("working", HERALD_PROFILE, []),
        ("broken", HERALD_PROFILE.split("[remove]", maxsplit=1)[0], [line]),
    ):
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        extractor = ArticleExtractor(ExtractOptions(profiles=(load_profile_file(path), *builtin_profiles())))
        record = extractor.extract(herald_page(1), herald_url(1), crawled_at="2023-02-04T10:00:00Z").record
        assert record is not None
        assert record["boilerplate"]["residue"] == residue


def test_a_broken_profile_fails_the_residue_monitor(tmp_path):
    site = make_site(tmp_path / "herald", {herald_url(i): herald_page(i) for i in range(1, 4)})
    broken = tmp_path / "herald-broken.toml"
    broken.write_text(HERALD_PROFILE.split("[remove]", maxsplit=1)[0], encoding="utf-8")  # the removal rules cut
    result = run_crawl(site, tmp_path / "out.jsonl", f"EUSPIDER_PROFILES={broken}", "EUSPIDER_SPIDERMON=True")
    # a scheduler sees the failed run in the exit code (EUSPIDER_MONITOR_EXIT_CODE, 1 by default)
    assert result.returncode == 1, result.stderr[-3000:]
    log = result.stderr
    assert outcomes(log) == {
        "items": "OK",
        "undated": "OK",
        "residue": "FAIL",
        "mismatch_rise": "SKIPPED",
        "failures": "OK",
        "validation": "OK",
    }
    assert "3 lines of boilerplate residue" in log
    assert "'euspider/monitors/failed/residue': 1" in log
    assert "the crawl failed its monitors: residue" in log
    assert "exit code 1: the crawl failed 1 of its monitors" in log
    # 0 keeps Scrapy's own rule: the run is logged as failed, the process exits 0
    kept = run_crawl(
        site, tmp_path / "out0.jsonl", f"EUSPIDER_PROFILES={broken}", "EUSPIDER_SPIDERMON=True",
        "EUSPIDER_MONITOR_EXIT_CODE=0",
    )  # fmt: skip
    assert kept.returncode == 0, kept.stderr[-3000:]
    assert "the crawl failed its monitors: residue" in kept.stderr


def test_extracted_records_from_a_manifest():
    assert extracted_in({"counts": {"new": 18, "duplicate": 1}}) == 19
    # a 304 counts as unchanged too, without being extracted
    assert extracted_in({"counts": {"changed": 2, "unchanged": 10, "not_modified": 7}}) == 5
    assert extracted_in({}) == 0


def test_mismatch_rise_compares_shares():
    shares = mismatch_rise({"archival": 12, "stamp_not_publication": 8}, 19, {"archival": 7}, 19)
    assert shares == {"archival": (7 / 19, 12 / 19), "stamp_not_publication": (0.0, 8 / 19)}
    assert mismatch_rise({"archival": 1}, 0, {"archival": 1}, 10) == {}


def test_finished_manifests_newest_first(open_state):
    state = open_state()
    for run, finished in (("a", "2026-01-01T00:00:00Z"), ("b", "2026-01-02T00:00:00Z"), ("c", None)):
        state.start_run(run, "euobserver", "2026-01-01T00:00:00Z", f"{run}.jsonl")
        if finished:
            state.finish_run(run, finished, "finished", {"run_id": run})
    state.start_run("x", "other", "2026-01-03T00:00:00Z", "x.jsonl")
    state.finish_run("x", "2026-01-03T00:00:00Z", "finished", {"run_id": "x"})
    assert [m["run_id"] for m in state.finished_manifests("euobserver")] == ["b", "a"]
    assert [m["run_id"] for m in state.finished_manifests("euobserver", before="b")] == ["a"]
    state.start_run("b", "euobserver", "2026-01-01T00:00:00Z", "b.jsonl")  # continued: not finished any more
    assert [m["run_id"] for m in state.finished_manifests("euobserver")] == ["a"]
    assert [m["run_id"] for m in state.finished_manifests("euobserver", limit=1)] == ["a"]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EUSPIDER_MONITOR_MAX_UNDATED": 2}, "EUSPIDER_MONITOR_MAX_UNDATED=2: expected a share between 0 and 1"),
        ({"EUSPIDER_MONITOR_MIN_ITEMS": "some"}, "EUSPIDER_MONITOR_MIN_ITEMS='some': expected an integer"),
        ({"EUSPIDER_SPIDERMON": "perhaps"}, "EUSPIDER_SPIDERMON='perhaps': expected true or false"),
        ({"EUSPIDER_EXTRACT_CALLBACKS": 3}, "EUSPIDER_EXTRACT_CALLBACKS=3: expected a list of callback names"),
        ({"EUSPIDER_MONITOR_EXIT_CODE": 300}, "EUSPIDER_MONITOR_EXIT_CODE=300: expected an exit code from 0 to 255"),
        ({"EUSPIDER_MONITOR_EXIT_CODE": "fail"}, "EUSPIDER_MONITOR_EXIT_CODE='fail': expected an integer"),
    ],
    ids=["share", "min-items", "spidermon", "callbacks", "exit-code-range", "exit-code-word"],
)
def test_bad_monitor_settings_name_the_setting(settings, message):
    with pytest.raises(config.ConfigError) as info:
        config.load(settings)
    assert message in str(info.value)


def run_suite(stats: dict, **settings) -> set[str]:
    """Run euspider's suite over a crawl's stats; the monitors it failed."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler
    from spidermon.runners import MonitorRunner

    from euspider.monitors import CrawlMonitorSuite

    crawler = get_crawler(type("Stories", (Spider,), {"name": "stories"}), settings)
    crawler.stats.open_spider()
    MonitorRunner().run(CrawlMonitorSuite(crawler=crawler), stats=stats, crawler=crawler)
    prefix = "euspider/monitors/failed/"
    return {k.removeprefix(prefix) for k in crawler.stats.get_stats() if k.startswith(prefix)}


@pytest.mark.parametrize(
    ("stats", "settings", "failed"),
    [
        ({"euspider/items/extracted": 19, "euspider/published/link": 19}, {}, set()),
        ({"euspider/items/extracted": 0}, {}, {"items"}),
        ({"euspider/items/extracted": 0, "euspider/state/not_modified": 19}, {}, set()),
        ({"euspider/items/extracted": 30}, {"EUSPIDER_MONITOR_MIN_ITEMS": 50}, {"items"}),
        ({"euspider/items/extracted": 10, "euspider/published/unknown": 4}, {}, {"undated"}),
        ({"euspider/items/extracted": 10, "euspider/published/unknown": 4}, {"EUSPIDER_MONITOR_MAX_UNDATED": 0.5}, set()),
        ({"euspider/items/extracted": 90, "euspider/dropped/timeout": 6, "euspider/dropped/listing": 4}, {}, {"failures"}),
        (
            {"euspider/items/extracted": 90, "euspider/dropped/timeout": 6, "euspider/dropped/listing": 4},
            {"EUSPIDER_MONITOR_MAX_FAILURES": 0.1},
            set(),
        ),
        ({"euspider/items/extracted": 90, "euspider/dropped/listing": 40}, {}, set()),  # not stories: no failure
        ({"euspider/items/extracted": 5, "euspider/boilerplate/residue": 1}, {}, {"residue"}),
        ({"euspider/items/extracted": 5, "spidermon/validation/items/errors": 2}, {}, {"validation"}),
    ],
    ids=[
        "clean", "no-stories", "all-304", "min-items", "undated", "undated-allowed", "failures", "failures-allowed",
        "listings-are-no-failure", "residue", "invalid",
    ],
)  # fmt: skip
def test_thresholds(stats, settings, failed):
    assert run_suite(stats, **settings) == failed


def test_validation_pipeline_checks_records_only():
    from scrapy.utils.test import get_crawler

    from euspider.addon import Addon
    from euspider.monitors import RecordValidationPipeline

    crawler = get_crawler(settings_dict={"ADDONS": {Addon: 0}, "EUSPIDER_SPIDERMON": True})
    crawler._apply_settings()
    crawler.stats.open_spider()
    pipeline = RecordValidationPipeline.from_crawler(crawler)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    record = json.loads(re.search(r"```json\n(\{.*?\})\n```", readme, re.S).group(1))  # a valid record
    assert pipeline.process_item(record) is record
    assert pipeline.process_item({"plain": "items pass"}) == {"plain": "items pass"}
    pipeline.process_item({**record, "published_precision": "weekly", "word_count": "many"})
    stats = crawler.stats.get_stats()
    assert stats["spidermon/validation/items"] == 2  # the two records; the plain item is not checked
    assert stats["spidermon/validation/items/errors"] == 1
