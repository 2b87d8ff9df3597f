"""Extraction in a pool of worker processes, so a crawl uses every core and one page cannot stall it.

trafilatura and htmldate hold the GIL for tens of milliseconds per page; inside the crawler's event
loop they would stop downloads while a page is extracted, and threads would not help. The pool
(pebble's ``ProcessPool``) runs :meth:`ArticleExtractor.extract` in separate processes:

- each worker builds its :class:`~euspider.extract.ArticleExtractor` once, at start-up;
- only what extraction needs is sent (:class:`Job`) and only the record comes back (:class:`Result`);
- a page that runs past ``timeout`` seconds has its worker killed and replaced; the page comes back
  as a ``timeout`` result;
- a worker is replaced after ``max_tasks`` pages, so caches cannot grow without end, and its memory
  is capped (``max_memory_mb``) so one huge page ends in a ``too_large`` result, not in swapping;
- workers and their forkserver ignore SIGINT and SIGTERM: Ctrl-C reaches the whole process group,
  and a service manager's stop (systemd's default ``KillMode=control-group``) reaches every process
  of the unit; the crawl, not the workers, decides when to stop (after extracting every page already
  downloaded). A worker still ends on SIGTERM when the pool itself stops it: when the crawl has closed
  the pool, or when its page has run past the time limit.

Workers start from a ``forkserver`` that has already imported the extraction stack and warmed up its
caches, so starting or replacing one takes milliseconds. No Scrapy here: the pipeline is the glue.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import time
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .dates import Anchor
from .extract import ArticleExtractor, ExtractOptions

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """What a worker needs to extract one page."""

    url: str
    body: bytes
    headers: dict[str, str]
    crawled_at: str | None = None
    link_context: list[dict[str, Any]] = field(default_factory=list)
    anchors: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Result:
    """A record, or why there is none (a skip reason as in :data:`euspider.extract.SKIP_REASONS`,
    or ``timeout``, ``too_large``, ``worker_crashed``, ``extraction_error``)."""

    record: dict[str, Any] | None
    skip_reason: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class PoolSettings:
    """``EUSPIDER_WORKERS`` and friends; ``workers=0`` extracts in the crawling process itself."""

    workers: int = 0
    timeout: float = 30.0
    max_tasks: int = 2000
    max_memory_mb: int = 4096
    max_in_flight: int = 0  # 0: twice the number of workers

    @property
    def in_flight(self) -> int:
        return self.max_in_flight or max(2 * self.workers, 1)


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# --- inside a worker ---------------------------------------------------------------------------

_EXTRACTOR: ArticleExtractor | None = None
#: When the job in hand started (monotonic seconds), None between jobs.
_JOB_STARTED: float | None = None


def ignore_stop_signals() -> None:
    """SIGINT and SIGTERM sent to the whole process group are the crawl's to act on, not ours."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _sigterm_handler(stopping: Any, timeout: float) -> Any:
    """A worker's SIGTERM handler: end the worker only when the pool stops it.

    The pool sends SIGTERM for two reasons of its own: it is closing (``stopping`` is set by the
    crawling process first), or the page in hand ran past ``timeout``. Any other SIGTERM is a service
    manager's stop of the whole process group: the crawl gets it too and decides, so it is ignored.
    """
    previous = signal.getsignal(signal.SIGTERM)  # pebble's: clean up and exit

    def handle(signum: int, frame: Any) -> None:
        started = _JOB_STARTED
        overdue = started is not None and time.monotonic() - started >= timeout
        if (stopping is not None and stopping.value) or overdue:
            if callable(previous):
                previous(signum, frame)
            os._exit(1)

    return handle


def _init_worker(options: ExtractOptions, max_memory_mb: int, stopping: Any = None, timeout: float = 0.0) -> None:
    global _EXTRACTOR  # noqa: PLW0603 - one extractor per worker process, built once
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if timeout > 0:
        signal.signal(signal.SIGTERM, _sigterm_handler(stopping, timeout))
    if max_memory_mb > 0:
        try:
            import resource

            limit = max_memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError) as err:  # not on every platform
            logger.debug("cannot cap worker memory: %s", err)
    _EXTRACTOR = ArticleExtractor(options)


def run_job(job: Job, extractor: ArticleExtractor | None = None) -> Result:
    """Extract one job (in a worker, or inline); never raises."""
    global _JOB_STARTED  # noqa: PLW0603 - the worker's SIGTERM handler reads it
    extractor = extractor or _EXTRACTOR
    if extractor is None:
        raise RuntimeError("worker used before its initializer ran")
    _JOB_STARTED = time.monotonic()
    try:
        outcome = extractor.extract(
            job.body,
            job.url,
            crawled_at=job.crawled_at,
            headers=job.headers,
            link_context=job.link_context,
            anchors=[Anchor(i, date.fromisoformat(d), s) for i, d, s in job.anchors],
        )
    except MemoryError:
        return Result(None, "too_large", "the page needed more memory than a worker may use")
    except Exception as err:
        logger.exception("extraction failed on %s", job.url)
        return Result(None, "extraction_error", f"{type(err).__name__}: {err}")
    finally:
        _JOB_STARTED = None
    return Result(outcome.record, outcome.skip_reason, outcome.detail)


def _warm_up() -> None:
    """Run the extraction stack once so lazy tables (dateparser's locales) are built before forking."""
    from datetime import UTC, datetime

    html = (
        "<html><body><article><h1>Warm up</h1><p>Am 4. Februar 2023 sagte der Minister, dass die Gespräche "
        "weitergehen würden, le 4 février 2023, el 4 de febrero de 2023.</p></article></body></html>"
    )
    ArticleExtractor().extract(html, "https://warm.invalid/a", now=datetime.now(UTC))


# --- in the crawling process -------------------------------------------------------------------


class ExtractionPool:
    """Extraction jobs in worker processes (or inline when ``settings.workers`` is 0)."""

    def __init__(self, options: ExtractOptions, settings: PoolSettings) -> None:
        self.options = options
        self.settings = settings
        self._pool: Any = None
        self._inline = ArticleExtractor(options) if settings.workers <= 0 else None
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: Any = None  # shared flag: set before the pool stops its workers

    def start(self) -> None:
        if self._inline is not None or self._pool is not None:
            return
        from pebble import ProcessPool

        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["euspider.workers_preload"])
        self._stopping = context.RawValue("b", 0)
        self._pool = ProcessPool(
            max_workers=self.settings.workers,
            max_tasks=self.settings.max_tasks,
            initializer=_init_worker,
            initargs=(self.options, self.settings.max_memory_mb, self._stopping, self.settings.timeout),
            context=context,
        )
        logger.info(
            "extraction pool: %d workers, %.0fs per page, replaced every %d pages",
            self.settings.workers,
            self.settings.timeout,
            self.settings.max_tasks,
        )

    async def extract(self, job: Job) -> Result:
        if self._inline is not None:
            return run_job(job, self._inline)
        if self._pool is None:
            self.start()
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.settings.in_flight), loop
        async with self._semaphore:  # backpressure: a bounded number of pages in the pool at once
            future = self._pool.schedule(run_job, args=(job,), timeout=self.settings.timeout)
            try:
                return await asyncio.wrap_future(future)
            except FutureTimeout:
                return Result(
                    None, "timeout", f"extraction ran past {self.settings.timeout:g}s; the worker was replaced"
                )
            except Exception as err:  # noqa: BLE001 - a worker that died (killed, out of memory) loses one page
                return Result(None, "worker_crashed", f"{type(err).__name__}: {err}")

    def close(self, timeout: float = 30.0) -> None:
        """Let running jobs finish, then stop the workers (killing any left after ``timeout``)."""
        if self._pool is None:
            return
        self._stopping.value = 1  # from now on the workers obey the pool's SIGTERM
        self._pool.close()
        try:
            self._pool.join(timeout=timeout)
        except TimeoutError:
            logger.warning("extraction workers still busy after %ss: stopping them", timeout)
            self._pool.stop()
            self._pool.join()
        self._pool = None
