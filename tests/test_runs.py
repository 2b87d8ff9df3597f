"""The run file and the crawl state on their own: partial lines cut, records recovered, decisions."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import UTC, datetime

import pytest
import redis
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from euspider.config import ConfigError
from euspider.incremental import RunPipeline
from euspider.items import Page
from euspider.runs import RunError, RunFile, manifest_path, write_manifest
from euspider.state import CrawlState, Decision, StateError, open_state
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
def test_state_decisions(open_state, steps, url, content_hash, kind, version):
    state = open_state()
    for step_url, step_hash, step_version in steps:
        state.commit_written(
            [{"url": step_url, "content_hash": step_hash, "version": step_version, "seen": "2023-02-04T10:00:00Z"}]
        )
    decision = state.decide(url, content_hash)
    assert (decision.kind, decision.version) == (kind, version)
    if kind == "duplicate":
        assert decision.duplicate_of == "a"


def test_state_keeps_validators_and_runs(open_state):
    state = open_state()
    state.start_run("r1", "news", "2023-02-04T10:00:00Z", "out.jsonl")
    state.commit_batch("r1", 120, [{"url": "a", "content_hash": "h", "version": 1, "seen": "s", "etag": '"x"'}])
    assert state.validators("a") == ('"x"', None)
    assert state.run("r1") == {
        "run_id": "r1", "spider": "news", "started": "2023-02-04T10:00:00Z", "finished": None,
        "finish_reason": None, "output": "out.jsonl", "committed_offset": 120, "progress": {},
    }  # fmt: skip
    state.set_offset("r1", 150)
    state.finish_run("r1", "2023-02-04T11:00:00Z", "finished", {"run_id": "r1"})
    state.close()
    again = open_state()
    assert again.validators("a") == ('"x"', None)
    found = again.run("r1")
    assert (found["committed_offset"], found["finished"], found["finish_reason"]) == (
        150,
        "2023-02-04T11:00:00Z",
        "finished",
    )
    assert again.run("r2") is None


def test_garbage_state_file_is_refused(tmp_path):
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"\x00garbage" * 500)
    with pytest.raises(StateError, match="not a euspider state file"):
        CrawlState(path)


def record(url: str, text_hash: str, **extra) -> dict:
    return {"url": url, "content_hash": text_hash, "version": 1, "crawled_at": "2023-02-04T10:00:00Z", **extra}


def test_unchanged_stories_wait_for_the_next_commit(open_state):
    """A 304 is no transaction of its own: it is staged and committed with the next batch of records."""
    state = open_state()
    state.start_run("r1", "news", "2023-02-04T10:00:00Z", "out.jsonl")
    state.commit_written([{"url": "a", "content_hash": "h", "version": 1, "seen": "2023-02-04T10:00:00Z"}])
    state.touch("a", "2023-03-01T10:00:00Z", '"v2"')
    state.record_duplicate("b", "h", "a", seen="2023-03-01T10:00:00Z")
    state.record_redirect("https://old/a", "a")
    other = open_state()  # another process (or worker) sees nothing staged
    assert other.validators("a") == (None, None)
    assert other.redirect_of("https://old/a") is None
    assert other.done_in_run("r1") == ({"a"}, set())
    assert state.staged == 3
    state.commit_batch("r1", 0, [], {"counts": {"unchanged": 1}})
    assert other.validators("a") == ('"v2"', None)
    assert other.redirect_of("https://old/a") == "a"
    assert other.decide("b", "h") == Decision("duplicate", 0, None, "a")
    assert state.staged == 0
    assert state.validators("https://old/a") == ('"v2"', None)  # asked under the requested URL too
    assert state.done_in_run("r1") == ({"a"}, {"b"})
    assert state.run("r1")["progress"] == {"counts": {"unchanged": 1}}


def test_runs_know_what_they_wrote_and_what_they_saw(open_state):
    state = open_state()
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


def test_a_continued_run_reads_only_what_follows_its_last_commit(tmp_path, open_state):
    """Killed after a commit and one more line: the next start continues the run from the state and
    the uncommitted line alone (the committed lines are not read: here they are made unreadable)."""
    job = tmp_path / "job"
    first = RunPipeline(tmp_path / "runs", open_state(), jobdir=job, spider_name="news")
    for n in range(3):
        first.process_item(record(f"https://news.example/{n}", f"h{n}"))
    first.commit()
    first.process_item(record("https://news.example/3", "h3"))
    first.output._handle.flush()  # killed here: the fourth line is on disk, not committed
    output = first.run.output
    committed = first.state.run(first.run.run_id)["committed_offset"]
    data = output.read_bytes()
    output.write_bytes(b"\n".join(b"x" * len(line) for line in data[:committed].split(b"\n")) + data[committed:])
    second = RunPipeline(tmp_path / "runs", open_state(), jobdir=job, spider_name="news")
    assert second.run.resumed and second.run.output == output
    assert second.written == {f"https://news.example/{n}" for n in range(4)}
    assert second.run.counts == {"new": 4}
    assert second.done("https://news.example/0") and not second.done("https://news.example/4")
    second.process_item(record("https://news.example/4", "h4"))
    second.close_spider()
    second.spider_closed(None, "finished")
    assert not (job / "euspider_run.json").exists()
    third = RunPipeline(tmp_path / "runs", open_state(), jobdir=job, spider_name="news")
    assert not third.run.resumed and third.run.output != output and third.written == set()


def test_a_continued_run_counts_an_alias_met_again_once(tmp_path, open_state):
    """Killed after it settled an alias (the same story at a second URL): the continued run may meet
    the alias again, and the manifest still counts one duplicate URL, as its list of duplicates says."""
    job = tmp_path / "job"
    first = RunPipeline(tmp_path / "runs", open_state(), jobdir=job, spider_name="news")
    first.process_item(record("https://news.example/story", "h1"))
    with pytest.raises(DropItem):
        first.process_item(record("https://news.example/alias", "h1"))
    first.commit()  # killed here
    second = RunPipeline(tmp_path / "runs", open_state(), jobdir=job, spider_name="news")
    assert second.run.resumed and second.run.counts == {"duplicate": 1, "new": 1}
    with pytest.raises(DropItem):
        second.process_item(record("https://news.example/alias", "h1"))
    second.record_duplicate("https://news.example/alias", "https://news.example/story", "h1")
    assert second.run.counts == {"duplicate": 1, "new": 1}
    assert second.duplicates == {"https://news.example/alias": "https://news.example/story"}


# --- a state shared by the workers of a crawl (Redis) ----------------------------------------------


def test_two_workers_never_write_the_same_version_of_a_story(redis_url):
    """Versions are handed out in the script that reads the stored one: workers deciding changes of
    one story at the same time each get their own number, and a commit never takes the state back."""
    url = "https://news.example/a"
    setup = open_state("redis:shared", redis_url)
    setup.commit_written([{"url": url, "content_hash": "h0", "version": 1, "seen": "s"}])
    got: list[int] = []

    def worker(n: int) -> None:
        state = open_state("redis:shared", redis_url)
        state.start_run(f"run-{n}", "news", "s", f"{n}.jsonl")
        for i in range(40):
            decision = state.decide(url, f"h{n}-{i}")
            got.append(decision.version)
            state.commit_batch(f"run-{n}", i, [{"url": url, "content_hash": f"h{n}-{i}", "version": decision.version,
                                               "seen": "t"}])  # fmt: skip

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == list(range(2, 122))  # 120 changes, each its own version
    last = setup.decide(url, "h-next")
    assert (last.kind, last.version) == ("changed", 122)


def test_an_older_version_does_not_overwrite_a_newer_one(redis_url):
    url = "https://news.example/a"
    one, two = open_state("redis:shared", redis_url), open_state("redis:shared", redis_url)
    one.commit_written([{"url": url, "content_hash": "h1", "version": 1, "seen": "s"}])
    slow, fast = one.decide(url, "h2"), two.decide(url, "h3")
    assert (slow.version, fast.version) == (2, 3)
    assert two.commit_batch("r2", 0, [{"url": url, "content_hash": "h3", "version": 3, "seen": "t"}]) == []
    assert one.commit_batch("r1", 0, [{"url": url, "content_hash": "h2", "version": 2, "seen": "t"}]) == [url]
    assert one.decide(url, "h3") == Decision("unchanged", 3, "h3")


def test_a_new_story_decided_by_a_worker_that_died_takes_the_next_version(redis_url):
    """The dead worker's line (version 1) may be in its output: the story's next record is version 2."""
    url = "https://news.example/a"
    assert open_state("redis:shared", redis_url).decide(url, "h1").version == 1  # never committed
    again = open_state("redis:shared", redis_url)
    assert again.decide(url, "h1") == Decision("new", 2, None)
    assert again.validators(url) == (None, None) and again.done_in_run("r1") == (set(), set())


def test_a_key_that_is_no_state_is_refused(redis_url):
    redis.Redis.from_url(redis_url).set("euspider-state:other:article", "something else")
    with pytest.raises(StateError, match="not a euspider state"):
        open_state("redis:other", redis_url)


@pytest.mark.parametrize(
    ("state", "shared", "message"),
    [
        ("state.sqlite", True, "a SQLite file is one host's"),
        ("redis:%(name)s", False, "a state in Redis needs EUSPIDER_REDIS_URL"),
    ],
    ids=["sqlite-in-a-shared-crawl", "redis-without-server"],
)
def test_state_and_shared_crawl_must_agree(tmp_path, request, state, shared, message):
    settings = {"EUSPIDER_RUN_DIR": str(tmp_path / "runs"), "EUSPIDER_STATE": state}
    if shared:
        settings["EUSPIDER_REDIS_URL"] = request.getfixturevalue("redis_url")
    with pytest.raises(ConfigError, match=message):
        RunPipeline.from_crawler(get_crawler(settings_dict=settings))
