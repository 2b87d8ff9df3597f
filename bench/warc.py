"""Reading web archives: records/s and memory of `scrapy crawl warc` on WARC files of two sizes.

    python bench/warc.py [--sizes 5000,15000]

Builds gzip-compressed WARC files from the dev pages (eval-dev/aeb and eval-dev/trafeval), each page
repeated under distinct URLs with a 2023 capture date until a file holds the requested number of
response records; runs the real ``warc`` spider with the euspider pipeline (worker processes) on each;
prints records/s and the RSS of the crawl and its workers (peak, and at every 1,000 records). Memory
must not grow with the file: compare the peaks of the two sizes. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.probe import run_crawl
from bench.throughput import load_pages
from euspider.warc import WarcFile

ROOT = Path(__file__).resolve().parent.parent


def build(path: Path, records: int, pages: list[bytes]) -> int:
    warc = WarcFile(path, date=datetime(2023, 2, 4, tzinfo=UTC))
    start = datetime(2023, 2, 4, 8, 0, tzinfo=UTC)
    for index in range(records):
        warc.write(
            f"https://news.example/politics/{index}/story-number-{index}-of-the-archive",
            start + timedelta(seconds=index),
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=pages[index % len(pages)],
        )
    warc.close()
    return path.stat().st_size


def crawl(path: Path, out: Path, probe: Path) -> dict:
    result = run_crawl(["warc", "-a", f"paths={path}", "-O", f"{out}:jsonl"], probe, ROOT)
    probes = result["probes"]
    first, last = probes[0], probes[-1]
    return {
        "seconds": round(result["elapsed"], 1),
        "records_per_s": round((last["items"] - first["items"]) / max(last["time"] - first["time"], 1e-9), 2),
        "records": sum(1 for _ in open(out, encoding="utf-8")),
        "peak_rss_mb": round(result["peak_rss"] / 2**20, 1),
        "rss_mb_at_records": {p["items"]: round(p["rss"] / 2**20, 1) for p in probes if p["items"] % 1000 == 0},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,15000", help="response records per WARC file, comma-separated")
    args = parser.parse_args()
    pages = load_pages()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"bench-{size}.warc.gz"
            file_bytes = build(path, size, pages)
            figures = crawl(path, Path(tmp) / f"out-{size}.jsonl", Path(tmp) / f"probe-{size}.jsonl")
            figures.update({"response_records": size, "file_mb": round(file_bytes / 2**20, 1)})
            results.append(figures)
            print(
                f"{size} records ({figures['file_mb']} MB): {figures['records']} written, "
                f"{figures['records_per_s']} records/s, peak RSS {figures['peak_rss_mb']} MB"
            )
            print("  RSS at records: " + ", ".join(f"{n}: {v} MB" for n, v in figures["rss_mb_at_records"].items()))
    summary = {"bench": "warc", "runs": results}
    if len(results) > 1:
        summary["peak_rss_growth_mb"] = round(results[-1]["peak_rss_mb"] - results[0]["peak_rss_mb"], 1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
