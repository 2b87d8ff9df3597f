"""Imported once by the worker pool's forkserver: load and warm the extraction stack before any
worker is forked from it, so each worker starts in milliseconds with warm caches.

The forkserver ignores SIGTERM (it already ignores SIGINT): a service manager's stop reaches every
process of the crawl, and a forkserver gone would leave the pool unable to replace a worker while the
crawl finishes its downloaded pages. It ends by itself when the crawling process exits. Workers forked
from it start with both signals ignored until the pool's own handlers are in place.
"""

from .workers import _warm_up, ignore_stop_signals

ignore_stop_signals()
_warm_up()
