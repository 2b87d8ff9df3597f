"""Spidermon monitors for euspider crawls (``EUSPIDER_SPIDERMON = True`` turns them on).

:class:`CrawlMonitorSuite` runs when the spider closes and fails the run on:

- too few stories (``EUSPIDER_MONITOR_MIN_ITEMS``): records extracted, plus stories the server
  answered ``304 Not Modified`` (a scheduled re-run that finds nothing new has still seen them);
- too large a share of records without a ``published`` date (``EUSPIDER_MONITOR_MAX_UNDATED``);
- boilerplate residue (``EUSPIDER_MONITOR_MAX_RESIDUE`` lines, 0 by default): a site redesign
  that breaks a profile;
- a rise in the share of records with a ``date_mismatch`` kind since the previous finished run
  in the crawl state (``EUSPIDER_MONITOR_MAX_MISMATCH_RISE``), read from that run's manifest;
- too large a share of pages that failed extraction (``EUSPIDER_MONITOR_MAX_FAILURES``):
  extraction errors, timeouts, crashed workers, oversized pages;
- records that do not validate against the record's JSON Schema (``EUSPIDER_MONITOR_MAX_INVALID``),
  checked by Spidermon's item validation pipeline (:class:`RecordValidationPipeline`).

Every figure comes from the crawl's stats (``euspider/...``, ``spidermon/validation/...``). When a
monitor fails, :class:`CountFailedMonitors` counts it in ``euspider/monitors/failed/<monitor>`` and
logs one error line naming it; Spidermon's own actions (e-mail, Slack, ...) can be added to the suite
as usual.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any, ClassVar

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.core.actions import Action

from . import config
from .pipelines import FAILURES
from .schema import SCHEMA_FILE, shipped_schema
from .state import StateError, open_state

logger = logging.getLogger(__name__)

# Spidermon 1.27 writes its results through Spider.log(), which Scrapy 2.19 deprecates: one warning
# per run that says nothing about the crawl (and counts in log_count/WARNING)
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", module="spidermon")

#: The record's JSON Schema, as shipped in the package. Spidermon's validation loads it by this
#: object path (``euspider.monitors.RECORD_SCHEMA``), which works from a zipped egg (scrapyd) too.
RECORD_SCHEMA = shipped_schema()


def _group(stats: Mapping[str, Any], name: str) -> dict[str, int]:
    prefix = f"euspider/{name}/"
    return {k.removeprefix(prefix): int(v) for k, v in stats.items() if k.startswith(prefix)}


def extracted_in(manifest: Mapping[str, Any]) -> int:
    """Records a finished run extracted, from its manifest's counts: every record its run pipeline
    decided on (new, changed, recrawled, unchanged, duplicate, already written), less the stories
    answered ``304 Not Modified``, which count as unchanged without being extracted."""
    counts = manifest.get("counts") or {}
    not_modified = int(counts.get("not_modified", 0))
    return sum(int(v) for k, v in counts.items() if k != "not_modified") - not_modified


def mismatch_rise(
    current: Mapping[str, int], extracted: int, previous: Mapping[str, int], previous_extracted: int
) -> dict[str, tuple[float, float]]:
    """(previous share, current share) of records per mismatch kind, for every kind either run has."""
    if extracted <= 0 or previous_extracted <= 0:
        return {}
    return {
        kind: (previous.get(kind, 0) / previous_extracted, current.get(kind, 0) / extracted)
        for kind in sorted(set(current) | set(previous))
    }


class EuspiderMonitor(Monitor):
    """Base: the crawl's thresholds and stats."""

    #: The name a failure is counted under (``euspider/monitors/failed/<slug>``).
    slug: ClassVar[str] = ""

    @property
    def thresholds(self) -> config.MonitorSettings:
        return config.load(self.data.crawler.settings.get).monitors

    def stat(self, key: str) -> int:
        return int(self.data.stats.get(key, 0) or 0)


@monitors.name("Stories")
class StoriesMonitor(EuspiderMonitor):
    slug = "items"

    @monitors.name("enough stories")
    def test_enough_stories(self) -> None:
        seen = self.stat("euspider/items/extracted") + self.stat("euspider/state/not_modified")
        minimum = self.thresholds.min_items
        self.assertGreaterEqual(
            seen, minimum, f"{seen} stories seen (records extracted, plus 304 Not Modified); "
            f"EUSPIDER_MONITOR_MIN_ITEMS={minimum}",
        )  # fmt: skip


@monitors.name("Dates")
class UndatedMonitor(EuspiderMonitor):
    slug = "undated"

    @monitors.name("share of records without a date")
    def test_undated_share(self) -> None:
        extracted = self.stat("euspider/items/extracted")
        if not extracted:
            self.skipTest("no records")
        undated = self.stat("euspider/published/unknown")
        limit = self.thresholds.max_undated
        self.assertLessEqual(
            undated / extracted, limit, f"{undated} of {extracted} records ({undated / extracted:.0%}) have no "
            f"published date; EUSPIDER_MONITOR_MAX_UNDATED={limit}",
        )  # fmt: skip


@monitors.name("Boilerplate")
class ResidueMonitor(EuspiderMonitor):
    slug = "residue"

    @monitors.name("boilerplate residue")
    def test_residue(self) -> None:
        lines = self.stat("euspider/boilerplate/residue")
        limit = self.thresholds.max_residue
        self.assertLessEqual(
            lines, limit, f"{lines} lines of boilerplate residue in the records (logged with their URLs); "
            f"EUSPIDER_MONITOR_MAX_RESIDUE={limit}",
        )  # fmt: skip


@monitors.name("Mismatches")
class MismatchRiseMonitor(EuspiderMonitor):
    slug = "mismatch_rise"

    def previous_manifest(self) -> dict[str, Any] | None:
        """The manifest of the last finished run that extracted records (a run that only saw
        ``304 Not Modified`` has no mismatch rate to compare with)."""
        settings = config.load(self.data.crawler.settings.get)
        crawler = self.data.crawler
        name = crawler.spidercls.name if crawler.spidercls else "crawl"
        if settings.state is None:
            self.skipTest("no crawl state (EUSPIDER_STATE): no previous run to compare with")
        from .incremental import RunPipeline

        pipeline = crawler.get_item_pipeline(RunPipeline)
        current = pipeline.run.run_id if pipeline is not None else None
        try:
            state = open_state(config.for_spider(settings.state, name), settings.redis_url)
        except StateError as err:
            self.skipTest(f"crawl state unreadable: {err}")
        try:
            manifests = state.finished_manifests(name, before=current)
        finally:
            state.close()
        return next((m for m in manifests if extracted_in(m) > 0), None)

    @monitors.name("rise in the mismatch rate since the previous run")
    def test_mismatch_rise(self) -> None:
        previous = self.previous_manifest()
        if previous is None:
            self.skipTest("no previous finished run with records in the crawl state")
        assert previous is not None
        shares = mismatch_rise(
            _group(self.data.stats, "mismatch"),
            self.stat("euspider/items/extracted"),
            previous.get("mismatches") or {},
            extracted_in(previous),
        )
        if not shares:
            self.skipTest("this run or the previous one extracted no records")
        limit = self.thresholds.max_mismatch_rise
        risen = {k: v for k, v in shares.items() if v[1] - v[0] > limit}
        detail = ", ".join(f"{k} {before:.0%} -> {now:.0%}" for k, (before, now) in risen.items())
        self.assertFalse(
            risen, f"mismatch rate rose since run {previous.get('run_id')}: {detail}; "
            f"EUSPIDER_MONITOR_MAX_MISMATCH_RISE={limit}",
        )  # fmt: skip


@monitors.name("Failures")
class FailuresMonitor(EuspiderMonitor):
    slug = "failures"

    @monitors.name("share of pages that failed extraction")
    def test_failures(self) -> None:
        dropped = _group(self.data.stats, "dropped")
        pages = self.stat("euspider/items/extracted") + sum(dropped.values())
        if not pages:
            self.skipTest("no pages reached the pipeline")
        failed = {k: v for k, v in dropped.items() if k in FAILURES}
        share = sum(failed.values()) / pages
        limit = self.thresholds.max_failures
        self.assertLessEqual(
            share, limit, f"{sum(failed.values())} of {pages} pages ({share:.0%}) failed: {failed}; "
            f"EUSPIDER_MONITOR_MAX_FAILURES={limit}",
        )  # fmt: skip


@monitors.name("Validation")
class ValidationMonitor(EuspiderMonitor):
    slug = "validation"

    @monitors.name("records valid against the JSON Schema")
    def test_valid(self) -> None:
        invalid = self.stat("spidermon/validation/items/errors")
        limit = self.thresholds.max_invalid
        self.assertLessEqual(
            invalid, limit, f"{invalid} records do not validate against the record's schema ({SCHEMA_FILE}) "
            f"(spidermon/validation/fields/errors/... name the fields); EUSPIDER_MONITOR_MAX_INVALID={limit}",
        )  # fmt: skip


class CountFailedMonitors(Action):
    """Count each failed monitor in ``euspider/monitors/failed/<monitor>`` and log one error line."""

    def __init__(self, crawler: Any = None) -> None:
        super().__init__()
        self.crawler = crawler

    @classmethod
    def from_crawler_kwargs(cls, crawler: Any) -> dict[str, Any]:
        return {"crawler": crawler}

    def run_action(self) -> None:
        failed = []
        for result in self.result.monitors_failed_results:
            monitor = result.monitor
            slug = getattr(monitor, "slug", "") or monitor.monitor_name
            failed.append(slug)
            if self.crawler is not None:
                self.crawler.stats.set_value(f"euspider/monitors/failed/{slug}", 1)
        if self.crawler is not None:
            self.crawler.stats.set_value("euspider/monitors/failed", len(failed))
        logger.error("the crawl failed its monitors: %s", ", ".join(failed))


class CountPassedMonitors(CountFailedMonitors):
    def run_action(self) -> None:
        if self.crawler is not None:
            self.crawler.stats.set_value("euspider/monitors/failed", 0)


class CrawlMonitorSuite(MonitorSuite):
    """euspider's monitors, run when the spider closes."""

    monitors: ClassVar[list[Any]] = [
        StoriesMonitor,
        UndatedMonitor,
        ResidueMonitor,
        MismatchRiseMonitor,
        FailuresMonitor,
        ValidationMonitor,
    ]
    monitors_failed_actions: ClassVar[list[Any]] = [CountFailedMonitors]
    monitors_passed_actions: ClassVar[list[Any]] = [CountPassedMonitors]


class RecordValidationPipeline(ItemValidationPipeline):
    """Spidermon's item validation, for euspider's records only (other items pass unchecked)."""

    def find_validators(self, item: Any) -> list[Any]:
        if isinstance(item, dict) and "schema_version" in item and "content_hash" in item:
            return super().find_validators(item)
        return []
