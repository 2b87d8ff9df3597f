"""Web archives: the pages of WARC/ARC files (Common Crawl, CC-NEWS, an archive's own captures).

    scrapy crawl warc -a paths=crawl-data/*.warc.gz
    scrapy crawl warc -a paths=a.warc.gz,b.arc.gz -O stories.jsonl

Each HTML response record becomes a Scrapy response with its original headers, under its
``WARC-Target-URI``, captured at its ``WARC-Date`` (the record's ``crawled_at``), and goes through the
same pipeline as a live crawl. Nothing is fetched from the network.

Like the live spiders, the crawl first reads what dates other pages: the archives' feeds, sitemaps and
listing pages (by site profile or URL shape), then hands over the stories with that link context and
ID anchors, so an archive of a site gives the records a live crawl of it gives. Files are read as
streams, one record at a time: first for the discovery pages, then for the stories, taking records
from several files in turn so they are processed side by side. Records that are not pages to extract
are counted by reason (``euspider/warc/skipped/<reason>``: ``revisit``, ``truncated``, ``not_200``,
``not_html``; and, logged with the file, offset and URL, ``bad_length`` for a record whose
Content-Length lies and ``malformed`` for bytes that are no record, reading going on at the next
record); a file that cannot be read any further is reported with the offset where reading stopped
(``euspider/warc/files_failed``), and the other files go on.

With ``EUSPIDER_REDIS_URL`` several workers (on hosts that see the same files, e.g. one directory or
bucket mount) share the files named by ``-a paths`` (each worker may name the same ones; a file is read
once per crawl): each takes one file at a time from a Redis list, first every file for its discovery
pages, then, once all are read, every file for its stories (:class:`~euspider.store.redis.WarcFiles`).
Link context and anchors are shared through Redis, so the records are those of one process. A killed
worker's file goes back to its list; the records it had done are skipped when the file is read again.
Requests stay in each worker's own scheduler: they are answered from the file the worker holds.
"""

from __future__ import annotations

import glob
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from ..discovery import SharedDiscovery
from ..distributed import Distributed
from ..links import Link
from ..store.redis import WarcFiles
from ..warc import PROBLEMS, RecordInfo, WarcError, iter_records, read_record
from .base import NewsSpider

#: How much of a story record is searched for its ``<head>`` (and a canonical link) before its turn.
HEAD_BYTES = 256 * 1024
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


def expand(paths: str) -> list[str]:
    """Comma-separated files or glob patterns, in the order given, each file once."""
    found: list[str] = []
    for part in (p.strip() for p in paths.split(",")):
        if not part:
            continue
        matches = sorted(glob.glob(part)) if any(c in part for c in "*?[") else [part]
        for match in matches:
            if match not in found:
                found.append(match)
    return found


class WarcSpider(NewsSpider):
    name = "warc"
    #: Nothing is fetched: every response comes from an archive.
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 - Scrapy's own class attribute

    def __init__(self, *args: Any, paths: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not paths:
            raise ValueError("the warc spider needs -a paths=FILE[,FILE...] (globs allowed)")
        self.files = expand(paths)
        missing = [f for f in self.files if not Path(f).is_file()]
        if missing or not self.files:
            raise ValueError(f"-a paths={paths!r}: no such file: {', '.join(missing) or paths}")
        self.failed: set[str] = set()
        self.shared_files: WarcFiles | None = None
        self._file_outstanding: dict[str, int] = {}

    def share(self, crawler: Any, shared: Distributed) -> None:
        """Files from a Redis list, link context and anchors in Redis; requests stay local."""
        self.discovery = SharedDiscovery(shared.client, shared.prefix)
        self.shared_files = WarcFiles(shared.client, shared.prefix, shared.worker)

        def close(spider: Any, reason: str) -> None:
            assert self.shared_files is not None
            self.shared_files.close(discard=reason == "finished")

        from scrapy import signals

        crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
        for name in ("item_scraped", "item_dropped", "item_error"):
            crawler.signals.connect(self._record_through, signal=getattr(signals, name))

    # any page of the archive may be a story; the profile, when there is one, knows better
    def is_article(self, url: str) -> bool:
        profile = self.profile_of(url)
        if profile is not None and profile.article_urls:
            return profile.is_article_url(url)
        return not (self.is_discovery(url))

    def is_discovery(self, url: str) -> bool:
        return self.is_feed(url) or self.is_sitemap(url) or self.is_listing(url)

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"euspider/warc/{key}")

    def _records(self, path: str) -> Iterator[RecordInfo]:
        try:
            yield from iter_records(path)
        except WarcError as err:
            if path not in self.failed:
                self.failed.add(path)
                self._count("files_failed")
                self.logger.error("%s", err)

    async def start(self) -> AsyncIterator[Request]:
        if self.shared_files is not None:
            async for request in self.shared_start(self.shared_files):
                yield request
            return
        for path in self.files:
            self.read_discovery_pages(path)
        streams = [self.story_requests_of(path) for path in self.files]
        while streams:  # one record from each file in turn
            for stream in list(streams):
                request = next(stream, None)
                if request is None:
                    streams.remove(stream)
                else:
                    yield request

    def read_discovery_pages(self, path: str) -> None:
        """Read the file's feeds, sitemaps and listings for the links and dates they show, and note
        every story page that names another page of the archive's site as canonical, so that page's
        record lists it whichever of the two the file holds first (as a crawl, which fetches the
        canonical page after the alias, always does)."""
        for info in self._records(path):
            if info.skip_reason() is not None:
                continue
            if not self.is_discovery(info.url):
                if info.is_html and self.is_article(info.url):
                    self.note_archived_alias(info)
                continue
            try:
                stored = read_record(info.file, info.offset)
            except WarcError as err:
                self.logger.error("%s", err)
                continue
            kind = "sitemap" if self.is_sitemap(info.url) else "feed" if self.is_feed(info.url) else "listing"
            self._count(f"discovery/{kind}")
            response = self.build_response(
                info.url, stored.status, stored.headers, stored.body, {"euspider_kind": kind}
            )
            with self.discovery.batch():
                for link in self.discovery_links(response, kind):
                    if self.is_article(link.url):
                        self.discover(link.url, link.context)

    def note_archived_alias(self, info: RecordInfo) -> None:
        """Note an archived story page as an alias if its ``<head>`` declares another canonical page."""
        try:
            stored = read_record(info.file, info.offset)
        except WarcError:
            return  # said when the record is read for its story
        head = stored.body[:HEAD_BYTES]
        if b"canonical" not in head:
            return
        end = _HEAD_END.search(head)
        head = head[: end.end()] if end else head
        self.note_alias(self.build_response(info.url, stored.status, stored.headers, head, {}))

    def discovery_links(self, response: Response, kind: str) -> list[Link]:
        if kind == "sitemap":
            from ..links import FeedError, links_from_sitemap

            try:
                return links_from_sitemap(response.body, response.url)[0]
            except FeedError as err:
                self.logger.warning("unreadable sitemap %s: %s", response.url, err)
                return []
        return self.links(response)

    def story_requests_of(self, path: str) -> Iterator[Request]:
        for info in self._records(path):
            self._count("records")
            reason = info.skip_reason()
            if reason is None and not info.is_html:
                reason = "not_html"
            if reason is not None:
                if reason != "not_response":  # requests, warcinfo, metadata: not pages at all
                    self._count(f"skipped/{reason}")
                if reason in PROBLEMS:  # damaged input: said where, the rest of the file goes on
                    self.logger.warning(
                        "skipped %s record in %s at offset %d (%s): %s",
                        reason, info.file, info.offset, info.url or "no URL", info.detail,
                    )  # fmt: skip
                continue
            if self.is_discovery(info.url) or not self.is_article(info.url):
                continue
            lead = self.discovery.lead(info.url, self.profile_of(info.url))
            yield Request(
                info.url,
                callback=self.parse_article,
                errback=self.record_failed if self.shared_files is not None else None,
                dont_filter=True,  # an archive may hold the same URL several times
                meta={
                    "euspider_kind": "article",
                    "euspider_link_context": lead.link_context,
                    "euspider_anchors": lead.anchors,
                    # answered from the archive, captured at the record's WARC-Date
                    "euspider_warc": {"file": info.file, "offset": info.offset},
                },
            )

    async def shared_start(self, files: WarcFiles) -> AsyncIterator[Request]:
        """One file at a time from the crawl's lists: discovery pages of every file, then stories."""
        from ..incremental import RunPipeline

        run = self.crawler.get_item_pipeline(RunPipeline)
        if run is not None:
            run.after_write.append(self._record_written)
        files.register(self.files)
        while True:
            path = files.take("discovery")
            if path is not None:
                self._count("files/discovery")
                self.read_discovery_pages(path)
                files.discovered(path)
            elif files.busy("discovery"):
                await _sleep(0.2)  # another worker reads the last discovery pages (or died doing so)
            else:
                break
        while True:
            path = files.take("stories")
            if path is None:
                if not files.busy():
                    return
                await _sleep(0.2)  # the last files are being read; a dead worker's comes back here
                continue
            self._count("files/stories")
            done = files.done_offsets(path)
            self._file_outstanding[path] = 0
            for request in self.story_requests_of(path):
                if request.meta["euspider_warc"]["offset"] in done:
                    self._count("records_done_before")  # written or dropped by a worker that died
                    continue
                self._file_outstanding[path] += 1
                yield request
            while self._file_outstanding[path] > 0:  # the file is through once its records are
                await _sleep(0.05)
            del self._file_outstanding[path]
            files.finished(path)

    def _record_done(self, location: dict[str, Any] | None) -> None:
        if not location or self.shared_files is None:
            return
        path = str(location["file"])
        self.shared_files.record_done(path, int(location["offset"]))
        if path in self._file_outstanding:
            self._file_outstanding[path] = max(self._file_outstanding[path] - 1, 0)

    def _record_written(self, record: dict[str, Any]) -> None:
        """A record's line is written: the archive record it came from (its ``warc``) is done at once
        (see the news spiders), whichever URL it has and however often the archive holds that URL."""
        location = record.get("warc")
        if location and self.shared_files is not None:
            self.shared_files.record_done(str(location["file"]), int(location["offset"]))

    def _record_through(self, item: Any, response: Response | None = None, **_: Any) -> None:
        self._record_done(response.meta.get("euspider_warc") if response is not None else None)

    def record_failed(self, failure: Any) -> None:
        """A record that could not be answered (counted and logged where it failed) is done too."""
        self._record_done(failure.request.meta.get("euspider_warc"))

    def spider_idle(self) -> None:
        """Stories linked from the archive's pages but not in it are not fetched: nothing is."""

    @staticmethod
    def build_response(
        url: str, status: int, headers: list[tuple[str, str]], body: bytes, meta: dict[str, Any]
    ) -> Response:
        cls = responsetypes.from_args(headers=dict(headers), url=url, body=body)
        request = Request(url, meta=meta)
        return cls(url=url, status=status, headers=headers, body=body, request=request)


async def _sleep(seconds: float) -> None:
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
