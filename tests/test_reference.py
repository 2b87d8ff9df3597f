"""One reference, generated and checked: docs/reference.md and the README's tables are what
`python -m euspider reference` renders, and what it declares is what the code reads, sets and counts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema

from euspider import config, reference
from euspider.__main__ import build_parser
from euspider.extract import SKIP_REASONS
from euspider.schema import build_schema, shipped_schema

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "euspider").rglob("*.py"))
FIX = "run: python -m euspider reference -o docs/reference.md --readme README.md"


def test_shipped_schema_is_generated_from_the_dataclasses():
    assert shipped_schema() == build_schema(), "run: python -m euspider schema > euspider/schema/article-1.schema.json"
    jsonschema.Draft202012Validator.check_schema(shipped_schema())


def test_reference_file_is_generated():
    assert reference.document() == DOC, FIX


def test_readme_tables_are_generated():
    assert reference.update_readme(README) == README, FIX
    assert "docs/reference.md" in README


def test_reference_command_prints_the_file():
    result = subprocess.run(
        [sys.executable, "-m", "euspider", "reference"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == DOC


def test_every_output_field_is_in_the_reference():
    schema = build_schema()
    names = list(schema["properties"])
    for sub in schema["$defs"].values():
        names += list(sub["properties"])
    assert not [n for n in names if f"| `{n}` |" not in DOC]


def test_settings_declared_are_the_settings_read():
    declared = {s.name for s in config.SETTINGS}
    used = set(re.findall(r"\bEUSPIDER_[A-Z_]+\b", SOURCES))
    assert used <= declared, "a setting is read but not declared in config.SETTINGS"
    # declared once in SETTINGS and read at least once more (config.load, the add-on)
    assert not [name for name in declared if len(re.findall(rf"\b{name}\b", SOURCES)) < 2]
    assert not [name for name in declared if f"| `{name}` |" not in DOC]


def test_meta_keys_declared_are_the_keys_used():
    used = set(re.findall(r'"(euspider_[a-z_]+)"', SOURCES))
    declared = {m.name for m in reference.META_KEYS}
    assert used == declared


def test_every_stat_literal_is_declared():
    literals = {s.rstrip("/") for s in re.findall(r'f?"(euspider/[a-z_/{}]+)"', SOURCES) if "{name}" not in s}
    assert literals
    assert not [s for s in literals if not _declared(s)]
    for reason in SKIP_REASONS:
        assert f"`{reason}`" in DOC


def _declared(literal: str) -> bool:
    """A stat name in the code, maybe built from parts (``f"euspider/state/{key}"``), that a
    declared stat fits."""
    if "{" not in literal:
        return reference.documented_stat(literal) or any(
            n.startswith(literal + "/") for s in reference.STATS for n in s.names
        )
    pattern = re.compile(".+".join(re.escape(p) for p in re.split(r"\{[^}]*\}", literal)) + "(/.+)?$")
    return any(pattern.match(n) for s in reference.STATS for n in s.names)


def _dumped_stats(log: str) -> set[str]:
    dump = log[log.rindex("Dumping Scrapy stats") :]
    return set(re.findall(r"'(euspider/[^']+)'", dump))


def test_stats_of_real_crawls_are_declared(monitored_crawl, stateful_runs):
    seen = set()
    for log in (monitored_crawl.log, stateful_runs.first_log, stateful_runs.second_log):
        seen |= _dumped_stats(log)
    assert "euspider/items/extracted" in seen and "euspider/monitors/failed/mismatch_rise" in seen
    assert not [s for s in seen if not reference.documented_stat(s)]


def test_every_command_is_in_the_readme_and_the_reference():
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        assert f"python -m euspider {name}" in README
        assert f"### `python -m euspider {name}`" in DOC


def test_readme_example_record_validates():
    block = re.search(r"```json\n(\{.*?\})\n```", README, re.S)
    assert block, "the README shows one example record"
    jsonschema.validate(json.loads(block.group(1)), shipped_schema())
