"""Imported once by the worker pool's forkserver: load and warm the extraction stack before any
worker is forked from it, so each worker starts in milliseconds with warm caches."""

from .workers import _warm_up

_warm_up()
