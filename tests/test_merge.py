"""``python -m euspider merge``: run files of several workers or runs into one dataset file."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def record(url: str, text: str, crawled_at: str) -> dict:
    # the fields the merge reads, and others it must pass through untouched
    return {
        "url": url,
        "content_hash": "sha256:" + hashlib.sha256(text.encode()).hexdigest(),
        "text": text,
        "crawled_at": crawled_at,
    }


def write(path: Path, records: list[dict], tail: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) + tail, encoding="utf-8")


def merge(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "euspider", "merge", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_each_story_once_every_version_kept_and_a_cut_off_line_skipped(tmp_path):
    first = record("https://news.example/a", "Council agrees reform.", "2024-05-01T10:00:00Z")
    second = record("https://news.example/b", "Ministers meet in Brussels.", "2024-05-01T10:00:05Z")
    third = record("https://news.example/c", "Parliament votes – über alles.", "2024-05-01T10:00:09Z")
    changed = record("https://news.example/a", "Council agrees reform, then changes it.", "2024-05-01T14:00:00Z")
    # worker A wrote a and b; worker B, which took over A's lead for b when A was killed, wrote b again,
    # then c and a later version of a; B was killed mid-write
    write(tmp_path / "hostA" / "runs" / "news_1.jsonl", [first, second])
    again = dict(second, crawled_at="2024-05-01T10:01:00Z")
    write(tmp_path / "hostB" / "runs" / "news_2.jsonl", [again, third, changed], tail='{"url": "https://news.exa')
    out = tmp_path / "news.jsonl"
    done = merge(str(tmp_path / "hostA" / "runs"), str(tmp_path / "hostB" / "runs" / "news_2.jsonl"), "-o", str(out))
    assert done.returncode == 0, done.stderr
    merged = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert merged == [first, second, third, changed]  # the first copy of b, both versions of a, in order
    assert "4 records from 2 files, 1 repeated records left out, 1 lines skipped" in done.stdout
    assert "news_2.jsonl:4: a line cut off at the end of the file" in done.stderr


def test_bad_input_is_refused_with_a_clear_error(tmp_path):
    run = tmp_path / "news_1.jsonl"
    write(run, [record("https://news.example/a", "Text.", "2024-05-01T10:00:00Z")])
    same = merge(str(run), "-o", str(run))
    assert same.returncode == 2 and "is one of the run files" in same.stderr
    assert json.loads(run.read_text())["url"] == "https://news.example/a"  # untouched
    missing = merge(str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert missing.returncode == 2 and "no such run file" in missing.stderr
    assert not (tmp_path / "out.jsonl").exists()
    write(tmp_path / "odd.jsonl", [], tail='["not", "a record"]\nnot json\n')
    odd = merge(str(tmp_path / "odd.jsonl"), "-o", str(tmp_path / "out.jsonl"))
    assert odd.returncode == 0 and "0 records from 1 files" in odd.stdout
    assert "odd.jsonl:1: not a record (no url)" in odd.stderr and "odd.jsonl:2: not JSON" in odd.stderr
