"""Finding stories on a site without a profile: recall, precision, speed and memory, in one run.

    python bench/discovery.py [--stories 1000] [--small 20000] [--large 200000] [--stop-after 500]

Serves the generated news site (tests/newssite.py) from its own process on 127.0.0.1 and runs real
``scrapy crawl news`` commands against it:

1. from the homepage alone, on a site of ``--stories`` stories: story recall and precision (records
   at a story's URL / all stories; / all records), duplicates, seconds from launch to the first record,
   pages fetched per second and records per second;
2. from robots.txt alone (its ``Sitemap:`` line, a sitemap index) on sites whose sitemaps list
   ``--small`` and ``--large`` URLs, stopped after ``--stop-after`` records (``CLOSESPIDER_ITEMCOUNT``):
   peak RSS of the crawling process (extraction workers aside, and with them) up to the record it
   was stopped at (and over the whole run, which ends with the pages already downloaded), seconds to
   the first record, and how many leads the crawl knew when it stopped. The small site is the baseline for the
   large one: memory must not grow with the number of known URLs. Each size runs ``--repeat`` times,
   in turn, and the highest peak of each size is compared.

The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.probe import tree_rss
from tests.newssite import NewsSite, NewsSiteServer

FAST = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=INFO",
    "-s", "EXTENSIONS={\"bench.probe.RssProbe\": 0}",
]  # fmt: skip


def serve(options: dict, queue: multiprocessing.Queue) -> None:
    """The site in its own process, so serving it costs the crawl nothing."""
    site = NewsSite(**options)
    _ = site.paths  # build the URL index before the first request
    server = NewsSiteServer(site)
    queue.put(server.base_url)
    server.serve_forever()


class Site:
    def __init__(self, **options: object) -> None:
        self.options = options
        self.queue: multiprocessing.Queue = multiprocessing.Queue()
        self.process = multiprocessing.Process(target=serve, args=(options, self.queue), daemon=True)

    def __enter__(self) -> str:
        self.process.start()
        return self.queue.get(timeout=600)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join(10)


def stat(log: str, key: str) -> float:
    marker = f"'{key}': "
    return float(log.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0]) if marker in log else 0.0


def run(start: str, workdir: Path, *settings: str, stop_after: int = 0) -> dict:
    """One crawl: its records, log, wall time, first-record time and RSS peaks (up to the
    ``stop_after``-th record when given)."""
    out, probe = workdir / "out.jsonl", workdir / "probe.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start={start}", "-O", f"{out}:jsonl",
               *FAST, "-s", f"BENCH_PROBE_LOG={probe}", *settings]  # fmt: skip
    launched = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(process.pid)
    samples: list[tuple[float, int, int]] = []  # (time, RSS of the crawling process, with its workers)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                samples.append((time.monotonic(), watched.memory_info().rss, tree_rss(watched)))
            except psutil.Error:
                break
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, log = process.communicate()
    elapsed = time.monotonic() - launched
    stop.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"crawl failed:\n{log[-3000:]}")
    probes = [json.loads(line) for line in probe.read_text().splitlines()] if probe.exists() else []
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    first = next((p["time"] for p in probes if p["items"] == 1), None)  # CLOCK_MONOTONIC, as here
    stop_at = next((p["time"] for p in probes if p["items"] >= stop_after), None) if stop_after else None
    until = [x for x in samples if stop_at is None or x[0] <= stop_at] or samples
    return {
        "records": records,
        "log": log,
        "elapsed": elapsed,
        "first_record_s": round(first - launched, 2) if first is not None else None,
        # up to the record the crawl was stopped at (after it, Scrapy finishes the pages on their way)
        "peak_rss_main_mb": round(max((x[1] for x in until), default=0) / 2**20, 1),
        "peak_rss_tree_mb": round(max((x[2] for x in until), default=0) / 2**20, 1),
        "peak_rss_main_mb_whole_run": round(max((x[1] for x in samples), default=0) / 2**20, 1),
    }


def homepage(stories: int, workdir: Path) -> dict:
    truth = NewsSite(stories)
    with Site(stories=stories) as base:
        truth.base = base
        result = run(base + "/", workdir)
    stories_by_url = truth.stories()
    urls = [r["url"] for r in result["records"]]
    hits = {u for u in urls if u in stories_by_url}
    log = result["log"]
    crawl_s = stat(log, "elapsed_time_seconds") or result["elapsed"]
    pages = stat(log, "downloader/response_count")
    dated = [r for r in result["records"] if r["url"] in stories_by_url]
    right_day = sum((r["published"] or "")[:10] == stories_by_url[r["url"]].published.date().isoformat() for r in dated)
    return {
        "stories": stories,
        "records": len(urls),
        "recall": round(len(hits) / len(stories_by_url), 4),
        "precision": round(len(hits) / len(urls), 4) if urls else 0.0,
        "records_twice": len(urls) - len(set(urls)),
        "published_right_day": round(right_day / len(dated), 4) if dated else 0.0,
        "first_record_s": result["first_record_s"],
        "pages": int(pages),
        "pages_per_s": round(pages / crawl_s, 1),
        "records_per_s": round(len(urls) / crawl_s, 1),
        "crawl_s": round(crawl_s, 1),
        "peak_rss_main_mb": result["peak_rss_main_mb"],
        "peak_rss_tree_mb": result["peak_rss_tree_mb"],
    }


def sitemap_only(urls: int, stop_after: int, workdir: Path) -> dict:
    with Site(stories=300, sitemap_urls=urls) as base:
        result = run(base + "/robots.txt", workdir, "-s", f"CLOSESPIDER_ITEMCOUNT={stop_after}", stop_after=stop_after)
    log = result["log"]
    return {
        "sitemap_urls": urls,
        "records": len(result["records"]),
        "records_twice": len(result["records"]) - len({r["url"] for r in result["records"]}),
        "leads_known": int(stat(log, "euspider/leads/new")),
        "sitemaps_read": int(stat(log, "euspider/discovery/sitemap")),
        "first_record_s": result["first_record_s"],
        "crawl_s": round(stat(log, "elapsed_time_seconds") or result["elapsed"], 1),
        "peak_rss_main_mb": result["peak_rss_main_mb"],
        "peak_rss_tree_mb": result["peak_rss_tree_mb"],
        "peak_rss_main_mb_whole_run": result["peak_rss_main_mb_whole_run"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--small", type=int, default=20_000)
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--stop-after", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each sitemap size, taken in turn")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home_dir = Path(tmp) / "home"
        home_dir.mkdir()
        home = homepage(args.stories, home_dir)
        print(
            f"homepage crawl, {home['stories']} stories: recall {home['recall']:.1%}, "
            f"precision {home['precision']:.1%}, "
            f"{home['records_twice']} written twice, published on the right day {home['published_right_day']:.1%}; "
            f"first record after {home['first_record_s']} s; {home['pages_per_s']} pages/s, "
            f"{home['records_per_s']} records/s ({home['pages']} pages in {home['crawl_s']} s)"
        )
        runs: dict[int, list[dict]] = {args.small: [], args.large: []}
        for round_ in range(args.repeat):
            for size in (args.small, args.large):
                folder = Path(tmp) / f"{size}-{round_}"
                folder.mkdir()
                runs[size].append(sitemap_only(size, args.stop_after, folder))
    # the highest peak of the runs of each size: memory noise (responses waiting for extraction,
    # the allocator) counts against the claim, not for it
    small, large = (max(runs[size], key=lambda r: r["peak_rss_main_mb"]) for size in (args.small, args.large))
    for size, all_runs in runs.items():
        peaks = ", ".join(f"{r['peak_rss_main_mb']} MB" for r in all_runs)
        print(f"{size} sitemap URLs, peak RSS of the crawling process in each run: {peaks}")
    for run_ in (small, large):
        print(
            f"robots.txt sitemap alone, {run_['sitemap_urls']} URLs, stopped after {run_['records']} records: "
            f"peak RSS {run_['peak_rss_main_mb']} MB (with workers {run_['peak_rss_tree_mb']} MB; whole run "
            f"{run_['peak_rss_main_mb_whole_run']} MB), first record "
            f"after {run_['first_record_s']} s, {run_['leads_known']} leads known, "
            f"{run_['sitemaps_read']} sitemaps read"
        )
    growth = round(large["peak_rss_main_mb"] - small["peak_rss_main_mb"], 1)
    print(f"peak RSS of the crawling process, {args.large} vs {args.small} sitemap URLs: {growth:+} MB (at most ±50)")
    summary = {
        "bench": "discovery",
        "homepage": home,
        "sitemap_small": small,
        "sitemap_large": large,
        "peak_rss_main_mb_runs": {str(size): [r["peak_rss_main_mb"] for r in rs] for size, rs in runs.items()},
        "rss_growth_mb": growth,
        "rss_within_50mb": abs(growth) <= 50,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
