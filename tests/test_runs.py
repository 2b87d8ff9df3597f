"""The run file and the crawl state on their own: partial lines cut, records recovered, decisions."""

from __future__ import annotations

import json

import pytest

from euspider.runs import RunError, RunFile, manifest_path, write_manifest
from euspider.state import CrawlState, StateError


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
