"""Distributed crawling: pages/s of one and of two workers on one Redis, and what Redis holds per lead.

    python bench/distributed.py [--stories 1000] [--memory 100000] [--memory-only]

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
stores them, and, in a database of its own, after as many stories are committed to the crawl state in
Redis (:class:`~euspider.store.redis_state.RedisCrawlState`, ``EUSPIDER_STATE=redis:<name>``) as a
scheduled crawl commits them: content hash, version, ``ETag``, ``Last-Modified``, seen times and run,
in batches of 20 records (beside it, the size of a SQLite state file holding the same stories), and,
in another database, after as many texts are indexed in the near-duplicate index on Redis
(:class:`~euspider.store.redis_neardup.RedisNearDuplicateIndex`; beside it, a SQLite index file); the
deltas are extrapolated (linearly) to one million. ``--memory-only``
measures memory alone (no crawls).

The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.discovery import FAST, Site, stat
from tests.newssite import NewsSite
from tests.redisserver import RedisServer

if TYPE_CHECKING:
    from euspider.state import StateStore


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


def state_rows(count: int) -> Iterator[list[dict]]:
    """Batches of 20 committed stories, as a scheduled crawl commits them."""
    import hashlib

    rows = []
    for n in range(count):
        url = f"https://news.example/politics/2024/05/{n:07d}-council-agrees-budget-talks-deadline"
        rows.append({
            "url": url, "content_hash": "sha256:" + hashlib.sha256(url.encode()).hexdigest(), "version": 1,
            "seen": "2024-05-03T09:00:00Z", "etag": f'W/"{n:x}-5f2a9c1b"',
            "last_modified": "Fri, 03 May 2024 08:55:00 GMT",
        })  # fmt: skip
        if len(rows) == 20 or n == count - 1:
            yield rows
            rows = []


def fill(state: StateStore, count: int) -> None:
    run = "0123456789ab"
    state.start_run(run, "news", "2024-05-03T09:00:00Z", "output/news/news_2024-05-03T09-00-00Z_0123456789ab.jsonl")
    done = 0
    for rows in state_rows(count):
        done += len(rows)
        state.commit_batch(run, done, rows, {"counts": {"new": done}, "duplicates": {}})


def state_memory(redis_url: str, count: int, folder: Path) -> dict:
    """Redis memory of the crawl state in Redis; beside it, the same stories in a SQLite state file."""
    from euspider.state import CrawlState
    from euspider.store.redis import connect
    from euspider.store.redis_state import RedisCrawlState

    client = connect(redis_url)
    client.flushdb()
    before = used(client)
    fill(RedisCrawlState(client, "news"), count)
    per_entry = (used(client) - before) / count
    sqlite = CrawlState(folder / "state.sqlite")
    fill(sqlite, count)
    sqlite.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sqlite.close()
    on_disk = (folder / "state.sqlite").stat().st_size / count
    return {
        "bytes_per_state_entry": round(per_entry),
        "mb_per_million_state_entries": round(per_entry * 1_000_000 / 2**20),
        "sqlite_bytes_per_state_entry": round(on_disk),
        "sqlite_mb_per_million_state_entries": round(on_disk * 1_000_000 / 2**20),
    }


def neardup_memory(redis_url: str, count: int, folder: Path) -> dict:
    """Redis memory of the near-duplicate index (threshold 0.6: 32 bands); beside it, the same entries
    in a SQLite index file. Signatures are random (distinct texts: every band digest new), indexed
    as the pipeline indexes them, one script call per text (pipelined here)."""
    import numpy as np

    from euspider.neardup import NearDuplicateIndex, NearDuplicateSettings
    from euspider.store.redis_neardup import RedisNearDuplicateIndex, binary_client

    client = binary_client(redis_url)
    client.flushdb()
    threshold = NearDuplicateSettings.threshold
    index = RedisNearDuplicateIndex(client, "euspider:news:neardup", threshold)
    sqlite = NearDuplicateIndex(folder / "neardup.sqlite", threshold)
    before = used(client)
    rng = np.random.default_rng(1)
    pipe = client.pipeline(transaction=False)
    for n in range(count):
        url = f"https://news.example/politics/2024/05/{n:07d}-council-agrees-budget-talks-deadline"
        signature = rng.integers(0, 2**32, 128, dtype=np.uint32)
        content = f"sha256:{n:064x}"
        args = index.script_args(url, signature, content, 3)
        index._script(args=args, client=pipe)
        sqlite.add(url, signature, content)
        if n % 1000 == 999:
            pipe.execute()
    pipe.execute()
    per_entry = (used(client) - before) / count
    assert len(index) == count
    sqlite.close()
    on_disk = sum(path.stat().st_size for path in folder.glob("neardup.sqlite*")) / count
    return {
        "bytes_per_neardup_entry": round(per_entry),
        "mb_per_million_neardup_entries": round(per_entry * 1_000_000 / 2**20),
        "sqlite_mb_per_million_neardup_entries": round(on_disk * 1_000_000 / 2**20),
    }


def crawls(stories_count: int, server: RedisServer, tmp: Path, results: dict) -> None:
    truth = NewsSite(stories_count)
    with Site(stories=stories_count) as base:
        truth.base = base
        stories = set(truth.stories())
        runs = [
            ("one process, no Redis", 1, None),
            ("one worker, Redis", 1, server.url(1)),
            ("two workers, Redis", 2, server.url(2)),
        ]
        for label, workers, url in runs:
            result = crawl(base, tmp / label.replace(" ", "-").replace(",", ""), workers, url)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--memory", type=int, default=100_000)
    parser.add_argument("--memory-only", action="store_true", help="measure Redis memory alone, no crawls")
    args = parser.parse_args()
    results: dict = {}
    with RedisServer() as server, tempfile.TemporaryDirectory() as tmp:
        if not args.memory_only:
            crawls(args.stories, server, Path(tmp), results)
        mem = results["redis_memory"] = memory(server.url(3), args.memory)
        mem.update(state_memory(server.url(4), args.memory, Path(tmp)))
        mem.update(neardup_memory(server.url(5), args.memory, Path(tmp)))
        print(f"Redis used_memory: {mem['bytes_per_lead']} B per lead, {mem['bytes_per_queued_request']} B per queued "
              f"request, {mem['bytes_per_state_entry']} B per crawl-state entry (measured with {args.memory:,}); "
              f"per million: {mem['mb_per_million_leads']} MB of leads, {mem['mb_per_million_queued_requests']} MB "
              f"of queued requests, {mem['mb_per_million_state_entries']} MB of crawl-state entries (the same "
              f"entries in a SQLite state file: {mem['sqlite_mb_per_million_state_entries']} MB on disk, "
              f"{mem['sqlite_bytes_per_state_entry']} B each)")  # fmt: skip
        print(f"near-duplicate index: {mem['bytes_per_neardup_entry']} B per entry in Redis, "
              f"{mem['mb_per_million_neardup_entries']} MB per million (a SQLite index file: "
              f"{mem['sqlite_mb_per_million_neardup_entries']} MB per million on disk)")  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
