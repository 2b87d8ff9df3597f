"""Read the development evaluation sets in place (never copied into the project).

The sets live in ``../shared/eval-dev/`` relative to the project root, or wherever
``EUSPIDER_EVAL_DIR`` points. See that folder's README for their sources and metrics.

Every page belongs to one of two fixed halves, by a hash of its id (:func:`half`): ``tune``, the
pages whose misses a developer may look at while choosing rules, and ``check``, the pages scored
but never inspected. The benchmarks report both halves beside the whole set: a rule that helps only
on ``tune`` is fitted to those pages, not to the web (the figures on ``check`` are the
cross-validated ones), and their ``--show`` options list misses of the ``tune`` half only.

A page can be in more than one set: most of the date set's pages are trafeval pages too, so their
text is scored. A page's half comes from its id alone and is the same in every set; a ``check``
page stays uninspected whichever set it is met in (its text, too, when the set scores only dates).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = Path(os.environ.get("EUSPIDER_EVAL_DIR", ROOT.parent / "shared" / "eval-dev"))


@dataclass
class EvalPage:
    set: str
    id: str
    url: str
    path: Path
    date: str | None = None
    gold_text: str | None = None
    keep: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)

    def html(self) -> str:
        with gzip.open(self.path, "rt", encoding="utf-8") as handle:
            return handle.read()


HALVES = ("tune", "check")


def half(page: EvalPage) -> str:
    """``tune`` or ``check``: the parity of the first byte of SHA-256 of the page id (fixed, so the
    split never moves with the code, and blind to what the page contains)."""
    return HALVES[hashlib.sha256(page.id.encode("utf-8")).digest()[0] % 2]


def require_eval_dir() -> Path:
    if not EVAL_DIR.is_dir():
        sys.exit(f"evaluation pages not found at {EVAL_DIR}; set EUSPIDER_EVAL_DIR")
    return EVAL_DIR


def _manifest(name: str) -> Iterator[dict]:
    with open(require_eval_dir() / name / "manifest.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def dates_pages() -> list[EvalPage]:
    return [
        EvalPage("dates", m["id"], m["url"], EVAL_DIR / "dates" / m["file"], date=m.get("date"))
        for m in _manifest("dates")
    ]


def trafeval_pages() -> list[EvalPage]:
    return [
        EvalPage(
            "trafeval",
            m["id"],
            m["url"],
            EVAL_DIR / "trafeval" / m["file"],
            date=m.get("date"),
            keep=m.get("with", []),
            drop=m.get("without", []),
        )
        for m in _manifest("trafeval")
    ]


def aeb_pages() -> list[EvalPage]:
    base = require_eval_dir() / "aeb"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        EvalPage("aeb", key, value.get("url", ""), base / "html" / f"{key}.html.gz", gold_text=value["articleBody"])
        for key, value in sorted(truth.items())
    ]


# --- metrics (as in the sets' README) -----------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def aeb_counts(predicted: str, gold: str) -> tuple[float, float, float]:
    """(tp, fp, fn) shares for one page, normalised to sum to 1 (the benchmark's own metric)."""
    pred, true = shingles(predicted), shingles(gold)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def aeb_score(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Precision over pages that predicted something, recall over pages with gold, F1 of the means."""
    precisions, recalls = [], []
    for predicted, gold in pairs:
        tp, fp, fn = aeb_counts(predicted, gold)
        if shingles(predicted):
            precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        if shingles(gold):
            recalls.append(tp / (tp + fn) if tp + fn else 0.0)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def collapse(text: str) -> str:
    return " ".join((text or "").split())


def trafeval_score(results: list[tuple[EvalPage, str]]) -> dict[str, float]:
    kept = total_keep = removed = total_drop = 0
    for page, output in results:
        flat = collapse(output)
        for snippet in page.keep:
            total_keep += 1
            kept += collapse(snippet) in flat
        for snippet in page.drop:
            total_drop += 1
            removed += collapse(snippet) not in flat
    return {"content_kept": kept / max(total_keep, 1), "boilerplate_removed": removed / max(total_drop, 1)}
