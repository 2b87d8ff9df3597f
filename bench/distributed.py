"""Distributed crawling: pages/s of one and of two workers on one Redis, and what Redis holds per lead.

    python bench/distributed.py [--stories 1000] [--memory 100000]

Starts a redis-server on 127.0.0.1 (a free port, nothing saved to disk) and serves the generated news
site (tests/newssite.py) from its own process, then runs real ``scrapy crawl news`` commands from its
homepage, in the same run:

1. one process, no Redis (the baseline);
2. one worker with ``EUSPIDER_REDIS_URL``;
3. two workers with ``EUSPIDER_REDIS_URL``, started together.

For each: pages fetched per second (all workers' ``downloader/response_count`` over the wall time from
the first launch to the last exit), records, and whether the workers together wrote every story once.
Each worker has one extraction process (``EUSPIDER_WORKERS=1``). On a 2-core machine two workers are
already four busy processes (two crawling, two extracting): little gain is to be expected past two
processes in total, and the figure measures the cost of sharing more than a speed-up.

Then Redis memory: ``INFO memory`` ``used_memory`` before and after ``--memory`` story leads (each with
one link-context item, as a feed gives) are added to a :class:`~euspider.store.redis.RedisLeadStore`,
and after as many requests are pushed to the shared queue as :class:`~euspider.distributed.ClaimingQueue`
stores them; the deltas are extrapolated (linearly) to one million.

The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.discovery import FAST, Site, stat
from tests.newssite import NewsSite
from tests.redisserver import RedisServer


def crawl(base: str, workdir: Path, workers: int, redis_url: str | None) -> dict:
    processes = []
    launched = time.monotonic()
    for n in range(workers):
        folder = workdir / f"worker-{n}"
        folder.mkdir(parents=True)
        command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start={base}/", *FAST,
                   "-s", f"EUSPIDER_RUN_DIR={folder}", "-s", "EUSPIDER_WORKERS=1"]  # fmt: skip
        if redis_url:
            command += ["-s", f"EUSPIDER_REDIS_URL={redis_url}"]
        log = open(folder / "log.txt", "w", encoding="utf-8")
        processes.append((subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log), folder))
    for process, folder in processes:
        if process.wait(timeout=3600) != 0:
            sys.exit(f"crawl failed:\n{(folder / 'log.txt').read_text()[-3000:]}")
    elapsed = time.monotonic() - launched
    pages, urls, shares = 0, [], []
    for _, folder in processes:
        pages += int(stat((folder / "log.txt").read_text(), "downloader/response_count"))
        share = [json.loads(line)["url"] for path in folder.glob("*.jsonl") for line in path.open()]
        shares.append(len(share))
        urls += share
    return {"workers": workers, "redis": bool(redis_url), "pages": pages, "records": len(urls),
            "records_per_worker": shares, "records_twice": len(urls) - len(set(urls)),
            "wall_s": round(elapsed, 1), "pages_per_s": round(pages / elapsed, 1), "urls": set(urls)}  # fmt: skip


def used(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def memory(redis_url: str, count: int) -> dict:
    from scrapy_redis import picklecompat

    from euspider.spiders.news import GenericNewsSpider
    from euspider.store import Lead
    from euspider.store.redis import RedisLeadStore, connect

    client = connect(redis_url)
    client.flushdb()
    store = RedisLeadStore(client, "euspider:news", "bench")
    before = used(client)
    batch = []
    leads = []
    for n in range(count):
        url = f"https://news.example/politics/2024/05/{n:07d}-council-agrees-budget-talks-deadline"
        context = [
            {"source": "link:rss", "raw": "Fri, 03 May 2024 09:00:00 +0000", "via": "https://news.example/feed/"}
        ]
        lead = Lead(url, "article", 1, 3, context=context)
        batch.append(lead)
        leads.append(lead)
        if len(batch) == 1000:
            store.add(batch, time.time())
            batch = []
    store.add(batch, time.time())
    after_leads = used(client)
    spider = GenericNewsSpider(start="https://news.example/")
    raw = redis.Redis.from_url(redis_url)
    pipe = raw.pipeline(transaction=False)
    for n, lead in enumerate(leads):
        request = spider.request_for(lead)
        member = lead.url.encode() + b"\n" + picklecompat.dumps(request.to_dict(spider=spider))
        pipe.zadd("euspider:news:requests", {member: -request.priority})
        if n % 1000 == 999:
            pipe.execute()
    pipe.execute()
    after_requests = used(client)
    per_lead = (after_leads - before) / count
    per_request = (after_requests - after_leads) / count
    return {
        "measured_with": count,
        "bytes_per_lead": round(per_lead),
        "bytes_per_queued_request": round(per_request),
        "mb_per_million_leads": round(per_lead * 1_000_000 / 2**20),
        "mb_per_million_queued_requests": round(per_request * 1_000_000 / 2**20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--memory", type=int, default=100_000)
    args = parser.parse_args()
    results: dict = {}
    with RedisServer() as server, tempfile.TemporaryDirectory() as tmp:
        truth = NewsSite(args.stories)
        with Site(stories=args.stories) as base:
            truth.base = base
            stories = set(truth.stories())
            runs = [
                ("one process, no Redis", 1, None),
                ("one worker, Redis", 1, server.url(1)),
                ("two workers, Redis", 2, server.url(2)),
            ]
            for label, workers, url in runs:
                result = crawl(base, Path(tmp) / label.replace(" ", "-").replace(",", ""), workers, url)
                found = result.pop("urls")
                result["stories_found"] = len(found & stories)
                results[label] = result
                print(
                      f"{label}: {result['pages']} pages in {result['wall_s']} s = {result['pages_per_s']} pages/s; "
                      f"records {result['records']} (per worker {result['records_per_worker']}, "
                      f"twice {result['records_twice']}); stories {result['stories_found']}/{len(stories)}"
                )  # fmt: skip
        base_rate = results["one worker, Redis"]["pages_per_s"]
        results["two_workers_vs_one"] = round(results["two workers, Redis"]["pages_per_s"] / base_rate, 2)
        print(f"two workers / one worker: {results['two_workers_vs_one']}x (2 cores: little gain expected past "
              "2 processes in total; each worker is a crawling and an extraction process)")  # fmt: skip
        results["redis_memory"] = memory(server.url(3), args.memory)
        mem = results["redis_memory"]
        print(f"Redis used_memory: {mem['bytes_per_lead']} B per lead, {mem['bytes_per_queued_request']} B per queued "
              f"request (measured with {args.memory:,}); per million: {mem['mb_per_million_leads']} MB of leads, "
              f"{mem['mb_per_million_queued_requests']} MB of queued requests")  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
