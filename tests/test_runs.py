"""The run file and the crawl state on their own: partial lines cut, records recovered, decisions."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime

import pytest
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from euspider.incremental import RunPipeline
from euspider.items import Page
from euspider.runs import RunError, RunFile, manifest_path, write_manifest
from euspider.state import CrawlState, StateError
from euspider.warc import RotatingWarcWriter, iter_records


def line(url: str) -> bytes:
    return (json.dumps({"url": url, "content_hash": f"sha256:{url}"}) + "\n").encode()


def test_partial_last_line_is_cut_and_unsynced_lines_are_recovered(tmp_path):
    path = tmp_path / "run.jsonl"
    run = RunFile(path)
    assert run.open() == []
    run.write(line("a"))
    durable = run.sync()
    run.write(line("b"))
    run.close()
    with open(path, "ab") as handle:  # a crash in the middle of a write
        handle.write(b'{"url": "c", "conte')
    again = RunFile(path)
    recovered = again.open(durable)
    assert [r["url"] for r in recovered] == ["b"]
    assert path.read_bytes() == line("a") + line("b")
    again.write(line("d"))
    again.close()
    assert path.read_bytes().splitlines() == [line(u).strip() for u in "abd"]


def test_lines_must_be_whole(tmp_path):
    run = RunFile(tmp_path / "run.jsonl")
    run.open()
    with pytest.raises(ValueError, match="newline"):
        run.write(b'{"half": ')


def test_unwritable_folder_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RunError, match="cannot write the run output"):
        RunFile(tmp_path / "file" / "run.jsonl").open()


def test_manifest_is_written_atomically(tmp_path):
    target = manifest_path(tmp_path / "news_2023_abc.jsonl")
    assert target.name == "news_2023_abc.manifest.json"
    write_manifest(target, {"records": 3})
    assert json.loads(target.read_text()) == {"records": 3}
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize(
    ("steps", "url", "content_hash", "kind", "version"),
    [
        ([], "a", "h1", "new", 1),
        ([("a", "h1", 1)], "a", "h1", "unchanged", 1),
        ([("a", "h1", 1)], "a", "h2", "changed", 2),
        ([("a", "h1", 1), ("a", "h2", 2)], "a", "h3", "changed", 3),
        ([("a", "h1", 1)], "b", "h1", "duplicate", 0),
    ],
    ids=["new", "unchanged", "changed", "changed-again", "duplicate"],
)
def test_state_decisions(tmp_path, steps, url, content_hash, kind, version):
    state = CrawlState(tmp_path / "state.sqlite")
    for step_url, step_hash, step_version in steps:
        state.commit_written(
            [{"url": step_url, "content_hash": step_hash, "version": step_version, "seen": "2023-02-04T10:00:00Z"}]
        )
    decision = state.decide(url, content_hash)
    assert (decision.kind, decision.version) == (kind, version)
    if kind == "duplicate":
        assert decision.duplicate_of == "a"


def test_state_keeps_validators_and_runs(tmp_path):
    state = CrawlState(tmp_path / "state.sqlite")
    state.start_run("r1", "news", "2023-02-04T10:00:00Z", "out.jsonl")
    state.commit_batch("r1", 120, [{"url": "a", "content_hash": "h", "version": 1, "seen": "s", "etag": '"x"'}])
    assert state.validators("a") == ('"x"', None)
    assert state.run("r1")["committed_offset"] == 120
    state.close()
    assert CrawlState(tmp_path / "state.sqlite").validators("a") == ('"x"', None)


def test_garbage_state_file_is_refused(tmp_path):
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"\x00garbage" * 500)
    with pytest.raises(StateError, match="not a euspider state file"):
        CrawlState(path)


def record(url: str, text_hash: str, **extra) -> dict:
    return {"url": url, "content_hash": text_hash, "version": 1, "crawled_at": "2023-02-04T10:00:00Z", **extra}


def test_unchanged_stories_wait_for_the_next_commit(tmp_path):
    """A 304 is no transaction of its own: it is staged and committed with the next batch of records."""
    state = CrawlState(tmp_path / "state.sqlite")
    state.start_run("r1", "news", "2023-02-04T10:00:00Z", "out.jsonl")
    state.commit_written([{"url": "a", "content_hash": "h", "version": 1, "seen": "2023-02-04T10:00:00Z"}])
    state.touch("a", "2023-03-01T10:00:00Z", '"v2"')
    state.record_duplicate("b", "h", "a", seen="2023-03-01T10:00:00Z")
    state.record_redirect("https://old/a", "a")
    other = sqlite3.connect(tmp_path / "state.sqlite")
    assert other.execute("SELECT last_seen, etag FROM articles WHERE url = 'a'").fetchone() == (
        "2023-02-04T10:00:00Z",
        None,
    )
    assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert state.staged == 3
    state.commit_batch("r1", 0, [], {"counts": {"unchanged": 1}})
    assert other.execute("SELECT last_seen, etag FROM articles WHERE url = 'a'").fetchone() == (
        "2023-03-01T10:00:00Z",
        '"v2"',
    )
    assert state.staged == 0
    assert state.validators("https://old/a") == ('"v2"', None)  # asked under the requested URL too
    assert state.done_in_run("r1") == ({"a"}, {"b"})
    assert state.run("r1")["progress"] == {"counts": {"unchanged": 1}}


def test_runs_know_what_they_wrote_and_what_they_saw(tmp_path):
    state = CrawlState(tmp_path / "state.sqlite")
    state.start_run("r1", "news", "s", "one.jsonl")
    rows = [{"url": u, "content_hash": u, "version": 1, "seen": "s"} for u in ("a", "b")]
    state.commit_batch("r1", 10, rows)
    state.start_run("r2", "news", "s", "two.jsonl")
    state.touch("a", "t")
    state.commit_batch("r2", 0, [{"url": "c", "content_hash": "c", "version": 1, "seen": "t"}])
    assert state.done_in_run("r1") == ({"a", "b"}, set())
    assert state.done_in_run("r2") == ({"c"}, {"a"})


def test_schema_1_state_files_are_brought_up_to_date(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(
            """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('schema', '1');
            CREATE TABLE articles (url TEXT PRIMARY KEY, content_hash TEXT, version INTEGER NOT NULL DEFAULT 0,
                etag TEXT, last_modified TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, duplicate_of TEXT);
            CREATE TABLE runs (run_id TEXT PRIMARY KEY, spider TEXT NOT NULL, started TEXT NOT NULL, finished TEXT,
                finish_reason TEXT, output TEXT NOT NULL, committed_offset INTEGER NOT NULL DEFAULT 0, manifest TEXT);
            INSERT INTO articles VALUES ('a', 'h', 1, '"x"', NULL, 's', 's', NULL);"""
        )
    state = CrawlState(path)
    assert state.validators("a") == ('"x"', None)
    assert state.decide("a", "h").kind == "unchanged"
    state.start_run("r1", "news", "s", "out.jsonl")
    state.record_redirect("old-a", "a")
    state.commit_batch("r1", 0, [], {"counts": {}})
    assert state.validators("old-a") == ('"x"', None)


def test_records_cite_only_durable_archives(tmp_path, monkeypatch):
    """Commit order: the WARC file the records cite, then the output, then the state."""
    writer = RotatingWarcWriter(tmp_path / "warc", prefix="test")
    pipeline = RunPipeline(
        tmp_path / "runs", tmp_path / "state.sqlite", jobdir=None, spider_name="news", archives=writer.sync
    )
    order: list[str] = []
    real_fsync, real_commit = os.fsync, pipeline.state.commit_batch

    def fsync(fd: int) -> None:
        order.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    def commit_batch(*args, **kwargs) -> None:
        order.append("state")
        real_commit(*args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(pipeline.state, "commit_batch", commit_batch)
    when = datetime(2023, 2, 4, 10, tzinfo=UTC)
    warc_path, offset = writer.write("https://news.example/1", when, status=200, response_headers=[], body=b"<p>1</p>")
    pipeline.process_item(record("https://news.example/1", "h1", warc={"file": warc_path, "offset": offset}))
    pipeline.commit()
    assert order == [warc_path, str(pipeline.run.output), "state"]
    assert [i.type for i in iter_records(warc_path)] == ["warcinfo", "response", "request"]


def test_nothing_is_kept_for_pages_that_never_become_a_record(tmp_path):
    crawler = get_crawler(
        settings_dict={"EUSPIDER_RUN_DIR": str(tmp_path / "runs"), "EUSPIDER_STATE": str(tmp_path / "state.sqlite")}
    )
    pipeline = RunPipeline.from_crawler(crawler)
    for n in range(3):
        pipeline.remember_response(f"https://news.example/{n}", f'"{n}"', None, [])
    page = Page(url="https://news.example/0", body=b"<p>short</p>", headers={})
    crawler.signals.send_catch_log(signals.item_dropped, item=page, response=None, exception=DropItem("too_short"))
    crawler.signals.send_catch_log(signals.item_error, item=Page(url="https://news.example/1", body=b"", headers={}))
    assert set(pipeline.fetched) == {"https://news.example/2"}
    pipeline.process_item(record("https://news.example/2", "h2"))
    assert pipeline.fetched == {}
    pipeline.close_spider()
    assert pipeline.state.validators("https://news.example/2") == ('"2"', None)


def test_a_continued_run_reads_only_what_follows_its_last_commit(tmp_path):
    """Killed after a commit and one more line: the next start continues the run from the state and
    the uncommitted line alone (the committed lines are not read: here they are made unreadable)."""
    job = tmp_path / "job"
    first = RunPipeline(tmp_path / "runs", tmp_path / "state.sqlite", jobdir=job, spider_name="news")
    for n in range(3):
        first.process_item(record(f"https://news.example/{n}", f"h{n}"))
    first.commit()
    first.process_item(record("https://news.example/3", "h3"))
    first.output._handle.flush()  # killed here: the fourth line is on disk, not committed
    output = first.run.output
    committed = first.state.run(first.run.run_id)["committed_offset"]
    data = output.read_bytes()
    output.write_bytes(b"\n".join(b"x" * len(line) for line in data[:committed].split(b"\n")) + data[committed:])
    second = RunPipeline(tmp_path / "runs", tmp_path / "state.sqlite", jobdir=job, spider_name="news")
    assert second.run.resumed and second.run.output == output
    assert second.written == {f"https://news.example/{n}" for n in range(4)}
    assert second.run.counts == {"new": 4}
    assert second.done("https://news.example/0") and not second.done("https://news.example/4")
    second.process_item(record("https://news.example/4", "h4"))
    second.close_spider()
    second.spider_closed(None, "finished")
    assert not (job / "euspider_run.json").exists()
    third = RunPipeline(tmp_path / "runs", tmp_path / "state.sqlite", jobdir=job, spider_name="news")
    assert not third.run.resumed and third.run.output != output and third.written == set()
