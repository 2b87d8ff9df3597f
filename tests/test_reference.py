"""The schema ships in step with the code, and the README documents every field, setting, stat and
meta key the package uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from euspider import config
from euspider.extract import SKIP_REASONS
from euspider.schema import build_schema, shipped_schema

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "euspider").rglob("*.py"))


def test_shipped_schema_is_generated_from_the_dataclasses():
    assert shipped_schema() == build_schema(), "run: python -m euspider schema > euspider/schema/article-1.schema.json"
    jsonschema.Draft202012Validator.check_schema(shipped_schema())


def test_every_output_field_is_in_the_readme():
    schema = build_schema()
    names = list(schema["properties"])
    for sub in schema["$defs"].values():
        names += list(sub["properties"])
    missing = [n for n in names if f"`{n}`" not in README]
    assert not missing


def test_every_setting_is_in_the_readme():
    missing = [s.name for s in config.SETTINGS if s.name not in README]
    assert not missing
    used = set(re.findall(r"\bEUSPIDER_[A-Z_]+\b", SOURCES))
    assert used <= {s.name for s in config.SETTINGS}, "a setting is read but not declared in config.SETTINGS"


def test_every_meta_key_is_in_the_readme():
    keys = set(re.findall(r'"(euspider_[a-z_]+)"', SOURCES))
    assert keys
    assert not [k for k in keys if k not in README]


def test_every_stat_is_in_the_readme():
    stats = set(
        re.findall(
            r'"(?:euspider/)?((?:items|dropped|published|mismatch|paywall|boilerplate|discovery|mirror|download|refused)/[a-z_/]*)',
            SOURCES,
        )
    )
    assert stats

    def documented(stat: str) -> bool:
        stat = stat.rstrip("/")
        if stat in README:
            return True
        head, _, tail = stat.rpartition("/")  # e.g. dropped/extraction_error: `dropped/<reason>` lists it
        return f"euspider/{head}/<" in README and f"`{tail}`" in README

    missing = [s for s in stats if not documented(s)]
    assert not missing
    for reason in SKIP_REASONS:
        assert f"`{reason}`" in README


def test_readme_example_record_validates():
    block = re.search(r"```json\n(\{.*?\})\n```", README, re.S)
    assert block, "the README shows one example record"
    jsonschema.validate(json.loads(block.group(1)), shipped_schema())
