"""Several workers, one crawl: `scrapy crawl` processes sharing a real redis-server on 127.0.0.1.

Each worker is its own `python -m scrapy crawl` process with its own run folder, as on its own host;
the mirror crawl is slowed (DOWNLOAD_DELAY) so that both are at work together and a kill lands mid-crawl.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis

from euspider.store.redis import WorkerRegistry

from .conftest import ROOT

WORKER_TIMEOUT = "3"  # seconds: a killed worker's work goes back within a few seconds


def start_worker(spider: str, redis_url: str, folder: Path, *args: str) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider, *args,
        "-s", f"EUSPIDER_REDIS_URL={redis_url}", "-s", f"EUSPIDER_RUN_DIR={folder / 'runs'}",
        "-s", f"EUSPIDER_REDIS_WORKER_TIMEOUT={WORKER_TIMEOUT}", "-s", "EUSPIDER_WORKERS=1",
        "-s", "CONCURRENT_REQUESTS=2", "-s", "LOG_LEVEL=INFO",
    ]  # fmt: skip
    log = open(folder / "log.txt", "w", encoding="utf-8")
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def mirror_worker(redis_url: str, folder: Path, *args: str) -> subprocess.Popen:
    return start_worker(
        "euobserver", redis_url, folder, "-a", "mirror=fixtures/euobserver", "-s", "DOWNLOAD_DELAY=0.25", *args
    )


def lines(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted((folder / "runs").glob("*.jsonl")) for line in path.open()]


def manifests(folder: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in (folder / "runs").glob("*.manifest.json")]


def log(folder: Path) -> str:
    return (folder / "log.txt").read_text(encoding="utf-8")


def finish(process: subprocess.Popen, folder: Path, timeout: float = 90) -> None:
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"a worker did not finish in {timeout} s:\n{log(folder)[-3000:]}") from None
    assert code == 0, log(folder)[-3000:]
    assert "Traceback" not in log(folder), log(folder)[-3000:]


def stat(text: str, key: str) -> int:
    marker = f"'{key}': "
    return int(text.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0]) if marker in text else 0


def crawl_keys(redis_url: str) -> list[str]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    return sorted(k for k in client.keys("euspider:*") if not k.endswith((":workers", ":reaped")))


def unconfirmed(folder: Path, redis_url: str, spider: str) -> list[str]:
    """Lines the worker wrote whose record Redis does not know as done yet: the worker is between
    writing a line and the call right after it (the one window a kill can make a story appear twice
    in, see the README)."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        written = lines(folder)
    except json.JSONDecodeError:  # stopped within a write: look again
        return ["(a line being written)"]
    if spider == "warc":
        return [
            r["url"]
            for r in written
            if not client.sismember(f"euspider:warc:wdone:{r['warc']['file']}", r["warc"]["offset"])
        ]
    return [r["url"] for r in written if client.hexists(f"euspider:{spider}:held", r["url"])]


def kill_between_records(process: subprocess.Popen, folder: Path, redis_url: str, spider: str) -> None:
    """SIGKILL the worker at a moment when every line it wrote is known done in Redis: stopped
    (SIGSTOP) and looked at, let go for a moment if it is between a line and its note."""
    for _ in range(500):
        process.send_signal(signal.SIGSTOP)
        if not unconfirmed(folder, redis_url, spider):
            process.send_signal(signal.SIGKILL)
            process.wait()
            return
        process.send_signal(signal.SIGCONT)
        time.sleep(0.002)
    raise AssertionError("the worker was never between two records")


def test_two_workers_write_every_story_once_and_share_the_work(tmp_path, redis_url, monitored_crawl):
    single = sorted(r["url"] for r in monitored_crawl.records)  # one process, the same mirror
    assert len(single) == 18
    folders = [tmp_path / "w1", tmp_path / "w2"]
    # a slower pace than the other tests': on a busy 2-core machine the second worker can take some
    # seconds to start, and the first alone must not finish all 18 stories before it does
    workers = [mirror_worker(redis_url, folder, "-s", "DOWNLOAD_DELAY=0.5") for folder in folders]
    for process, folder in zip(workers, folders, strict=True):
        finish(process, folder)
    shares = [lines(folder) for folder in folders]
    assert sorted(r["url"] for share in shares for r in share) == single  # every story, each once
    assert all(shares), [len(share) for share in shares]  # each worker wrote part of them
    found = [m for folder in folders for m in manifests(folder)]
    assert [m["finish_reason"] for m in found] == ["finished", "finished"]
    assert sorted(m["records"] for m in found) == sorted(len(share) for share in shares)
    assert len({m["shared"]["worker"] for m in found}) == 2
    assert {m["shared"]["crawl"] for m in found} == {"euspider:euobserver"}
    # the crawl's dates do not depend on which worker read the feed: as in one process
    by_url = {r["url"]: r for r in monitored_crawl.records}
    for share in shares:
        for record in share:
            assert record["published"] == by_url[record["url"]]["published"], record["url"]
    assert crawl_keys(redis_url) == []  # a finished crawl leaves nothing behind: the next one starts afresh
    # the README's merge of the workers' run files: one dataset file, every story once
    merged = tmp_path / "euobserver.jsonl"
    command = [sys.executable, "-m", "euspider", "merge", *(str(f / "runs") for f in folders), "-o", str(merged)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(line)["url"] for line in merged.open()) == single
    assert "18 records from 2 files, 0 repeated records left out" in done.stdout


def test_a_killed_worker_loses_nothing(tmp_path, redis_url, monitored_crawl):
    single = sorted(r["url"] for r in monitored_crawl.records)
    victim, survivor = tmp_path / "victim", tmp_path / "survivor"
    killed = mirror_worker(redis_url, victim)
    time.sleep(1.0)  # the victim gets the crawl going
    other = mirror_worker(redis_url, survivor)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(lines(victim) if (victim / "runs").exists() else []) < 3:
        time.sleep(0.05)
    assert killed.poll() is None, "the victim finished before it could be killed"
    kill_between_records(killed, victim, redis_url, "euobserver")
    finish(other, survivor)
    assert manifests(victim) == []  # killed: no manifest, only the lines it wrote
    urls = [r["url"] for folder in (victim, survivor) for r in lines(folder)]
    assert [u for u, n in Counter(urls).items() if n > 1] == []
    assert sorted(urls) == single
    assert lines(survivor), "the survivor wrote nothing"
    assert "'euspider/redis/workers_reaped': 1" in log(survivor)
    assert stat(log(survivor), "euspider/redis/requeued") >= 1  # the victim's popped requests came back
    assert crawl_keys(redis_url) == []


def test_two_workers_twice_with_a_shared_state_are_a_scheduled_crawl(tmp_path, redis_url):
    """Two workers with the crawl state in Redis, run twice as a schedule would: the first pair writes
    every story once; the second pair asks for each conditionally, whichever worker wrote it, gets
    304 Not Modified and writes nothing, as a single process's second run does."""
    state = ("-s", "EUSPIDER_STATE=redis:%(name)s")

    def pair(run: str) -> list[Path]:
        folders = [tmp_path / run / "w1", tmp_path / run / "w2"]
        workers = [mirror_worker(redis_url, folder, *state) for folder in folders]
        for process, folder in zip(workers, folders, strict=True):
            finish(process, folder)
        return folders

    first = pair("run1")
    urls = [r["url"] for folder in first for r in lines(folder)]
    assert len(urls) == len(set(urls)) == 18 and all(r["version"] == 1 for f in first for r in lines(f))
    counts = Counter()
    for manifest in (m for folder in first for m in manifests(folder)):
        counts.update(manifest["counts"])
        assert manifest["state"].startswith("euspider-state:euobserver on redis://127.0.0.1:")
    assert counts == {"new": 18, "duplicate": 1}  # the 2018 alias of a story: the same text
    assert crawl_keys(redis_url) == []  # the crawl's keys went with the crawl; the state stays
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    assert client.hlen("euspider-state:euobserver:article") == 19

    second = pair("run2")
    assert [lines(folder) for folder in second] == [[], []]
    found = [m for folder in second for m in manifests(folder)]
    counts = Counter()
    for manifest in found:
        counts.update(manifest["counts"])
        assert set(manifest["counts"]) <= {"not_modified", "unchanged"}
    assert counts == {"not_modified": 19, "unchanged": 19}
    assert sum(stat(log(folder), "euspider/state/not_modified") for folder in second) == 19
    assert all(stat(log(folder), "euspider/state/not_modified") for folder in second), "each worker asked some"
    assert sum(stat(log(folder), "euspider/items/extracted") for folder in second) == 0
    assert crawl_keys(redis_url) == []


# --- web archives: one file per worker at a time --------------------------------------------------

FIXTURE = ROOT / "fixtures" / "euobserver-2023.warc.gz"


@pytest.fixture(scope="module")
def three_warcs(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """The fixture WARC's responses dealt into three files in turn (a feed in one file dates stories
    in the others), and what one process makes of them."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    folder = tmp_path_factory.mktemp("warcs")
    handles = [open(folder / f"part-{n}.warc.gz", "wb") for n in range(3)]
    writers = [WARCWriter(handle, gzip=True) for handle in handles]
    with FIXTURE.open("rb") as source:
        records = (r for r in ArchiveIterator(source) if r.rec_type == "response")
        for n, record in enumerate(records):
            writers[n % 3].write_record(record)
    for handle in handles:
        handle.close()
    out = folder / "single.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "warc", "-a", f"paths={folder}/part-*.warc.gz", "-O", f"{out}:jsonl"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    single = {r["url"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert len(single) == 12  # the stories of the euobserver mirror's 2023 captures
    return folder, single


def warc_worker(redis_url: str, folder: Path, warcs: Path) -> subprocess.Popen:
    return start_worker("warc", redis_url, folder, "-a", f"paths={warcs}/part-*.warc.gz")


def test_two_warc_workers_share_three_files(tmp_path, redis_url, three_warcs):
    warcs, single = three_warcs
    folders = [tmp_path / "w1", tmp_path / "w2"]
    workers = [warc_worker(redis_url, folder, warcs) for folder in folders]
    for process, folder in zip(workers, folders, strict=True):
        finish(process, folder)
    shares = [lines(folder) for folder in folders]
    assert sorted(r["url"] for share in shares for r in share) == sorted(single)
    assert all(stat(log(folder), "euspider/warc/files/stories") >= 1 for folder in folders)  # a file each at least
    assert sum(stat(log(folder), "euspider/warc/files/stories") for folder in folders) == 3
    for record in (r for share in shares for r in share):  # link context from the other files reached it
        assert record["published"] == single[record["url"]]["published"], record["url"]
        assert record["date_evidence"] == single[record["url"]]["date_evidence"], record["url"]
    assert crawl_keys(redis_url) == []


def test_a_killed_warc_worker_gives_its_file_back(tmp_path, redis_url, three_warcs):
    warcs, single = three_warcs
    victim, survivor = tmp_path / "victim", tmp_path / "survivor"
    killed = warc_worker(redis_url, victim, warcs)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lines(victim) if (victim / "runs").exists() else []):
        time.sleep(0.005)
    assert killed.poll() is None, "the victim finished before it could be killed"
    kill_between_records(killed, victim, redis_url, "warc")  # holding a file, some of its records written
    other = warc_worker(redis_url, survivor, warcs)  # names the same files: each is read once
    finish(other, survivor)
    urls = [r["url"] for folder in (victim, survivor) for r in lines(folder)]
    assert [u for u, n in Counter(urls).items() if n > 1] == []
    assert sorted(urls) == sorted(single)
    assert stat(log(survivor), "euspider/redis/files_requeued") == 1
    assert crawl_keys(redis_url) == []


def test_a_reaped_request_goes_back_to_the_queue_it_was_popped_from(redis_url):
    # a project that names its own queue key: the reaper must not put the request on the default one
    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from euspider.distributed import ClaimingQueue, distributed
    from euspider.store.redis import connect

    class Shared(Spider):
        name = "shared-queue-test"

    crawler = get_crawler(Shared, {"EUSPIDER_REDIS_URL": redis_url})
    spider = Shared.from_crawler(crawler)
    client = connect(redis_url, decode=False)
    queue = ClaimingQueue(client, spider, "project:own:queue")
    queue.push(Request("http://127.0.0.1:9/story/1", meta={"euspider_lead": "http://127.0.0.1:9/story/1"}))
    assert client.zcard("project:own:queue") == 1
    popped = queue.pop()
    assert popped.url == "http://127.0.0.1:9/story/1" and client.zcard("project:own:queue") == 0
    crawl = distributed(crawler)
    client.zadd(f"{crawl.prefix}:workers", {crawl.worker: 0})  # this worker fell silent long ago
    other = WorkerRegistry(client, crawl.prefix, "another-worker")
    assert other.reap(timeout=30) == (1, 1, 0)
    assert client.zcard("project:own:queue") == 1 and not client.exists(f"{crawl.prefix}:requests")
    assert queue.pop().url == "http://127.0.0.1:9/story/1"  # as it was
