"""Score euspider's ``published`` against htmldate on real dated pages, in the same run.

    python bench/dates.py [--limit N] [--show-misses]

Pages: ``eval-dev/dates`` (htmldate's own test pages) and the dated pages of ``eval-dev/trafeval``.
Both methods see the same HTML and URL and no capture time (so both are bounded by today). Scores:
exact day and right year over dated pages; pages labelled null count as right when no date is given.
A ``published`` that is only a bound (precision ``on_or_before``) or coarser than a day (``month``,
``year``, ``range``) is no exact day; its year still counts.

The two sets share most of their pages (htmldate's test pages are among trafilatura's): each set's
rows score its own pages, and the combined rows (``all``) count a page once, with the date set's
gold date where both have one.

Figures are given for the whole set and for its two fixed halves (``bench.evaldata.half``): rules
are chosen looking at ``tune`` only, so ``check`` is the cross-validated figure. ``--show-misses``
lists euspider's misses on ``tune`` only. Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from htmldate import find_date

from bench.evaldata import HALVES, EvalPage, dates_pages, half, trafeval_pages
from euspider.extract import ArticleExtractor

#: ``published_precision`` values that state a calendar day.
DAY_PRECISIONS = {"datetime", "day"}


def score(pairs: list[tuple[str | None, str | None]]) -> dict[str, float]:
    """Exact day and right year of ``(predicted, gold)`` pairs; ``predicted`` is ``YYYY`` (a year
    only), ``YYYY-MM`` or ``YYYY-MM-DD...``."""
    exact = year = 0
    for predicted, gold in pairs:
        if gold is None:
            exact += predicted is None
            year += predicted is None
            continue
        if predicted:
            exact += len(predicted) >= 10 and predicted[:10] == gold[:10]
            year += predicted[:4] == gold[:4]
    n = max(len(pairs), 1)
    return {"exact": exact / n, "year": year / n, "pages": len(pairs)}


def euspider_day(dates: object) -> str | None:
    """What euspider claims: the day when its precision states one, else only the year or month."""
    if dates is None or dates.published is None:  # type: ignore[attr-defined]
        return None
    published: str = dates.published  # type: ignore[attr-defined]
    if dates.published_precision in DAY_PRECISIONS:  # type: ignore[attr-defined]
        return published[:10]
    return published[:7] if dates.published_precision == "month" else published[:4]  # type: ignore[attr-defined]


def _counted_twice(page: EvalPage, in_dates_set: set[str]) -> bool:
    """Whether ``page`` is a trafeval page that the date set holds too (the same page, one count)."""
    return page.set == "trafeval" and page.id in in_dates_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    parser.add_argument("--show-misses", action="store_true", help="list pages of the tune half euspider gets wrong")
    args = parser.parse_args()

    pages: list[EvalPage] = dates_pages() + [p for p in trafeval_pages() if p.date]
    if args.limit:
        pages = pages[: args.limit]
    in_dates_set = {page.id for page in pages if page.set == "dates"}
    extractor = ArticleExtractor()
    now = datetime.now(UTC)
    names = ("euspider", "htmldate original_date=True")
    results: dict[str, list[tuple[EvalPage, str | None]]] = {name: [] for name in names}
    misses = []
    t_ours = t_theirs = 0.0
    for page in pages:
        html = page.html()
        start = time.perf_counter()
        outcome = extractor.extract(html, page.url, now=now)
        t_ours += time.perf_counter() - start
        ours = euspider_day(outcome.dates)
        start = time.perf_counter()
        try:
            baseline = find_date(html, url=page.url or None, original_date=True)
        except Exception:  # noqa: BLE001 - a baseline crash counts as no answer
            baseline = None
        t_theirs += time.perf_counter() - start
        results["euspider"].append((page, ours))
        results["htmldate original_date=True"].append((page, baseline))
        if half(page) == "tune" and score([(ours, page.date)])["exact"] < 1:
            dates = outcome.dates
            misses.append(
                (page.set, page.id, page.url, page.date, dates.published if dates else None,
                 dates.published_precision if dates else None, dates.published_source if dates else None,
                 baseline)
            )  # fmt: skip

    figures: dict[str, dict[str, dict[str, float]]] = {}
    print(f"{'method':30} {'set':9} {'half':6} {'pages':>5} {'exact':>7} {'year':>7}")
    for name in names:
        figures[name] = {}
        for subset in ("dates", "trafeval", "all"):
            for part in (*HALVES, "all"):
                pairs = [
                    (predicted, page.date)
                    for page, predicted in results[name]
                    if (page.set == subset or (subset == "all" and not _counted_twice(page, in_dates_set)))
                    and part in ("all", half(page))
                ]
                s = score(pairs)
                figures[name][f"{subset}/{part}"] = s
                print(f"{name:30} {subset:9} {part:6} {s['pages']:5d} {s['exact']:7.1%} {s['year']:7.1%}")
    print(
        f"time: euspider {t_ours / max(len(pages), 1) * 1000:.0f} ms/page (whole extraction), "
        f"htmldate {t_theirs / max(len(pages), 1) * 1000:.0f} ms/page"
    )
    ours_f, theirs_f = figures["euspider"], figures["htmldate original_date=True"]
    for part in ("check", "all"):
        lead = ours_f[f"all/{part}"]["exact"] - theirs_f[f"all/{part}"]["exact"]
        print(f"euspider - htmldate, exact day, {part}: {lead * 100:+.1f} points")
    if args.show_misses:
        for miss in misses:
            print("MISS", *miss, sep="\t")
    summary = {
        "bench": "dates",
        "pages": len(pages),
        "unique_pages": sum(not _counted_twice(page, in_dates_set) for page in pages),
        "split": "tune/check by sha256(page id)[0] % 2; rules chosen on tune, check is the held-out figure",
    }
    for part in (*HALVES, "all"):
        suffix = "" if part == "all" else f"_{part}"
        summary[f"euspider_exact{suffix}"] = round(ours_f[f"all/{part}"]["exact"], 4)
        summary[f"euspider_year{suffix}"] = round(ours_f[f"all/{part}"]["year"], 4)
        summary[f"htmldate_exact{suffix}"] = round(theirs_f[f"all/{part}"]["exact"], 4)
        summary[f"htmldate_year{suffix}"] = round(theirs_f[f"all/{part}"]["year"], 4)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
