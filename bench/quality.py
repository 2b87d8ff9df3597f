"""Extraction quality and speed of euspider against trafilatura and readability on real pages, in one run.

    python bench/quality.py [--limit N] [--only aeb|trafeval] [--repeat R] [--show WORST]

Sets (read in place from eval-dev, see its README for the metrics):
- ``aeb``: article-extraction-benchmark pages, shingle F1 (precision, recall);
- ``trafeval``: trafilatura's evaluation pages, share of must-keep snippets kept and of boilerplate
  snippets removed;
- ``dates``: htmldate's pages have no text gold; those that are not trafeval pages too (most are)
  count in the timing only.

Methods, each on the same HTML and URL: ``euspider`` (``ArticleExtractor.extract`` as a live crawl
calls it, captured now), ``trafilatura.extract`` (plain, and ``favor_precision``),
``trafilatura.bare_extraction`` with metadata (the time baseline: what a plain pipeline that also
titles, credits and dates pages costs; its text is scored too), and readability-lxml.

Quality is given for the whole set and for its two fixed halves (``bench.evaldata.half``): rules are
chosen looking at ``tune`` only, so ``check`` is the cross-validated figure; ``--show`` lists misses
of ``tune`` only.

Time: every method runs on a page before the next page is read (and the order of the methods turns
from page to page), so a slow spell of a shared machine hits all of them alike; ``--repeat R`` runs
euspider and the baseline R times on each page, alternating, and keeps each one's fastest run. The
figure is the CPU time of this single process (``time.process_time``): on a machine shared with other
jobs, wall-clock time also counts the time other processes held the CPU, and the fastest of a few
runs favours the shorter call; wall-clock ratios are printed beside it. Time per page is reported by
size of the page's HTML (under 100 KB, 100-500 KB, over 500 KB) as the ratio of euspider's to the
baseline's, and on ``--generated N`` pages of ``tests/storypages.py`` (stories in current publishers'
templates: menus of a thousand links, stylesheets, JSON, paywalls; default 100), timed the same way,
with the share of those pages whose text is exactly the story's paragraphs, and how many generated
section pages (grids of cards of other stories, no story) get no record. Prints tables, then one
JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura
from htmldate.extractors import get_external_parser
from lxml.html import fromstring

from bench.evaldata import (
    HALVES,
    EvalPage,
    aeb_pages,
    aeb_score,
    dates_pages,
    half,
    trafeval_pages,
    trafeval_score,
)
from euspider.extract import ArticleExtractor

warnings.filterwarnings("ignore")

BASELINE = "trafilatura +metadata"
#: Size bands of a page's HTML (UTF-8 bytes): (name, lower bound inclusive, upper bound exclusive).
BANDS = (("<100KB", 0, 100_000), ("100-500KB", 100_000, 500_000), (">500KB", 500_000, 1 << 62))


def readability_text(html: str, url: str) -> str:
    from readability import Document

    summary = Document(html, url=url or None).summary(html_partial=True)
    return fromstring(summary).text_content()


def methods() -> dict[str, Callable[[str, str], str]]:
    extractor = ArticleExtractor()

    def euspider_text(html: str, url: str) -> str:
        # captured now, as a live crawl would: every date rule runs (the page stamp search too)
        outcome = extractor.extract(html, url or "https://unknown.invalid/", crawled_at=datetime.now(UTC))
        return outcome.record["text"] if outcome.record else ""

    def trafilatura_metadata(html: str, url: str) -> str:
        document = trafilatura.bare_extraction(html, url=url or None, with_metadata=True, include_comments=False)
        return (document.text if document is not None else "") or ""

    return {
        "euspider": euspider_text,
        "trafilatura": lambda html, url: trafilatura.extract(html, url=url or None) or "",
        "trafilatura favor_precision": lambda html, url: (
            trafilatura.extract(html, url=url or None, favor_precision=True) or ""
        ),
        BASELINE: trafilatura_metadata,
        "readability-lxml": readability_text,
    }


def band(size: int) -> str:
    return next(name for name, low, high in BANDS if low <= size < high)


def run_all(
    pages: list[EvalPage], named: dict[str, Callable[[str, str], str]], htmls: dict[str, str], repeat: int = 1
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Every method on every page, page by page; returns outputs, then CPU seconds and wall seconds
    per (method, page), each the fastest of the repeated runs."""
    outputs: dict[str, dict[str, str]] = {name: {} for name in named}
    seconds: dict[str, dict[str, float]] = {name: {} for name in named}
    wall: dict[str, dict[str, float]] = {name: {} for name in named}
    order = list(named)
    for index, page in enumerate(pages):
        key = page.set + page.id
        turn = order[index % len(order) :] + order[: index % len(order)]
        timed = [name for name in turn if name in ("euspider", BASELINE)]
        schedule = turn + timed * (repeat - 1)
        for name in schedule:
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                output = named[name](htmls[key], page.url)
            except Exception as err:  # noqa: BLE001 - a crash on one page counts as empty output
                print(f"  {name} failed on {page.id}: {type(err).__name__}: {err}", file=sys.stderr)
                output = ""
            took, took_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            outputs[name].setdefault(key, output)
            seconds[name][key] = min(took_cpu, seconds[name].get(key, took_cpu))
            wall[name][key] = min(took, wall[name].get(key, took))
    return outputs, seconds, wall


def quality(pages_aeb: list[EvalPage], pages_traf: list[EvalPage], outputs: dict[str, str]) -> dict[str, float]:
    row: dict[str, float] = {}
    if pages_aeb:
        scored = aeb_score([(outputs[p.set + p.id], p.gold_text or "") for p in pages_aeb])
        row.update({f"aeb_{k}": round(v, 4) for k, v in scored.items()})
    if pages_traf:
        scored = trafeval_score([(p, outputs[p.set + p.id]) for p in pages_traf])
        row.update({k: round(v, 4) for k, v in scored.items()})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--only", choices=["aeb", "trafeval"])
    parser.add_argument("--repeat", type=int, default=1, help="timed runs of euspider and the baseline per page")
    parser.add_argument("--generated", type=int, default=100, help="generated story pages to time (0: none)")
    parser.add_argument(
        "--show", type=int, default=0, help="print euspider's worst AEB pages and missed trafeval snippets (tune half)"
    )
    args = parser.parse_args()

    aeb = [] if args.only == "trafeval" else aeb_pages()
    traf = [] if args.only == "aeb" else trafeval_pages()
    in_trafeval = {page.id for page in trafeval_pages()}
    timing_only = [] if args.only else [page for page in dates_pages() if page.id not in in_trafeval]
    if args.limit:
        aeb, traf, timing_only = aeb[: args.limit], traf[: args.limit], timing_only[: args.limit]
    pages = aeb + traf + timing_only
    htmls = {p.set + p.id: p.html() for p in pages}
    sizes = {key: len(html.encode("utf-8")) for key, html in htmls.items()}

    named = methods()
    # warm every method up first (imports, dateparser's locale tables, caches), untimed
    run_all(aeb[:3] + traf[:3] + timing_only[:3], named, htmls)
    # htmldate hands dates its own parser cannot read to dateparser, which builds each language's
    # tables the first time that language is tried: some seconds in all, paid by whichever method
    # meets the language first. A string that no language reads builds them all now, untimed.
    get_external_parser().get_date_data("qxzv 12 wqvk 2019")
    all_outputs, all_seconds, all_wall = run_all(pages, named, htmls, max(args.repeat, 1))
    load = os.getloadavg()

    summary: dict[str, object] = {
        "bench": "quality",
        "pages": {"aeb": len(aeb), "trafeval": len(traf), "timing_only": len(timing_only)},
        "split": "tune/check by sha256(page id)[0] % 2; rules chosen on tune, check is the held-out figure",
        "load_average": [round(x, 2) for x in load],
    }
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for name in named:
        rows[name] = {}
        for part in (*HALVES, "all"):
            rows[name][part] = quality(
                [p for p in aeb if part in ("all", half(p))],
                [p for p in traf if part in ("all", half(p))],
                all_outputs[name],
            )
        ms = [1000 * s for s in all_seconds[name].values()]  # CPU
        rows[name]["all"]["ms_per_page"] = round(sum(ms) / max(len(ms), 1), 1)
    for part in ("all", *HALVES):
        print(f"\n{part} pages" + (" (held out: the cross-validated figure)" if part == "check" else ""))
        print(f"{'method':28} {'AEB F1':>7} {'P':>7} {'R':>7} {'kept':>7} {'removed':>8}")
        for name in named:
            row = rows[name][part]
            cells = [f"{row[k]:7.3f}" if k in row else f"{'':>7}" for k in ("aeb_f1", "aeb_precision", "aeb_recall")]
            cells += [f"{row['content_kept']:7.1%}" if "content_kept" in row else f"{'':>7}"]
            cells += [f"{row['boilerplate_removed']:8.1%}" if "boilerplate_removed" in row else f"{'':>8}"]
            print(f"{name:28} {' '.join(cells)}")
    if aeb:
        for part in ("check", "all"):
            trafilatura_best = max(rows[n][part]["aeb_f1"] for n in named if n.startswith("trafilatura"))
            lead = rows["euspider"][part]["aeb_f1"] - trafilatura_best
            print(f"euspider - best trafilatura, AEB F1, {part}: {lead:+.3f}")
            summary[f"aeb_f1_lead_over_trafilatura_{part}"] = round(lead, 4)

    print(
        f"\nCPU time per page by HTML size, the process's own (load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}; wall-clock time beside it)"
    )
    print(f"{'band':10} {'pages':>5} {'euspider ms':>12} {BASELINE + ' ms':>26} {'ratio':>6} {'wall ratio':>11}")
    timing = []
    for name, low, high in (*BANDS, ("all", 0, 1 << 62)):
        keys = [k for k in sizes if low <= sizes[k] < high]
        ours = sum(all_seconds["euspider"][k] for k in keys)
        theirs = sum(all_seconds[BASELINE][k] for k in keys)
        ratio = ours / theirs if theirs else float("nan")
        wall_ours = sum(all_wall["euspider"][k] for k in keys)
        wall_theirs = sum(all_wall[BASELINE][k] for k in keys)
        wall_ratio = wall_ours / wall_theirs if wall_theirs else float("nan")
        count = max(len(keys), 1)
        print(
            f"{name:10} {len(keys):5d} {1000 * ours / count:12.1f} {1000 * theirs / count:26.1f} {ratio:6.2f} "
            f"{wall_ratio:11.2f}"
        )
        timing.append(
            {
                "band": name,
                "pages": len(keys),
                "euspider_ms": round(1000 * ours / count, 1),
                "baseline_ms": round(1000 * theirs / count, 1),
                "ratio": round(ratio, 3),
                "wall_ratio": round(wall_ratio, 3),
            }
        )
    if args.generated:
        summary["generated"] = time_generated(named, args.generated, max(args.repeat, 1))
    summary["methods"] = [
        {"method": name, **rows[name]["all"], "halves": {p: rows[name][p] for p in HALVES}} for name in named
    ]
    summary["time_by_size"] = timing
    summary["repeat"] = max(args.repeat, 1)
    if args.show:
        show_worst(
            [p for p in aeb if half(p) == "tune"],
            [p for p in traf if half(p) == "tune"],
            all_outputs["euspider"],
            args.show,
        )
    print(json.dumps(summary))


def time_generated(named: dict[str, Callable[[str, str], str]], count: int, repeat: int) -> dict[str, float]:
    """euspider and the baseline on generated story pages in current templates: CPU time per page (each
    the fastest of ``repeat`` runs, the two alternating) and the share of pages given exactly their
    story's paragraphs."""
    from tests.storypages import StoryPages

    made = [StoryPages().page(seed) for seed in range(count)]
    timed = ("euspider", BASELINE)
    for page in made[:3]:  # warm up, untimed
        for name in timed:
            named[name](page.html, page.url)
    seconds = dict.fromkeys(timed, 0.0)
    exact = dict.fromkeys(timed, 0)
    for index, page in enumerate(made):
        best: dict[str, float] = {}
        outputs: dict[str, str] = {}
        for name in (timed if index % 2 else timed[::-1]) * repeat:
            start = time.process_time()
            outputs[name] = named[name](page.html, page.url)
            best[name] = min(time.process_time() - start, best.get(name, float("inf")))
        for name in timed:
            seconds[name] += best[name]
            exact[name] += outputs[name].split("\n") == list(page.story.paragraphs)
    ratio = seconds["euspider"] / seconds[BASELINE]
    # section pages in the same templates: no story, what a crawl of a site without a profile skips
    extractor = ArticleExtractor()
    sections = [StoryPages().section_page(seed) for seed in range(count)]
    skipped = sum(extractor.extract(html, url, crawled_at=datetime.now(UTC)).record is None for html, url in sections)
    print(f"\ngenerated story pages in current templates ({count}, tests/storypages.py), CPU time per page")
    print(f"{'method':28} {'ms':>7} {'exact text':>11}")
    for name in timed:
        print(f"{name:28} {1000 * seconds[name] / count:7.1f} {exact[name] / count:11.1%}")
    print(f"ratio {ratio:.2f}")
    print(f"generated section pages (cards of other stories) given no record: {skipped}/{count}")
    return {
        "section_pages_skipped": round(skipped / count, 4),
        "pages": count,
        "euspider_ms": round(1000 * seconds["euspider"] / count, 1),
        "baseline_ms": round(1000 * seconds[BASELINE] / count, 1),
        "ratio": round(ratio, 3),
        "euspider_exact_text": round(exact["euspider"] / count, 4),
        "baseline_exact_text": round(exact[BASELINE] / count, 4),
    }


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
