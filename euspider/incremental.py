"""Scheduled crawls: per-run crash-safe output, and what changed since the last run (Scrapy glue).

:class:`RunPipeline` (after extraction) writes every record to the run's own output file
(:mod:`euspider.runs`) and, with ``EUSPIDER_STATE``, compares it with what earlier runs saw
(:mod:`euspider.state`): a new story is written as version 1, a changed one as the next version, an
unchanged one is not written again, and the same story at another URL is written once. Records are
made durable in batches: first the WARC files they cite, then the output, then the state (the
records, and every unchanged story and duplicate seen since the last batch, in one transaction). A
record is thus marked done only after its line is durable, so a killed crawl neither loses a record
nor, resumed, writes one twice. When the spider closes, a manifest beside the output sums up the run.

Runs and ``JOBDIR``: a run notes itself in ``JOBDIR/euspider_run.json``. A run that finishes clears
that note, so the next crawl with the same ``JOBDIR`` and state is a new run (its own file and
manifest, conditional requests, changed stories as the next version). A run that did not finish
(killed, or stopped by SIGTERM/SIGINT with requests still queued in ``JOBDIR``) is continued by the
next crawl: same output file, nothing it dealt with fetched or written again. Resuming reads from the
state what the run dealt with and, from the output, only the lines after the last committed offset.

:class:`ConditionalRequestMiddleware` sends ``If-None-Match``/``If-Modified-Since`` for stories the
state knows (under the requested URL, or the URL it redirected to last time), counts ``304 Not
Modified`` answers as unchanged, and skips stories this run has already dealt with (a resumed run).
Feeds, listings and sitemaps are never conditional or skipped.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, IgnoreRequest, NotConfigured
from scrapy.http import Response

from . import config
from .dates.parse import iso_datetime
from .exporters import dumps
from .middlewares import ORIGINAL_URL, WarcArchiveMiddleware, fetch_time
from .runs import RunError, RunFile, manifest_path, run_file_name, write_manifest
from .state import CrawlState, Decision, StateError, StateStore, open_state, redis_state_name

logger = logging.getLogger(__name__)

RUN_FILE = "euspider_run.json"  # in JOBDIR: the run a crawl continues, until that run finishes
#: Finish reason of a run stopped by a signal; Scrapy keeps its queue in JOBDIR to go on later.
STOPPED = "shutdown"


@dataclass
class RunInfo:
    run_id: str
    started: str
    output: Path
    resumed: bool = False
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Fetched:
    """What the response of a story said that its record does not carry: validators and the URLs
    requested before redirects led to it. Kept only until the story's record (or drop) arrives."""

    etag: str | None = None
    last_modified: str | None = None
    requested: tuple[str, ...] = ()


def _now() -> str:
    return iso_datetime(datetime.now(UTC))


class RunPipeline:
    def __init__(
        self,
        run_dir: Path,
        state: Path | StateStore | None,
        *,
        jobdir: Path | None,
        spider_name: str,
        recrawl: bool = False,
        sync_every: int = 20,
        stage_every: int = 200,
        stats: Any = None,
        archives: Callable[[], None] | None = None,
    ) -> None:
        self.stats = stats
        self.recrawl = recrawl
        self.sync_every = sync_every
        self.stage_every = stage_every
        self.spider_name = spider_name
        self.archives = archives  # makes the WARC files the records cite durable
        self.jobdir = jobdir
        self.state = CrawlState(state) if isinstance(state, Path) else state
        self.run = self._run_info(run_dir, jobdir, spider_name)
        self.output = RunFile(self.run.output)
        self.written: set[str] = set()  # URLs with a record in this run's output
        self.settled: set[str] = set()  # URLs this run found unchanged, or carrying another URL's story
        self.hashes: dict[str, str] = {}  # content hash -> URL written in this run (not all committed yet)
        self.duplicates: dict[str, str] = {}  # URL not written -> the URL whose record carries its story
        self.pending: list[tuple[dict[str, Any], Fetched | None]] = []
        self.fetched: dict[str, Fetched] = {}  # story URL -> its response's validators, until its record
        #: Called with a record right after its line is written (a shared crawl marks its lead done)
        self.after_write: list[Callable[[dict[str, Any]], None]] = []
        #: What the manifest says of the shared crawl this run is a worker of (``EUSPIDER_REDIS_URL``)
        self.shared: dict[str, Any] | None = None
        self._open()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunPipeline:
        settings = config.load(crawler.settings.get)
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        run_dir, state = settings.run_dir, settings.state
        if state is not None and settings.redis_url and redis_state_name(state) is None:
            raise config.ConfigError(
                f"EUSPIDER_STATE={str(state)!r} with EUSPIDER_REDIS_URL: a SQLite file is one host's and cannot be "
                "shared by the workers of a crawl; keep the state in the crawl's Redis: EUSPIDER_STATE=redis:%(name)s"
            )
        if run_dir is None:
            if state is not None:
                raise config.ConfigError(
                    "EUSPIDER_STATE needs EUSPIDER_RUN_DIR: a record is done only once written there"
                )
            raise NotConfigured  # no per-run output asked for
        if crawler.settings.getdict("FEEDS") and state is None:
            raise NotConfigured  # the command line chose its own output (-o/-O)
        jobdir = crawler.settings.get("JOBDIR")

        def sync_archives() -> None:
            archive = crawler.get_downloader_middleware(WarcArchiveMiddleware)
            if archive is not None:
                archive.sync()

        try:
            pipeline = cls(
                config.for_spider(run_dir, name),
                open_state(config.for_spider(state, name), settings.redis_url) if state else None,
                jobdir=Path(jobdir) if jobdir else None,
                spider_name=name,
                recrawl=settings.recrawl,
                stats=crawler.stats,
                archives=sync_archives if settings.warc_dir is not None else None,
            )
        except StateError as err:
            raise config.ConfigError(f"EUSPIDER_STATE={str(state)!r}: {err}") from err
        except RunError as err:
            raise config.ConfigError(f"EUSPIDER_RUN_DIR={str(run_dir)!r}: {err}") from err
        from .distributed import distributed

        shared = distributed(crawler)
        if shared is not None:
            pipeline.shared = shared.describe()
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_error, signal=signals.item_error)
        crawler.signals.connect(pipeline.spider_error, signal=signals.spider_error)
        return pipeline

    # --- start ------------------------------------------------------------------------------------

    def _run_info(self, run_dir: Path, jobdir: Path | None, spider: str) -> RunInfo:
        marker = jobdir / RUN_FILE if jobdir else None
        if marker is not None and marker.exists():
            try:
                data = json.loads(marker.read_text(encoding="utf-8"))
                info = RunInfo(data["run_id"], data["started"], Path(data["output"]), resumed=True)
            except (OSError, ValueError, KeyError, TypeError) as err:
                logger.warning("%s is unreadable (%s): starting a new run", marker, err)
            else:
                if self._unfinished(info):
                    return info
                logger.info("run %s in %s finished: starting a new run", info.run_id, jobdir)
        started = datetime.now(UTC)
        run_id = secrets.token_hex(6)
        info = RunInfo(run_id, iso_datetime(started), run_dir / run_file_name(spider, started, run_id))
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            write_manifest(marker, {"run_id": info.run_id, "started": info.started, "output": str(info.output)})
        return info

    def _unfinished(self, info: RunInfo) -> bool:
        """Whether the run a ``JOBDIR`` names is to be continued: it never closed (killed), or closed
        stopped by a signal (Scrapy keeps its queue in ``JOBDIR``)."""
        known = self.state.run(info.run_id) if self.state is not None else None
        if known is not None:
            return known["finished"] is None or known["finish_reason"] == STOPPED
        manifest = manifest_path(info.output)
        if not manifest.exists():
            return True
        try:
            return json.loads(manifest.read_text(encoding="utf-8")).get("finish_reason") == STOPPED
        except (OSError, ValueError):
            return True

    def _open(self) -> None:
        if self.state is None:
            # no state: the output is the only account of the run; its lines give the URLs written
            self.output.open(None)
            if self.run.resumed:
                self.written = self.output.urls()
                self.run.counts = {"new": len(self.written)} if self.written else {}
        else:
            self.state.start_run(self.run.run_id, self.spider_name, self.run.started, str(self.run.output))
            known = self.state.run(self.run.run_id) or {}
            progress = known.get("progress") or {}
            # only the lines after the committed offset are read back
            recovered = self.output.open(known.get("committed_offset", 0))
            if self.run.resumed:
                self.run.counts = dict(progress.get("counts", {}))
                self.duplicates = dict(progress.get("duplicates", {}))
                self.written, self.settled = self.state.done_in_run(self.run.run_id)
            for record in recovered:  # on disk but not marked done: killed between the write and the commit
                self.written.add(record["url"])
                kind = "new" if record.get("version", 1) == 1 else "changed"
                self.run.counts[kind] = self.run.counts.get(kind, 0) + 1
            rows = [self._row(record, None) for record in recovered]
            self._superseded(self.state.commit_batch(self.run.run_id, self.output.offset, rows, self._progress()))
        if self.run.resumed:
            logger.info(
                "run %s continues in %s: %d stories written and %d settled before it stopped",
                self.run.run_id, self.run.output, len(self.written), len(self.settled),
            )  # fmt: skip

    # --- records ----------------------------------------------------------------------------------

    def _inc(self, key: str) -> None:
        self.run.counts[key] = self.run.counts.get(key, 0) + 1
        if self.stats is not None:
            self.stats.inc_value(f"euspider/state/{key}")

    def _row(self, record: dict[str, Any], fetched: Fetched | None) -> dict[str, Any]:
        return {
            "url": record["url"],
            "content_hash": record["content_hash"],
            "version": record.get("version", 1),
            "etag": fetched.etag if fetched else None,
            "last_modified": fetched.last_modified if fetched else None,
            "seen": record.get("crawled_at") or _now(),
        }

    def _progress(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.run.counts.items())), "duplicates": dict(sorted(self.duplicates.items()))}

    def done(self, url: str) -> bool:
        """Whether this run has dealt with the story at ``url`` (or at the URL it redirected to)."""
        if url in self.written or url in self.settled:
            return True
        final = self.state.redirect_of(url) if self.state is not None else None
        return final is not None and (final in self.written or final in self.settled)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        url = item["url"]
        fetched = self.fetched.pop(url, None)
        if url in self.written:
            self._inc("already_written")
            raise DropItem(f"already_written: this run wrote {url} before", log_level="INFO")
        if self.state is not None:
            for requested in fetched.requested if fetched else ():
                self.state.record_redirect(requested, url)
            owner = self.hashes.get(item["content_hash"])
            if owner is not None and owner != url:
                decision = Decision("duplicate", 0, None, owner)
            else:
                decision = self.state.decide(url, item["content_hash"])
            etag, last_modified = (fetched.etag, fetched.last_modified) if fetched else (None, None)
            if decision.kind == "unchanged" and not self.recrawl:
                self.state.touch(url, item.get("crawled_at") or _now(), etag, last_modified)
                self.settled.add(url)
                self._inc("unchanged")
                self._maybe_commit()
                raise DropItem(f"unchanged: same text as version {decision.version}: {url}", log_level="DEBUG")
            if decision.kind == "duplicate":
                self.state.record_duplicate(
                    url,
                    item["content_hash"],
                    decision.duplicate_of or "",
                    seen=item.get("crawled_at") or _now(),
                    etag=etag,
                    last_modified=last_modified,
                )
                self._settle_duplicate(url, decision.duplicate_of or "")
                self._maybe_commit()
                raise DropItem(f"duplicate: the same story as {decision.duplicate_of}: {url}", log_level="INFO")
            if decision.kind == "changed":
                item["version"], item["previous_content_hash"] = decision.version, decision.previous_hash
            elif decision.kind == "unchanged":  # a full re-crawl writes it again, as the same version
                item["version"] = decision.version
            item["duplicate_urls"] = sorted(set(item.get("duplicate_urls") or []) | set(decision.other_urls))
            self._inc("recrawled" if decision.kind == "unchanged" else decision.kind)
        else:
            self._inc("new")
        self.output.write((dumps(item) + "\n").encode("utf-8"))
        for hook in self.after_write:
            hook(item)
        self.written.add(url)
        self.hashes.setdefault(item["content_hash"], url)
        self.pending.append((item, fetched))
        self._maybe_commit()
        return item

    def _maybe_commit(self) -> None:
        staged = self.state.staged if self.state is not None else 0
        if len(self.pending) >= self.sync_every or staged >= self.stage_every:
            self.commit()

    def record_duplicate(self, url: str, owner: str, content_hash: str, seen: str | None = None) -> None:
        """``url`` gets no record: ``owner``'s carries its story, as the run's duplicate check decided
        (:mod:`euspider.duplicates`: the same text, or a page naming another as canonical). The
        manifest lists it; the state remembers it with its response's validators, so the next run
        asks for it conditionally and writes nothing for it."""
        fetched = self.fetched.pop(url, None)
        if self.state is not None:
            etag, last_modified = (fetched.etag, fetched.last_modified) if fetched else (None, None)
            self.state.record_duplicate(
                url, content_hash, owner, seen=seen or _now(), etag=etag, last_modified=last_modified
            )
        self._settle_duplicate(url, owner)
        self._maybe_commit()

    def _settle_duplicate(self, url: str, owner: str) -> None:
        """Count ``url`` as a duplicate once in the run: a run resumed after a kill may meet again an
        alias it settled in the last moments before it, and the manifest counts URLs, not visits."""
        self.settled.add(url)
        if url not in self.duplicates:
            self._inc("duplicate")
        self.duplicates[url] = owner

    def commit(self) -> None:
        """Make the written records durable, then mark them done (in that order): the WARC files they
        cite, the output, then the state, with every staged write, in one transaction."""
        if self.pending and self.archives is not None:
            self.archives()
        offset = self.output.sync()
        if self.state is not None:
            rows = [self._row(record, fetched) for record, fetched in self.pending]
            self._superseded(self.state.commit_batch(self.run.run_id, offset, rows, self._progress()))
        self.pending.clear()

    def _superseded(self, urls: list[str]) -> None:
        """Rows a shared state did not take: another worker had committed a later version first."""
        if urls:
            if self.stats is not None:
                self.stats.inc_value("euspider/state/superseded", len(urls))
            logger.warning("%d records were superseded in the state by a later version another worker wrote, "
                           "e.g. %s", len(urls), urls[0])  # fmt: skip

    def remember_response(self, url: str, etag: str | None, last_modified: str | None, requested: list[str]) -> None:
        """A story's response: keep what its record will not carry, until the record (or its drop) comes."""
        requested_urls = tuple(u for u in requested if u != url)
        if etag or last_modified or requested_urls:
            self.fetched[url] = Fetched(etag, last_modified, requested_urls)

    def forget(self, url: str) -> None:
        self.fetched.pop(url, None)

    def not_modified(self, url: str, seen: str, requested: list[str]) -> None:
        """A 304 for a story the state knows: unchanged since the last run."""
        if self.state is not None:
            self.state.touch(url, seen)
            for earlier in requested:
                self.state.record_redirect(earlier, url)
        self.settled.add(url)
        self._inc("unchanged")
        self._inc("not_modified")
        self._maybe_commit()

    # --- pages that never become a record ---------------------------------------------------------

    def item_dropped(self, item: Any, response: Response | None = None, **_: Any) -> None:
        self.forget(getattr(item, "url", None) or (response.url if response is not None else ""))

    def item_error(self, item: Any, response: Response | None = None, **_: Any) -> None:
        self.forget(getattr(item, "url", None) or (response.url if response is not None else ""))

    def spider_error(self, failure: Any, response: Response | None = None, **_: Any) -> None:
        if response is not None:
            self.forget(response.url)

    # --- end --------------------------------------------------------------------------------------

    def spider_idle(self) -> None:
        if self.pending or (self.state is not None and self.state.staged):
            self.commit()

    def close_spider(self) -> None:
        self.commit()
        self.output.close()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.stats.get_stats() if self.stats is not None else {}

        def group(name: str) -> dict[str, int]:
            prefix = f"euspider/{name}/"
            return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

        manifest = {
            "run_id": self.run.run_id,
            "spider": self.spider_name,
            "started": self.run.started,
            "finished": _now(),
            "finish_reason": reason,
            "resumed": self.run.resumed,
            "output": str(self.run.output),
            "records": len(self.written),
            "duplicates": dict(sorted(self.duplicates.items())),
            "counts": dict(sorted(self.run.counts.items())),
            "dropped": group("dropped"),
            "mismatches": group("mismatch"),
            "state": self.state.location if self.state is not None else None,
        }
        if self.shared is not None:  # one worker's share of a crawl shared through Redis
            manifest["shared"] = self.shared
        write_manifest(manifest_path(self.run.output), manifest)
        if self.state is not None:
            self.state.finish_run(self.run.run_id, manifest["finished"], reason, manifest)
            self.state.close()
        if self.jobdir is not None and reason != STOPPED:  # finished: the next crawl is a new run
            (self.jobdir / RUN_FILE).unlink(missing_ok=True)
        if self.fetched:
            logger.debug("%d story responses never reached a record or a drop", len(self.fetched))
        counts = ", ".join(f"{v} {k}" for k, v in manifest["counts"].items()) or "nothing written"
        logger.info("run %s (%s): %s; dropped %s; mismatches %s; output %s", self.run.run_id, reason, counts,
                    manifest["dropped"] or "none", manifest["mismatches"] or "none", self.run.output)  # fmt: skip


class ConditionalRequestMiddleware:
    """Conditional requests for known stories, 304s as unchanged, resumed runs skip what they wrote."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._pipeline: RunPipeline | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        settings = config.load(crawler.settings.get)
        if settings.run_dir is None:
            raise NotConfigured
        return cls(crawler)

    @property
    def pipeline(self) -> RunPipeline | None:
        if self._pipeline is None:
            self._pipeline = self.crawler.get_item_pipeline(RunPipeline)
        return self._pipeline

    def process_request(self, request: Request) -> None:
        pipeline = self.pipeline
        if pipeline is None or request.meta.get("euspider_kind") != "article":
            return
        if ORIGINAL_URL in request.meta:
            return  # a mirror's re-issue of a request this middleware has seen already
        if pipeline.done(request.url):
            self.crawler.stats.inc_value("euspider/state/already_done")
            raise IgnoreRequest(f"this run already dealt with {request.url}")
        if pipeline.state is None or pipeline.recrawl:
            return
        etag, last_modified = pipeline.state.validators(request.url)
        if etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = etag
        if last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = last_modified

    def process_response(self, request: Request, response: Response) -> Response:
        pipeline = self.pipeline
        if pipeline is None or request.meta.get("euspider_kind") != "article":
            return response
        requested = list(request.meta.get("redirect_urls", []))
        if response.status == 304:
            pipeline.not_modified(response.url, fetch_time(response), requested)
            raise IgnoreRequest(f"not modified since the last run: {response.url}")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            pipeline.remember_response(
                response.url,
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None,
                requested,
            )
        return response
