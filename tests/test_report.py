"""The crawl report: the summary every crawl logs, the HTML report beside the run's output
(EUSPIDER_REPORT) and `python -m euspider report`."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from lxml.html import fromstring

from euspider.report import Collector, suspicion

from .conftest import ROOT

SEED = "https://euobserver.com/world/26823"


def specs(page: str) -> dict:
    """The Vega-Lite specs the page draws."""
    found = re.search(r"const specs = (\{.*?\});\n", page, re.S)
    assert found
    return json.loads(found.group(1).replace("<\\/", "</"))


def test_every_crawl_logs_a_summary(monitored_crawl):
    log = monitored_crawl.log
    summary = log[log.index("crawl summary (finished):") :]
    # the mirror's 19 stories: 8 show the wrong date stamp, 7 were captured years after publication
    assert "19 records from 1 site; 0 without a publication date (0%); 0 with boilerplate residue (0 lines)" in summary
    assert "date mismatches: 9 records (47%): stamp_not_publication 8, archival 7" in summary
    assert "dropped: no_main_text 1; failures: none" in summary
    assert "published by source: link 11, estimate 4, visible 4" in summary


def test_report_beside_the_crawl_output(monitored_crawl):
    page = monitored_crawl.report.read_text(encoding="utf-8")
    assert f"crawl report written to {monitored_crawl.report}" in monitored_crawl.log
    tree = fromstring(page)
    # self-contained: no script, style sheet, image or frame from anywhere
    assert not tree.xpath("//script[@src] | //link[@href] | //img[@src] | //iframe | //object | //embed")
    assert "vegaEmbed" in page
    assert set(specs(page)) == {"age", "mismatches", "published", "boilerplate", "drops"}
    # the seed story, a 2008 story captured in 2023 under a 2023 date banner, is an archival mismatch
    archival = tree.get_element_by_id("archival")
    row = next(tr for tr in archival.iter("tr") if tr.xpath(f".//a[@href='{SEED}']"))
    assert "stamp_not_publication, archival" in row.text_content()
    target = row.xpath(".//a[starts-with(@href, '#record-')]/@href")[0][1:]
    embedded = json.loads(tree.get_element_by_id(target).find("pre").text_content())
    assert embedded["url"] == SEED and embedded["published_earliest"] == "2008-09-27"
    # each record once in the JSON section, however many tables list it
    shown = [json.loads(pre.text_content())["url"] for pre in tree.xpath("//details[@class='record']/pre")]
    assert len(shown) == len(set(shown)) == 19


def test_report_beside_a_scheduled_run(stateful_runs):
    first = stateful_runs.run_files()[0]
    report = first.with_name(first.stem + ".report.html")
    assert f"crawl report written to {report}" in stateful_runs.first_log
    assert set(specs(report.read_text(encoding="utf-8"))) == {"age", "mismatches", "published", "boilerplate", "drops"}
    assert len(stateful_runs.run_files()) == 2  # no report for the second run: it did not ask


def test_report_command_reads_runs_and_their_manifests(stateful_runs, tmp_path):
    first = stateful_runs.run_files()[0]
    out = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "euspider", "report", str(first), "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"report written to {out}" in result.stdout
    # the run wrote 18 records (a second URL of the seed story is a duplicate); its manifest counts the drop
    assert "18 records from 1 site" in result.stdout
    assert "dropped: no_main_text 1; failures: none" in result.stdout
    page = out.read_text(encoding="utf-8")
    drops = specs(page)["drops"]["data"]["values"]
    assert drops == [{"reason": "no_main_text", "pages": 1, "type": "not a story"}]
    assert "no manifest beside it" not in page


def test_report_command_names_a_bad_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://news.example/a", "text": "x"}\n{not json\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "euspider", "report", str(bad), "-o", str(tmp_path / "r.html")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"{bad}, line 2: not a JSON record" in result.stderr
    assert not (tmp_path / "r.html").exists()


def _record(url: str, **fields) -> dict:
    base = {
        "url": url,
        "site": "news.example",
        "title": "A story",
        "text": "...",
        "word_count": 400,
        "published": "2020-05-01",
        "published_earliest": "2020-05-01",
        "published_source": "time:article",
        "crawled_at": "2023-02-04T10:00:00Z",
        "date_mismatch": None,
        "boilerplate": {"removed": {"ad": 2}, "residue": []},
        "paywall_truncated": False,
    }
    return {**base, **fields}


def test_suspicion_ranks_residue_and_disagreeing_dates_first():
    collector = Collector(table_size=2)
    collector.add(_record("https://news.example/clean"))
    collector.add(_record("https://news.example/undated", published=None, published_earliest=None))
    collector.add(_record("https://news.example/residue", boilerplate={"removed": {}, "residue": ["Subscribe now"]}))
    assert suspicion(_record("https://news.example/clean")) == (0, [])
    assert [k.record["url"] for k in collector.suspicious.sorted()] == [
        "https://news.example/residue",
        "https://news.example/undated",
    ]
    assert collector.undated == 1 and collector.residue_lines == 1
    # age: 2020-05-01 to 2023-02-04 is 1009 days
    assert collector.ages == {1009: 2} and collector.median_age() == 1009


def test_oldest_table_keeps_the_oldest_whatever_the_order():
    collector = Collector(table_size=2)
    for year in (2019, 2001, 2015, 2008):
        collector.add(_record(f"https://news.example/{year}", published=f"{year}-01-01", published_earliest=None))
    assert [k.record["url"] for k in collector.oldest.sorted()] == [
        "https://news.example/2001",
        "https://news.example/2008",
    ]


def test_large_crawls_are_thinned_in_the_age_plot_only():
    collector = Collector(max_points=10)
    for day in range(1, 29):
        collector.add(_record(f"https://news.example/{day}", published=f"2022-02-{day:02d}", published_earliest=None))
    charts = {cid: spec for cid, _, spec in collector.charts()}
    assert len(charts["age"]["data"]["values"]) == 10
    assert collector.records == 28 and collector.dated == 28 and len(collector.points) <= 20
    # the upper median of the 28 is the story of 14 February 2022, captured 355 days later on 4 February 2023
    assert collector.median_age() == 355
