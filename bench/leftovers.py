"""Print the first and last lines of euspider's text on htmldate's dev pages, to read by eye for
boilerplate left at the edges of the story (these pages have no text gold and count in no score).

    python bench/leftovers.py [--head N] [--tail N] [--limit N] [--width W]

Pages are read in place from eval-dev (``bench.evaldata.dates_pages``). Many of htmldate's pages are
trafilatura's evaluation pages too (the same id): those of the held-out ``check`` half are skipped, so
that reading these outputs never shows a scored held-out page.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaldata import dates_pages, half, require_eval_dir, trafeval_pages
from euspider.extract import ArticleExtractor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--head", type=int, default=2, help="first lines shown per page")
    parser.add_argument("--tail", type=int, default=4, help="last lines shown per page")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--width", type=int, default=160, help="characters shown per line")
    args = parser.parse_args()
    require_eval_dir()
    extractor = ArticleExtractor()
    held_out = {page.id for page in trafeval_pages() if half(page) == "check"}
    pages = [page for page in dates_pages() if page.id not in held_out]
    if args.limit:
        pages = pages[: args.limit]
    for page in pages:
        outcome = extractor.extract(page.html(), page.url or "https://unknown.invalid/", crawled_at=datetime.now(UTC))
        text = outcome.record["text"] if outcome.record else ""
        lines = [line for line in text.splitlines() if line.strip()]
        print(f"== {page.id} {page.url} ({len(lines)} lines)")
        shown = lines if len(lines) <= args.head + args.tail else [*lines[: args.head], "...", *lines[-args.tail :]]
        for line in shown:
            print("   " + (line if len(line) <= args.width else line[: args.width] + "…"))


if __name__ == "__main__":
    main()
