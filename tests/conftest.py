"""Shared fixtures: the bundled mirror, its golden pages, and the dating context a crawl would have."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from euspider.dates import Anchor
from euspider.extract import ArticleExtractor, Outcome
from euspider.mirror import Capture, Mirror, MirrorServer, offline_leads

ROOT = Path(__file__).resolve().parent.parent
MIRROR_DIR = ROOT / "fixtures" / "euobserver"
SEED_TEXT = ROOT.parent / "shared" / "seeds" / "000_732a06e29f7c16f2.txt"


@dataclass
class GoldenPage:
    capture: Capture
    golden: dict

    @property
    def id(self) -> str:
        return self.capture.path.stem


def _golden_pages() -> list[GoldenPage]:
    mirror = Mirror(MIRROR_DIR)
    pages = []
    for capture in mirror.captures.values():
        golden = capture.path.with_suffix(".json")
        if golden.exists():
            pages.append(GoldenPage(capture, json.loads(golden.read_text(encoding="utf-8"))))
    return sorted(pages, key=lambda p: p.id)


GOLDEN_PAGES = _golden_pages()


@pytest.fixture(scope="session")
def mirror() -> Mirror:
    return Mirror(MIRROR_DIR)


@pytest.fixture(scope="session")
def leads(mirror: Mirror):
    return offline_leads(mirror)


@pytest.fixture(scope="session")
def extractor() -> ArticleExtractor:
    return ArticleExtractor()


@pytest.fixture(scope="session")
def extract_capture(extractor: ArticleExtractor, leads):
    """Extract a mirror capture as the crawl does: with the mirror's link context and ID anchors."""

    def run(capture: Capture, *, with_context: bool = True) -> Outcome:
        lead = leads.get(capture.url) if with_context else None
        return extractor.extract(
            capture.body(),
            capture.url,
            crawled_at=capture.captured_at,
            headers={"Content-Type": capture.content_type},
            link_context=lead.link_context if lead else (),
            anchors=[Anchor(i, date.fromisoformat(d), s) for i, d, s in lead.anchors] if lead else (),
        )

    return run


@pytest.fixture(scope="session")
def mirror_server():
    with MirrorServer(MIRROR_DIR) as server:
        yield server


@dataclass
class MonitoredCrawl:
    """`scrapy crawl euobserver` of the mirror with Spidermon on and the report asked for."""

    output: Path
    records: list[dict]
    log: str

    @property
    def report(self) -> Path:
        return self.output.with_name(self.output.stem + ".report.html")


@pytest.fixture(scope="session")
def monitored_crawl(tmp_path_factory) -> MonitoredCrawl:
    """One crawl shared by the monitor, report, browser and any-spider tests (a crawl costs seconds)."""
    import subprocess
    import sys

    output = tmp_path_factory.mktemp("monitored") / "euobserver.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "euobserver", "-a", "mirror=fixtures/euobserver", "-O", str(output),
         "-s", "EUSPIDER_SPIDERMON=True", "-s", "EUSPIDER_REPORT=True"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return MonitoredCrawl(output, records, result.stderr)


@dataclass
class StatefulRuns:
    """Two scheduled runs of the mirror crawl with one crawl state, Spidermon on: the first as usual
    (its report asked for), the second fetching everything again with `EUSPIDER_ARCHIVAL_DAYS=1` (far
    more archival mismatches)."""

    run_dir: Path
    first_log: str
    second_log: str

    def run_files(self) -> list[Path]:
        return sorted(self.run_dir.glob("euobserver_*.jsonl"))


@pytest.fixture(scope="session")
def stateful_runs(tmp_path_factory) -> StatefulRuns:
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("stateful")
    command = [sys.executable, "-m", "scrapy", "crawl", "euobserver", "-a", "mirror=fixtures/euobserver",
               "-s", f"EUSPIDER_RUN_DIR={base / 'runs'}", "-s", f"EUSPIDER_STATE={base / 'state.sqlite'}",
               "-s", "EUSPIDER_SPIDERMON=True"]  # fmt: skip
    logs = []
    # the first run also writes its report beside its run file
    runs = (
        (["-s", "EUSPIDER_REPORT=True"], 0),
        # the second fails its mismatch_rise monitor, and `scrapy crawl` says so in its exit code
        (["-s", "EUSPIDER_RECRAWL=1", "-s", "EUSPIDER_ARCHIVAL_DAYS=1"], 1),
    )
    for extra, exit_code in runs:
        result = subprocess.run([*command, *extra], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == exit_code, result.stderr[-3000:]
        logs.append(result.stderr)
    return StatefulRuns(base / "runs", *logs)


@pytest.fixture(scope="session")
def redis_server():
    """One real redis-server for the session (on a free loopback port); tests take a database each."""
    from .redisserver import RedisServer

    with RedisServer() as server:
        yield server


_REDIS_DBS = itertools.cycle(range(1, 64))


@pytest.fixture
def redis_url(redis_server) -> str:
    """A fresh, empty Redis database of the session's server."""
    import redis

    url = redis_server.url(next(_REDIS_DBS))
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(params=["sqlite", "redis"])
def open_state(request, tmp_path):
    """Opens the test's crawl state (again: a second call is another process, or another worker, on
    the same state): a SQLite file, or ``redis:test`` on the session's redis-server. Both back ends
    pass the same tests."""
    from euspider.state import open_state as open_store

    if request.param == "sqlite":
        location, url = tmp_path / "state.sqlite", None
    else:
        location, url = "redis:test", request.getfixturevalue("redis_url")
    opened = []

    def make():
        store = open_store(location, url)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()
