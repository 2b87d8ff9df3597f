"""Extraction quality of euspider against trafilatura and readability on real pages, in one run.

    python bench/quality.py [--limit N] [--only aeb|trafeval] [--show WORST]

Sets (read in place from eval-dev, see its README for the metrics):
- ``aeb``: article-extraction-benchmark pages, shingle F1 (precision, recall);
- ``trafeval``: trafilatura's evaluation pages, share of must-keep snippets kept and of boilerplate
  snippets removed;
- ``dates``: htmldate's pages have no text gold; they count only in the timing.

Methods, each on the same HTML and URL: ``euspider.extract_article`` (no capture time: dates are
bounded by now), ``trafilatura.extract`` (plain, and ``favor_precision``), ``trafilatura.extract``
with metadata (the time baseline: what a plain pipeline that also dates pages costs), and
readability-lxml. Prints one table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura
from lxml.html import fromstring

from bench.evaldata import EvalPage, aeb_pages, aeb_score, dates_pages, trafeval_pages, trafeval_score
from euspider.extract import ArticleExtractor

warnings.filterwarnings("ignore")


def readability_text(html: str, url: str) -> str:
    from readability import Document

    summary = Document(html, url=url or None).summary(html_partial=True)
    return fromstring(summary).text_content()


def methods() -> dict[str, Callable[[str, str], str]]:
    extractor = ArticleExtractor()
    now = datetime.now(UTC)

    def euspider_text(html: str, url: str) -> str:
        outcome = extractor.extract(html, url or "https://unknown.invalid/", now=now)
        return outcome.record["text"] if outcome.record else ""

    return {
        "euspider": euspider_text,
        "trafilatura": lambda html, url: trafilatura.extract(html, url=url or None) or "",
        "trafilatura favor_precision": lambda html, url: (
            trafilatura.extract(html, url=url or None, favor_precision=True) or ""
        ),
        "trafilatura +metadata": lambda html, url: (
            (trafilatura.extract(html, url=url or None, with_metadata=True, output_format="json") and "") or ""
        ),
        "readability-lxml": readability_text,
    }


def run_all(
    pages: list[EvalPage], named: dict[str, Callable[[str, str], str]], htmls: dict[str, str]
) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Every method on every page, page by page, so a slow spell of the machine hits all methods alike."""
    outputs: dict[str, dict[str, str]] = {name: {} for name in named}
    seconds = dict.fromkeys(named, 0.0)
    for page in pages:
        key = page.set + page.id
        for name, method in named.items():
            start = time.perf_counter()
            try:
                outputs[name][key] = method(htmls[key], page.url)
            except Exception as err:  # noqa: BLE001 - a crash on one page counts as empty output
                print(f"  {name} failed on {page.id}: {type(err).__name__}: {err}", file=sys.stderr)
                outputs[name][key] = ""
            seconds[name] += time.perf_counter() - start
    return outputs, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--only", choices=["aeb", "trafeval"])
    parser.add_argument(
        "--show", type=int, default=0, help="print euspider's worst AEB pages and missed trafeval snippets"
    )
    args = parser.parse_args()

    aeb = [] if args.only == "trafeval" else aeb_pages()
    traf = [] if args.only == "aeb" else trafeval_pages()
    timing_only = [] if args.only else dates_pages()
    if args.limit:
        aeb, traf, timing_only = aeb[: args.limit], traf[: args.limit], timing_only[: args.limit]
    pages = aeb + traf + timing_only
    htmls = {p.set + p.id: p.html() for p in pages}

    named = methods()
    # warm every method up first (imports, dateparser's locale tables, caches), untimed
    run_all(aeb[:3] + traf[:3] + timing_only[:3], named, htmls)
    all_outputs, all_seconds = run_all(pages, named, htmls)

    rows = []
    summary: dict[str, object] = {
        "bench": "quality",
        "pages": {"aeb": len(aeb), "trafeval": len(traf), "timing_only": len(timing_only)},
    }
    for name in named:
        outputs, seconds = all_outputs[name], all_seconds[name]
        per_page_ms = 1000 * seconds / max(len(pages), 1)
        row = {"method": name, "ms_per_page": round(per_page_ms, 1)}
        if name != "trafilatura +metadata":
            if aeb:
                row.update(
                    {
                        f"aeb_{k}": round(v, 4)
                        for k, v in aeb_score([(outputs[p.set + p.id], p.gold_text or "") for p in aeb]).items()
                    }
                )
            if traf:
                row.update(
                    {k: round(v, 4) for k, v in trafeval_score([(p, outputs[p.set + p.id]) for p in traf]).items()}
                )
        rows.append(row)
        if name == "euspider" and args.show:
            show_worst(aeb, traf, outputs, args.show)
    header = f"{'method':28} {'AEB F1':>7} {'P':>7} {'R':>7} {'kept':>7} {'removed':>8} {'ms/page':>8}"
    print(header)
    for row in rows:
        cells = [
            f"{row.get(k, float('nan')):7.3f}" if k in row else f"{'':>7}"
            for k in ("aeb_f1", "aeb_precision", "aeb_recall")
        ]
        cells += [f"{row[k]:7.1%}" if k in row else f"{'':>7}" for k in ("content_kept",)]
        cells += [f"{row[k]:8.1%}" if k in row else f"{'':>8}" for k in ("boilerplate_removed",)]
        print(f"{row['method']:28} {' '.join(cells)} {row['ms_per_page']:8.1f}")
    by_name = {r["method"]: r for r in rows}
    overhead = by_name["euspider"]["ms_per_page"] / by_name["trafilatura +metadata"]["ms_per_page"] - 1
    print(f"euspider time vs trafilatura with metadata: {overhead:+.0%}")
    summary["methods"] = rows
    summary["euspider_time_overhead_vs_trafilatura_metadata"] = round(overhead, 4)
    print(json.dumps(summary))


def show_worst(aeb: list[EvalPage], traf: list[EvalPage], outputs: dict[str, str], count: int) -> None:
    scored = []
    for page in aeb:
        s = aeb_score([(outputs[page.set + page.id], page.gold_text or "")])
        scored.append((s["f1"], s["precision"], s["recall"], page.id, page.url))
    for f1, p, r, pid, url in sorted(scored)[:count]:
        print(f"  AEB {f1:.3f} P={p:.3f} R={r:.3f} {pid[:12]} {url}", file=sys.stderr)
    for page in traf:
        flat = " ".join(outputs[page.set + page.id].split())
        for snippet in page.drop:
            if " ".join(snippet.split()) in flat:
                print(f"  LEFT IN {page.id} {page.url[:60]}: {snippet[:90]}", file=sys.stderr)
        for snippet in page.keep:
            if " ".join(snippet.split()) not in flat:
                print(f"  MISSED  {page.id} {page.url[:60]}: {snippet[:90]}", file=sys.stderr)


if __name__ == "__main__":
    main()
