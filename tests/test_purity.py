"""The pure modules (extraction, dates, links, items) import neither Scrapy nor Twisted."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "euspider.extract",
    "euspider.dates",
    "euspider.links",
    "euspider.items",
    "euspider.discovery",
    "euspider.mirror",
    "euspider.boilerplate",
    "euspider.schema",
    "euspider.capture",
    "euspider.report",
    "euspider.reference",
    "euspider.language",
    "euspider.neardup",
    "euspider.arrow",
    "euspider.card",
    "euspider.urlfilter",
    "euspider.canonical",
    "euspider.urls",
    "euspider.pagetype",
    "euspider.frontier",
    "euspider.store",
    "euspider.store.sqlite",
]


@pytest.mark.parametrize("module", PURE)
def test_no_scrapy_in_pure_module(module):
    code = f"import sys, {module}; bad = [m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')]; print(bad); sys.exit(1 if bad else 0)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
