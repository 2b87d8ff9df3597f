"""Several crawler processes, on any hosts, sharing one crawl through Redis (Scrapy glue).

``-s EUSPIDER_REDIS_URL=redis://host:port/db`` turns it on for the ``euobserver``, ``news`` and ``warc``
spiders. Every process started with the same URL and spider is a *worker* of one crawl (keys under
``euspider:<spider>``; one crawl per spider and Redis database):

- the news spiders schedule through scrapy-redis: its ``Scheduler`` with a persistent queue and its
  ``RFPDupeFilter``, on the shared keys ``euspider:<spider>:requests`` and ``:dupefilter``. The queue
  class is :class:`ClaimingQueue`, scrapy-redis's priority queue whose pop also notes, in the same
  atomic step, which worker took the request (scrapy-redis's own pop forgets it);
- the lead store (:class:`~euspider.store.redis.RedisLeadStore`) and the ID anchors
  (:class:`~euspider.store.redis.RedisAnchorIndex`) are in Redis, so what one worker learns from a feed
  dates the stories another fetches;
- with ``EUSPIDER_STATE=redis:<name>``, the scheduled-crawl state too
  (:class:`~euspider.store.redis_state.RedisCrawlState`, keys under ``euspider-state:<name>``, kept
  when the crawl's keys go), so the workers' next run asks conditionally for what any of them wrote;
- each worker sends a heartbeat every quarter of ``EUSPIDER_REDIS_WORKER_TIMEOUT``; any worker finds
  those silent for longer and gives their work back (:meth:`~euspider.store.redis.WorkerRegistry.reap`).
  A worker that was declared dead (blocked longer than the timeout) stops, with finish reason
  ``reaped``: its work is someone else's now.

A lead is marked done once its record is written (or dropped), so the output of all workers together
holds each story once. Each worker writes its own run files (``EUSPIDER_RUN_DIR``) and a manifest
naming the worker and the crawl.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from typing import Any
from weakref import WeakKeyDictionary

import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy_redis.queue import PriorityQueue

from . import config
from .store.redis import RedisStoreError, WorkerRegistry, connect, safe_url

logger = logging.getLogger(__name__)

PREFIX = "euspider:%(spider)s"


def worker_id() -> str:
    """A name for this process, unique among the workers: host, process id and a random part."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Distributed:
    """This process's part in a shared crawl: its worker id, the Redis client and the heartbeat."""

    def __init__(self, crawler: Crawler, url: str, timeout: float, spider: str) -> None:
        self.crawler = crawler
        self.url = url
        self.timeout = timeout
        self.prefix = PREFIX % {"spider": spider}
        self.worker = worker_id()
        try:
            self.client = connect(url)
        except RedisStoreError as err:
            raise config.ConfigError(f"EUSPIDER_REDIS_URL={safe_url(url)!r}: {err}") from err
        self.registry = WorkerRegistry(self.client, self.prefix, self.worker)
        self._loop: Any = None
        self._beating = threading.Event()
        self._declared_dead = False  # set by the heartbeat thread
        self.reaped = False
        self.on_tick: list[Any] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def queue_key(self) -> str:
        """The shared request queue's key: ``SCHEDULER_QUEUE_KEY`` as scrapy-redis formats it."""
        name = self.crawler.spidercls.name if self.crawler.spidercls else "crawl"
        return str(self.crawler.settings.get("SCHEDULER_QUEUE_KEY") or self.prefix + ":requests") % {"spider": name}

    def describe(self) -> dict[str, Any]:
        """What a worker's manifest says of the crawl it took part in."""
        return {"worker": self.worker, "redis": safe_url(self.url), "crawl": self.prefix}

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet.task import LoopingCall

        # the heartbeat has a thread of its own: a worker busy in one long callback (a large sitemap)
        # is alive, and says so; a killed one falls silent
        self.registry.heartbeat()
        threading.Thread(target=self._heartbeat, name="euspider-heartbeat", daemon=True).start()
        self._loop = LoopingCall(self.tick)
        self._loop.start(max(self.timeout / 4, 0.2), now=False)
        logger.info("worker %s of the crawl %s on %s", self.worker, self.prefix, safe_url(self.url))

    def _heartbeat(self) -> None:
        while not self._beating.wait(max(self.timeout / 4, 0.2)):
            try:
                if not self.registry.heartbeat():
                    self._declared_dead = True
                    return
            except redis.RedisError as err:
                logger.warning("heartbeat to %s failed: %s", safe_url(self.url), err)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._beating.set()
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.registry.leave()

    def tick(self) -> None:
        stats = self.crawler.stats
        try:
            if self._declared_dead:
                if not self.reaped:
                    self.reaped = True
                    logger.error("worker %s was silent too long and its work went to others: stopping", self.worker)
                    from scrapy.utils.defer import deferred_from_coro

                    deferred_from_coro(self.crawler.engine.close_spider_async(reason="reaped"))  # type: ignore[union-attr]
                return
            dead, requeued, files = self.registry.reap(self.timeout)
        except redis.RedisError:  # a Redis hiccup must not end the crawl; the next tick tries again
            logger.exception("the heartbeat to %s failed", safe_url(self.url))
            return
        if dead:
            logger.warning("%d silent workers: %d of their leads and requests and %d files went back", dead,
                           requeued, files)  # fmt: skip
            stats.inc_value("euspider/redis/workers_reaped", dead)
            stats.inc_value("euspider/redis/requeued", requeued)
            stats.inc_value("euspider/redis/files_requeued", files)
        try:
            for callback in self.on_tick:
                callback()
            self.wake()
        except redis.RedisError:  # as above: an error escaping the timer would stop it for the rest of the crawl
            logger.exception("a periodic call to %s failed", safe_url(self.url))
            stats.inc_value("euspider/redis/tick_errors")

    def wake(self) -> None:
        """Have the engine look at the shared queue now (other workers may have filled it), not at its
        next five-second heartbeat."""
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()


_CRAWLS: WeakKeyDictionary[Crawler, Distributed | None] = WeakKeyDictionary()


def distributed(crawler: Crawler) -> Distributed | None:
    """The crawl's :class:`Distributed`, or None without ``EUSPIDER_REDIS_URL``."""
    if crawler in _CRAWLS:
        return _CRAWLS[crawler]
    settings = config.load(crawler.settings.get)
    found = None
    if settings.redis_url:
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        found = Distributed(crawler, settings.redis_url, settings.redis_worker_timeout, name)
    _CRAWLS[crawler] = found
    return found


def use_shared_queue(crawler: Crawler) -> None:
    """scrapy-redis's scheduler and dupefilter on the crawl's keys, the queue persistent (a worker
    that ends leaves the rest to the others); what the project set itself wins."""
    found = distributed(crawler)
    assert found is not None
    values = {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "euspider.distributed.ClaimingQueue",
        "SCHEDULER_QUEUE_KEY": found.prefix + ":requests",
        "SCHEDULER_DUPEFILTER_KEY": found.prefix + ":dupefilter",
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": found.url,
    }
    for name, value in values.items():
        if (crawler.settings.getpriority(name) or 0) <= crawler.settings.getpriority("EUSPIDER_REDIS_URL"):
            crawler.settings.set(name, value, "spider")


# KEYS: queue, held, hdata. ARGV: score, member, lead. The request is in the queue: nobody holds its lead.
_PUSH = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[3])
  redis.call('HDEL', KEYS[3], ARGV[3])
end
return 1
"""

# KEYS: queue, held, hdata. ARGV: worker. The first request, now held by the worker that took it.
_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
local member, score = found[1], found[2]
redis.call('ZREM', KEYS[1], member)
local nl = string.find(member, '\\n', 1, true)
local lead = string.sub(member, 1, nl - 1)
if lead ~= '' then
  redis.call('HSET', KEYS[2], lead, ARGV[1])
  redis.call('HSET', KEYS[3], lead, score .. '\\n' .. KEYS[1] .. '\\n' .. member)
end
return member
"""


class ClaimingQueue(PriorityQueue):
    """scrapy-redis's priority queue (a sorted set), with a pop that cannot lose a request: each queue
    member starts with its lead's URL, and pop notes in the same script that this worker holds it
    (with the member itself and the queue's key, so a reaper can put it back where it was, whatever
    ``SCHEDULER_QUEUE_KEY`` names). Pushing a request for a lead
    lets go of the lead: the queue holds it now (a retry, a redirect, a claimed lead handed over)."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        crawl = distributed(spider.crawler)
        assert crawl is not None, "ClaimingQueue needs EUSPIDER_REDIS_URL"
        self.worker = crawl.worker
        self.keys = [self.key, crawl.prefix + ":held", crawl.prefix + ":hdata"]
        self._push = server.register_script(_PUSH)
        self._pop = server.register_script(_POP)

    def push(self, request: Any) -> None:
        lead = str(request.meta.get("euspider_lead") or "")
        member = lead.encode("utf-8") + b"\n" + self._encode_request(request)
        self._push(keys=self.keys, args=[-request.priority, member, lead])

    def pop(self, timeout: int = 0) -> Any:
        member = self._pop(keys=self.keys, args=[self.worker])
        if not member:
            return None
        return self._decode_request(member.split(b"\n", 1)[1])
