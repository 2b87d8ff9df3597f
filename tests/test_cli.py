"""`python -m euspider extract`: one page's record and its evidence table, for checking dates by hand."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import MIRROR_DIR, ROOT


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "euspider", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_extract_prints_record_and_evidence():
    result = run(
        "extract",
        str(MIRROR_DIR / "world-26823_2023-02-04.html"),
        "--url",
        "https://euobserver.com/world/26823",
        "--crawled-at",
        "2023-02-04T09:12:31Z",
    )
    assert result.returncode == 0, result.stderr
    assert '"page_date_stamp": "2023-02-04"' in result.stdout
    assert "--- date evidence ---" in result.stdout
    assert "banner" in result.stdout and "Saturday 4th Feb 2023" in result.stdout


def test_extract_json_output():
    result = run(
        "extract",
        str(MIRROR_DIR / "eu-political-ar3c9e1f2a_2024-06-10.html"),
        "--url",
        "https://euobserver.com/eu-political/ar3c9e1f2a",
        "--crawled-at",
        "2024-06-10T12:00:00Z",
        "--json",
    )
    record = json.loads(result.stdout)
    assert record["published"] == "2024-05-14T07:45:00+02:00"
    assert record["modified"] == "2024-06-02T10:00:00+02:00"
    assert any(e["source"] == "json-ld:datePublished" for e in record["date_evidence"])


def test_bad_arguments_are_clear():
    result = run("extract", str(MIRROR_DIR / "world-26823_2023-02-04.html"), "--crawled-at", "yesterday")
    assert result.returncode == 2
    assert "--crawled-at" in result.stderr
    result = run("extract", "/nonexistent.html")
    assert result.returncode == 2
    assert "cannot read" in result.stderr
