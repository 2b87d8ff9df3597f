"""Crawl throughput with the worker pool, against extraction alone in one process, in the same run.

    python bench/throughput.py [--pages 3000] [--workers auto]

Serves the dev pages (eval-dev/aeb and eval-dev/trafeval) from a local HTTP server on 127.0.0.1,
each repeated under distinct URLs up to ``--pages`` requests; runs a real ``scrapy crawl news`` over
them with the euspider pipeline (worker processes, default settings otherwise); then measures
``ArticleExtractor.extract`` alone in this process on the same pages. Prints crawl pages/s,
single-process extraction pages/s and their ratio (on 2 cores, 2.0 is the ceiling), and the crawl's
memory: peak and final RSS of the crawling process plus its workers, and RSS at every 1,000 pages.
The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.evaldata import aeb_pages, trafeval_pages
from bench.probe import run_crawl
from euspider.extract import ArticleExtractor

ROOT = Path(__file__).resolve().parent.parent


def load_pages() -> list[bytes]:
    return [page.html().encode("utf-8") for page in aeb_pages() + trafeval_pages()]


def serve(port_queue: multiprocessing.Queue) -> None:
    """A plain HTTP server in its own process: /p/<n>/<slug> answers with page n modulo the set."""
    pages = load_pages()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:
            parts = self.path.split("/")
            if len(parts) > 2 and parts[1] == "p" and parts[2].isdigit():
                body = pages[int(parts[2]) % len(pages)]
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            else:
                body = b"not found"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def crawl(url_file: Path, out: Path, probe_log: Path, workers: str) -> dict:
    arguments = [
        "news", "-a", f"urls={url_file}", "-O", f"{out}:jsonl",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", f"EUSPIDER_WORKERS={workers}",
    ]  # fmt: skip
    return run_crawl(arguments, probe_log, ROOT)


def extraction_alone(pages: list[bytes], rounds: int) -> float:
    """Pages per second of ArticleExtractor.extract in this process, after a warm-up."""
    extractor = ArticleExtractor()
    now = datetime.now(UTC).isoformat()
    headers = {"Content-Type": "text/html; charset=utf-8"}
    for body in pages[:20]:
        extractor.extract(body, "http://127.0.0.1/p/0/warm-up", crawled_at=now, headers=headers)
    count = 0
    started = time.perf_counter()
    for _ in range(rounds):
        for index, body in enumerate(pages):
            extractor.extract(body, f"http://127.0.0.1/p/{index}/story", crawled_at=now, headers=headers)
            count += 1
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000, help="requests in the crawl (at least 3000)")
    parser.add_argument("--workers", default="auto", help="EUSPIDER_WORKERS for the crawl")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the pages for the single-process figure")
    args = parser.parse_args()

    pages = load_pages()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue,), daemon=True)
    server.start()
    port = queue.get(timeout=60)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url_file = Path(tmp) / "urls.txt"
            urls = (f"http://127.0.0.1:{port}/p/{i}/story-number-{i}-of-the-benchmark" for i in range(args.pages))
            url_file.write_text("\n".join(urls))
            result = crawl(url_file, Path(tmp) / "out.jsonl", Path(tmp) / "probe.jsonl", args.workers)
            items = sum(1 for _ in open(Path(tmp) / "out.jsonl", encoding="utf-8"))
    finally:
        server.terminate()

    probes = result["probes"]
    first, last = probes[0], probes[-1]
    steady = (last["items"] - first["items"]) / max(last["time"] - first["time"], 1e-9)
    whole = items / result["elapsed"]
    alone = extraction_alone(pages, args.rounds)
    by_count = {p["items"]: p["rss"] for p in probes}
    thousands = {n: by_count[n] for n in sorted(by_count) if n % 1000 == 0}
    final_rss = last["rss"]
    summary = {
        "bench": "throughput",
        "requests": args.pages,
        "records": items,
        "dropped": result["log"].count("Dropped:"),
        "crawl_pages_per_s": round(steady, 2),
        "crawl_pages_per_s_whole_run": round(whole, 2),
        "extract_alone_pages_per_s": round(alone, 2),
        "ratio": round(steady / alone, 3),
        "ratio_whole_run": round(whole / alone, 3),
        "peak_rss_mb": round(result["peak_rss"] / 2**20, 1),
        "final_rss_mb": round(final_rss / 2**20, 1),
        "rss_mb_at_pages": {n: round(v / 2**20, 1) for n, v in thousands.items()},
    }
    if 1000 in thousands and len(thousands) > 1:
        summary["rss_growth_mb_after_1000"] = round((final_rss - thousands[1000]) / 2**20, 1)
    print(f"crawl: {items} records from {args.pages} requests in {result['elapsed']:.1f}s")
    print(f"crawl pages/s (first to last record): {steady:.1f}   whole run: {whole:.1f}")
    print(f"extract_article alone, one process:   {alone:.1f} pages/s")
    print(f"ratio: {steady / alone:.2f} (whole run {whole / alone:.2f}; 2 cores: 2.0 at most)")
    print(f"RSS, crawl process and workers: peak {summary['peak_rss_mb']} MB, final {summary['final_rss_mb']} MB")
    print("RSS at pages: " + ", ".join(f"{n}: {v} MB" for n, v in summary["rss_mb_at_pages"].items()))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
