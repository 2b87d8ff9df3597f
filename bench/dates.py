"""Score euspider's ``published`` against htmldate on real dated pages, in the same run.

    python bench/dates.py [--limit N] [--show-misses]

Pages: ``eval-dev/dates`` (htmldate's own test pages) and the dated pages of ``eval-dev/trafeval``.
Both methods see the same HTML and URL and no capture time (so both are bounded by today). Scores:
exact day and right year over dated pages; pages labelled null count as right when no date is given.
Prints a table, then one JSON line with the figures.
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

from bench.evaldata import EvalPage, dates_pages, trafeval_pages
from euspider.extract import ArticleExtractor


def score(pairs: list[tuple[str | None, str | None]]) -> dict[str, float]:
    exact = year = 0
    for predicted, gold in pairs:
        if gold is None:
            exact += predicted is None
            year += predicted is None
            continue
        if predicted:
            exact += predicted[:10] == gold[:10]
            year += predicted[:4] == gold[:4]
    n = max(len(pairs), 1)
    return {"exact": exact / n, "year": year / n, "pages": len(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages of each set")
    parser.add_argument("--show-misses", action="store_true", help="list pages where euspider is wrong")
    args = parser.parse_args()

    pages: list[EvalPage] = dates_pages() + [p for p in trafeval_pages() if p.date]
    if args.limit:
        pages = pages[: args.limit]
    extractor = ArticleExtractor()
    now = datetime.now(UTC)
    ours: dict[str, list[tuple[str | None, str | None]]] = {"dates": [], "trafeval": []}
    theirs: dict[str, list[tuple[str | None, str | None]]] = {"dates": [], "trafeval": []}
    misses = []
    t_ours = t_theirs = 0.0
    for page in pages:
        html = page.html()
        start = time.perf_counter()
        outcome = extractor.extract(html, page.url, now=now)
        t_ours += time.perf_counter() - start
        published = outcome.dates.published if outcome.dates else None
        start = time.perf_counter()
        try:
            baseline = find_date(html, url=page.url or None, original_date=True)
        except Exception:  # noqa: BLE001 - a baseline crash counts as no answer
            baseline = None
        t_theirs += time.perf_counter() - start
        ours[page.set].append((published, page.date))
        theirs[page.set].append((baseline, page.date))
        if (published or "")[:10] != (page.date or "")[:10]:
            misses.append(
                (
                    page.set,
                    page.id,
                    page.url,
                    page.date,
                    published,
                    outcome.dates.published_source if outcome.dates else None,
                    baseline,
                )
            )

    rows = []
    figures: dict[str, dict[str, float]] = {}
    for name, results in (("euspider", ours), ("htmldate original_date=True", theirs)):
        merged = results["dates"] + results["trafeval"]
        figures[name] = {"all": score(merged), "dates": score(results["dates"]), "trafeval": score(results["trafeval"])}
        for subset in ("dates", "trafeval", "all"):
            s = figures[name][subset]
            rows.append(f"{name:30} {subset:9} {s['pages']:5d} {s['exact']:7.1%} {s['year']:7.1%}")
    print(f"{'method':30} {'set':9} {'pages':>5} {'exact':>7} {'year':>7}")
    print("\n".join(rows))
    print(
        f"time: euspider {t_ours / max(len(pages), 1) * 1000:.0f} ms/page (whole extraction), "
        f"htmldate {t_theirs / max(len(pages), 1) * 1000:.0f} ms/page"
    )
    if args.show_misses:
        for miss in misses:
            print("MISS", *miss, sep="\t")
    summary = {
        "bench": "dates",
        "pages": len(pages),
        "euspider_exact": round(figures["euspider"]["all"]["exact"], 4),
        "euspider_year": round(figures["euspider"]["all"]["year"], 4),
        "htmldate_exact": round(figures["htmldate original_date=True"]["all"]["exact"], 4),
        "htmldate_year": round(figures["htmldate original_date=True"]["all"]["year"], 4),
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
