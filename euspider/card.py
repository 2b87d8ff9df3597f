"""A dataset card for a crawl's output (pure, no Scrapy): ``python -m euspider dataset-card``.

Markdown with Hugging Face style YAML front matter (languages, size category, the data file), the
crawl's counts read from the output itself (records, sites, languages and where they came from,
near-duplicates, publication and capture ranges, date mismatches) and, when given, from the run's
manifest (drops by reason, duplicates, finish reason); then every field with its Parquet type and
meaning, generated from :mod:`euspider.items` through the schema, so the card cannot drift from
the code. The output is read column by column in batches (Parquet) or line by line (JSON lines):
memory does not grow with the file.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .items import SCHEMA_VERSION

#: The columns the counts need.
COLUMNS = (
    "site",
    "language",
    "language_source",
    "near_duplicate_of",
    "published_earliest",
    "published_precision",
    "crawled_at",
    "date_mismatch",
    "paywall_truncated",
    "word_count",
    "version",
)


@dataclass
class Counts:
    records: int = 0
    words: int = 0
    sites: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    language_sources: Counter[str] = field(default_factory=Counter)
    near_duplicates: int = 0
    precision: Counter[str] = field(default_factory=Counter)
    mismatches: Counter[str] = field(default_factory=Counter)
    paywalled: int = 0
    changed: int = 0
    published: list[str] = field(default_factory=list)  # earliest and latest day seen
    crawled: list[str] = field(default_factory=list)

    def add(self, row: dict[str, Any]) -> None:
        self.records += 1
        self.words += int(row.get("word_count") or 0)
        self.sites[row.get("site") or "unknown"] += 1
        self.languages[row.get("language") or "unknown"] += 1
        self.language_sources[row.get("language_source") or "unknown"] += 1
        self.near_duplicates += row.get("near_duplicate_of") is not None
        self.precision[row.get("published_precision") or "unknown"] += 1
        for kind in (row.get("date_mismatch") or {}).get("kinds") or []:
            self.mismatches[kind] += 1
        self.paywalled += bool(row.get("paywall_truncated"))
        self.changed += int(row.get("version") or 1) > 1
        _widen(self.published, row.get("published_earliest"))
        _widen(self.crawled, row.get("crawled_at"))


def _widen(span: list[str], value: Any) -> None:
    if value is None:
        return
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = text[:10]
    if not span:
        span[:] = [text, text]
    else:
        span[0], span[1] = min(span[0], text), max(span[1], text)


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The columns the counts need, row by row, from a Parquet or JSON lines output."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        columns = [c for c in COLUMNS if c in parquet.schema_arrow.names]
        for batch in parquet.iter_batches(columns=columns, batch_size=2000):
            yield from batch.to_pylist()
        return
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{number}: not a JSON line ({err.msg})") from None
                yield {c: record.get(c) for c in COLUMNS}


def count(path: Path) -> Counts:
    counts = Counts()
    for row in read_rows(path):
        counts.add(row)
    return counts


def size_category(records: int) -> str:
    """The Hugging Face ``size_categories`` bucket."""
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if records < limit:
            return name
    return "1M<n<10M" if records < 10_000_000 else "n>10M"


def _listing(counter: Counter[str], limit: int = 12) -> str:
    items = counter.most_common(limit)
    text = ", ".join(f"{key} ({value:,})" for key, value in items)
    rest = len(counter) - len(items)
    return text + (f", and {rest} more" if rest > 0 else "") if text else "none"


def field_rows() -> list[tuple[str, str, str]]:
    """``(field, Parquet type, meaning)`` for every field, nested ones as ``parent.child``."""
    from .arrow import arrow_schema

    rows: list[tuple[str, str, str]] = []

    def walk(fields: Any, prefix: str) -> None:
        import pyarrow as pa

        for item in fields:
            name = prefix + item.name
            meta = item.metadata or {}
            meaning = meta.get(b"description", b"").decode("utf-8")
            kind = item.type
            rows.append((name, _type_name(kind, item.nullable), meaning))
            if pa.types.is_struct(kind):
                walk(list(kind), name + ".")
            elif pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
                walk(list(kind.value_type), name + "[].")

    walk(list(arrow_schema()), "")
    return rows


def _type_name(kind: Any, nullable: bool) -> str:
    import pyarrow as pa

    if pa.types.is_struct(kind):
        text = "struct"
    elif pa.types.is_list(kind):
        text = "list<struct>" if pa.types.is_struct(kind.value_type) else f"list<{kind.value_type}>"
    else:
        text = str(kind)
    return text + ("" if nullable else ", not null")


def _yaml_list(name: str, values: list[str]) -> list[str]:
    if not values:
        return [f"{name}: []"]
    return [f"{name}:"] + [f"- {json.dumps(v, ensure_ascii=False)}" for v in values]


def render(
    data: Path,
    counts: Counts,
    *,
    name: str | None = None,
    manifest: dict[str, Any] | None = None,
) -> str:
    """The card's markdown."""
    title = name or data.stem
    languages = sorted(k for k in counts.languages if k != "unknown")
    front = [
        "---",
        f"pretty_name: {json.dumps(title, ensure_ascii=False)}",
        *_yaml_list("language", languages),
        "license: other  # the stories' copyright stays with their publishers",
        *_yaml_list("size_categories", [size_category(counts.records)]),
        *_yaml_list("tags", ["news", "euspider", "publication-dates"]),
        "configs:",
        "- config_name: default",
        "  data_files:",
        "  - split: train",
        f"    path: {json.dumps(data.name)}",
        "---",
    ]
    noted = counts.language_sources
    lines = [
        f"# {title}",
        "",
        f"News stories extracted by euspider (record schema "
        f"{SCHEMA_VERSION}): the story text without boilerplate, its language, its publication date "
        "with the evidence for it, the capture time and the date the page displayed, kept apart.",
        "",
        "## Counts",
        "",
        "| what | count |",
        "|---|---|",
        f"| records | {counts.records:,} |",
        f"| words of text | {counts.words:,} |",
        f"| sites | {_listing(counts.sites)} |",
        f"| languages (`language`) | {_listing(counts.languages)} |",
        f"| where the language came from (`language_source`) | {_listing(noted)} |",
        f"| declared language contradicted by the text (`conflict`) | {noted.get('conflict', 0):,} |",
        f"| near copies of an earlier record (`near_duplicate_of`) | {counts.near_duplicates:,} |",
        f"| changed stories (version 2 or later) | {counts.changed:,} |",
        f"| publication days (`published_earliest`) | {' to '.join(counts.published) or 'none'} |",
        f"| precision of `published` | {_listing(counts.precision)} |",
        f"| captures (`crawled_at`) | {' to '.join(counts.crawled) or 'none'} |",
        f"| date mismatches (`date_mismatch.kinds`) | {_listing(counts.mismatches)} |",
        f"| text cut by a paywall | {counts.paywalled:,} |",
    ]
    if manifest:
        dropped = Counter({str(k): int(v) for k, v in (manifest.get("dropped") or {}).items()})
        lines += [
            f"| pages dropped, by reason | {_listing(dropped)} |",
            f"| URLs not written: same text as another URL | {len(manifest.get('duplicates') or {}):,} |",
            f"| crawl | {manifest.get('spider', '?')}, {manifest.get('started', '?')} to "
            f"{manifest.get('finished', '?')}, {manifest.get('finish_reason', '?')} |",
        ]
    lines += [
        "",
        "## Fields",
        "",
        "Generated from `euspider/items.py`. Types are those of the Parquet file; the JSON lines output has "
        "the same fields, dates as ISO 8601 strings.",
        "",
        "| field | type | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{f}` | {t} | {m.replace('|', '/')} |" for f, t, m in field_rows()]
    return "\n".join([*front, "", *lines]) + "\n"


def dataset_card(data: Path, *, name: str | None = None, manifest: Path | None = None) -> str:
    """The card for one output file (``.parquet`` or ``.jsonl``), with the run's manifest if given
    (or found beside a per-run output)."""
    if manifest is None:
        beside = data.with_name(data.name.removesuffix(data.suffix) + ".manifest.json")
        manifest = beside if beside.exists() else None
    loaded = json.loads(manifest.read_text(encoding="utf-8")) if manifest else None
    return render(data, count(data), name=name, manifest=loaded)


__all__ = ["Counts", "count", "dataset_card", "field_rows", "render"]
