"""Scheduled crawls: per-run crash-safe output, and what changed since the last run (Scrapy glue).

:class:`RunPipeline` (after extraction) writes every record to the run's own output file
(:mod:`euspider.runs`) and, with ``EUSPIDER_STATE``, compares it with what earlier runs saw
(:mod:`euspider.state`): a new story is written as version 1, a changed one as the next version, an
unchanged one is not written again, and the same story at another URL is written once. A record is
marked done in the state only after its line is durable, so a killed crawl neither loses a record
nor, resumed, writes one twice. When the spider closes, a manifest beside the output sums up the run.

:class:`ConditionalRequestMiddleware` sends ``If-None-Match``/``If-Modified-Since`` for stories the
state knows, counts ``304 Not Modified`` answers as unchanged, and skips stories this run has already
written (a run resumed with ``JOBDIR``). Feeds, listings and sitemaps are never conditional or skipped.
"""

from __future__ import annotations

import json
import logging
import secrets
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
from .runs import RunError, RunFile, manifest_path, run_file_name, write_manifest
from .state import CrawlState, Decision, StateError

logger = logging.getLogger(__name__)

RUN_FILE = "euspider_run.json"  # in JOBDIR: which run a resumed crawl continues


@dataclass
class RunInfo:
    run_id: str
    started: str
    output: Path
    resumed: bool = False
    counts: dict[str, int] = field(default_factory=dict)


def _now() -> str:
    return iso_datetime(datetime.now(UTC))


class RunPipeline:
    def __init__(
        self,
        run_dir: Path,
        state_path: Path | None,
        *,
        jobdir: Path | None,
        spider_name: str,
        recrawl: bool = False,
        sync_every: int = 20,
        stats: Any = None,
    ) -> None:
        self.stats = stats
        self.recrawl = recrawl
        self.sync_every = sync_every
        self.spider_name = spider_name
        self.state = CrawlState(state_path) if state_path else None
        self.run = self._run_info(run_dir, jobdir, spider_name)
        self.output = RunFile(self.run.output)
        self.written: set[str] = set()
        self.hashes: dict[str, str] = {}  # content hash -> URL written in this run (not all committed yet)
        self.duplicates: dict[str, str] = {}  # URL not written -> the URL whose record carries its story
        self.pending: list[dict[str, Any]] = []
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self._open()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunPipeline:
        settings = config.load(crawler.settings.get)
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        run_dir, state = settings.run_dir, settings.state
        if run_dir is None:
            if state is not None:
                raise config.ConfigError(
                    "EUSPIDER_STATE needs EUSPIDER_RUN_DIR: a record is done only once written there"
                )
            raise NotConfigured  # no per-run output asked for
        if crawler.settings.getdict("FEEDS") and state is None:
            raise NotConfigured  # the command line chose its own output (-o/-O)
        jobdir = crawler.settings.get("JOBDIR")
        try:
            pipeline = cls(
                config.for_spider(run_dir, name),
                config.for_spider(state, name) if state else None,
                jobdir=Path(jobdir) if jobdir else None,
                spider_name=name,
                recrawl=settings.recrawl,
                stats=crawler.stats,
            )
        except StateError as err:
            raise config.ConfigError(f"EUSPIDER_STATE={str(state)!r}: {err}") from err
        except RunError as err:
            raise config.ConfigError(f"EUSPIDER_RUN_DIR={str(run_dir)!r}: {err}") from err
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    # --- start ------------------------------------------------------------------------------------

    def _run_info(self, run_dir: Path, jobdir: Path | None, spider: str) -> RunInfo:
        marker = jobdir / RUN_FILE if jobdir else None
        if marker is not None and marker.exists():
            data = json.loads(marker.read_text(encoding="utf-8"))
            return RunInfo(data["run_id"], data["started"], Path(data["output"]), resumed=True)
        started = datetime.now(UTC)
        run_id = secrets.token_hex(6)
        info = RunInfo(run_id, iso_datetime(started), run_dir / run_file_name(spider, started, run_id))
        if marker is not None:
            marker.parent.mkdir(parents=True, exist_ok=True)
            write_manifest(marker, {"run_id": info.run_id, "started": info.started, "output": str(info.output)})
        return info

    def _open(self) -> None:
        durable = 0
        if self.state is not None:
            self.state.start_run(self.run.run_id, self.spider_name, self.run.started, str(self.run.output))
            known = self.state.run(self.run.run_id)
            durable = known["committed_offset"] if known else 0
        recovered = self.output.open(durable)
        if recovered:
            logger.info("run %s resumed: %d records written before the interruption", self.run.run_id, len(recovered))
        # records on disk but not yet marked done (a crash between write and commit) are done now
        if self.state is not None and recovered:
            self.state.commit_batch(self.run.run_id, self.output.offset, [self._row(r) for r in recovered])
        # everything this run already wrote is skipped from now on
        if self.run.resumed or recovered:
            self.written |= {r["url"] for r in self._all_written()}
        if self.state is not None:
            self.state.set_offset(self.run.run_id, self.output.offset)

    def _all_written(self) -> list[dict[str, Any]]:
        if not self.run.output.exists():
            return []
        with open(self.run.output, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    # --- records ----------------------------------------------------------------------------------

    def _inc(self, key: str) -> None:
        self.run.counts[key] = self.run.counts.get(key, 0) + 1
        if self.stats is not None:
            self.stats.inc_value(f"euspider/state/{key}")

    def _row(self, record: dict[str, Any]) -> dict[str, Any]:
        etag, last_modified = self.validators.pop(record["url"], (None, None))
        return {
            "url": record["url"],
            "content_hash": record["content_hash"],
            "version": record.get("version", 1),
            "etag": etag,
            "last_modified": last_modified,
            "seen": record.get("crawled_at") or _now(),
        }

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, dict) or "content_hash" not in item:
            return item
        url = item["url"]
        if url in self.written:
            self._inc("already_written")
            raise DropItem(f"already_written: this run wrote {url} before it was interrupted", log_level="INFO")
        if self.state is not None:
            owner = self.hashes.get(item["content_hash"])
            if owner is not None and owner != url:
                decision = Decision("duplicate", 0, None, owner)
            else:
                decision = self.state.decide(url, item["content_hash"])
            if decision.kind == "unchanged" and not self.recrawl:
                etag, last_modified = self.validators.pop(url, (None, None))
                self.state.touch(url, item.get("crawled_at") or _now(), etag, last_modified)
                self._inc("unchanged")
                raise DropItem(f"unchanged: same text as version {decision.version}: {url}", log_level="DEBUG")
            if decision.kind == "duplicate":
                self.record_duplicate(url, decision.duplicate_of or "", item["content_hash"], item.get("crawled_at"))
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
        self.written.add(url)
        self.hashes.setdefault(item["content_hash"], url)
        self.pending.append(item)
        if len(self.pending) >= self.sync_every:
            self.commit()
        return item

    def record_duplicate(self, url: str, owner: str, content_hash: str, seen: str | None = None) -> None:
        """``url`` gets no record: ``owner``'s carries its story (this run's dedupe or the state said
        so). The manifest lists it; the state remembers it, with its validators for the next run."""
        etag, last_modified = self.validators.pop(url, (None, None))
        if self.state is not None:
            self.state.record_duplicate(
                url, content_hash, owner, seen=seen or _now(), etag=etag, last_modified=last_modified
            )
        self._inc("duplicate")
        self.duplicates[url] = owner

    def commit(self) -> None:
        """Make the written records durable, then mark them done (in that order)."""
        offset = self.output.sync()
        if self.state is not None:
            self.state.commit_batch(self.run.run_id, offset, [self._row(r) for r in self.pending])
        self.pending.clear()

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if etag or last_modified:
            self.validators[url] = (etag, last_modified)

    def not_modified(self, url: str) -> None:
        """A 304 for a story the state knows: unchanged since the last run."""
        if self.state is not None:
            self.state.touch(url, _now())
        self._inc("unchanged")
        self._inc("not_modified")

    # --- end --------------------------------------------------------------------------------------

    def spider_idle(self) -> None:
        if self.pending:
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
            "state": str(self.state.path) if self.state is not None else None,
        }
        write_manifest(manifest_path(self.run.output), manifest)
        if self.state is not None:
            self.state.finish_run(self.run.run_id, manifest["finished"], reason, manifest)
            self.state.close()
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
        if "euspider_original_url" in request.meta:
            return  # a mirror's re-issue of a request this middleware has seen already
        if request.url in pipeline.written:
            self.crawler.stats.inc_value("euspider/state/already_done")
            raise IgnoreRequest(f"this run already wrote {request.url}")
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
        if response.status == 304:
            pipeline.not_modified(response.url)
            raise IgnoreRequest(f"not modified since the last run: {response.url}")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            pipeline.remember_validators(
                response.url,
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None,
            )
        return response
