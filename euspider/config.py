"""The one place that reads and validates ``EUSPIDER_*`` settings.

Every setting is read once, when the crawl starts; a bad value raises :class:`ConfigError` naming the
setting, the value and what is allowed, before the first request. Components take the resulting plain
values (``ExtractOptions`` and friends), so they can be built in tests without a crawler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .dates import DateSettings
from .extract import ExtractOptions
from .frontier import FrontierSettings
from .neardup import NearDuplicateSettings
from .sites import Profile, ProfileError, builtin_profiles, load_profile_file
from .workers import PoolSettings, default_workers


class ConfigError(ValueError):
    """A setting with a value that cannot be used."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    doc: str


DEFAULT_MAX_PAGE_BYTES = 5_000_000


def page_bytes(value: Any) -> int:
    """``EUSPIDER_MAX_PAGE_BYTES`` checked (the add-on reads it before the crawl starts)."""
    return _int("EUSPIDER_MAX_PAGE_BYTES", value)


@dataclass(frozen=True)
class MonitorSettings:
    """Thresholds of euspider's Spidermon monitors (:mod:`euspider.monitors`)."""

    min_items: int = 1
    max_undated: float = 0.3
    max_residue: int = 0
    max_mismatch_rise: float = 0.2
    max_failures: float = 0.05
    max_invalid: int = 0
    #: What ``scrapy crawl`` exits with when the crawl failed its monitors (:mod:`euspider.commands.crawl`).
    exit_code: int = 1


#: Every setting the plugin reads, with its default; the README's settings table lists these.
SETTINGS: tuple[Setting, ...] = (
    Setting("EUSPIDER_ENABLED", True, "Turn the extraction pipeline on or off."),
    Setting(
        "EUSPIDER_MIN_WORDS",
        ExtractOptions.min_words,
        "Pages with fewer words of story text are dropped as `too_short`.",
    ),
    Setting(
        "EUSPIDER_MISMATCH_DAYS",
        DateSettings.mismatch_days,
        "Days two dates may differ and still agree (time zones, late edits).",
    ),
    Setting(
        "EUSPIDER_ARCHIVAL_DAYS",
        DateSettings.archival_days,
        "A story older than this at capture gets `date_mismatch` kind `archival`.",
    ),
    Setting(
        "EUSPIDER_ID_MARGIN_DAYS",
        DateSettings.id_margin_days,
        "Days added on each side of an article-ID bracket estimate.",
    ),
    Setting(
        "EUSPIDER_MIGRATION_DAYS",
        DateSettings.migration_days,
        "Sources this many days apart: the earliest well-attested date wins (byline, URL, or two sources "
        "agreeing; site migrations).",
    ),
    Setting(
        "EUSPIDER_MIN_DATE",
        DateSettings.min_date.isoformat(),
        "Publication dates before this are rejected as placeholders.",
    ),
    Setting(
        "EUSPIDER_ESTIMATE_MAX_DAYS",
        DateSettings.estimate_max_days,
        "An estimated publication range wider than this is kept as a bound, not published.",
    ),
    Setting("EUSPIDER_PROFILES", [], "Extra site profile files (TOML), added before the built-in ones."),
    Setting("EUSPIDER_MIRROR", None, "A mirror folder (with captures.json) to crawl instead of the live sites."),
    Setting(
        "EUSPIDER_RUN_DIR",
        None,
        "Folder for per-run output (`<spider>_<start>_<run id>.jsonl` and its `.manifest.json`), written "
        "crash-safe; used when no `-o`/`-O` feed is given, and always with `EUSPIDER_STATE`. `%(name)s` is the spider.",
    ),
    Setting(
        "EUSPIDER_STATE",
        None,
        "SQLite file remembering stories between runs (hashes, versions, ETag/Last-Modified): re-runs send "
        "conditional requests and write only new and changed stories. `%(name)s` is the spider. With "
        "`EUSPIDER_REDIS_URL`: `redis:<name>` (e.g. `redis:%(name)s`), the state in that Redis under "
        "`euspider-state:<name>`, shared by every worker and kept after the crawl; a SQLite file is refused there.",
    ),
    Setting("EUSPIDER_RECRAWL", False, "Ignore what the state remembers: fetch and write every story again."),
    Setting(
        "EUSPIDER_WARC_DIR",
        None,
        "Write every fetched response (with its request) to WARC 1.1 files in this folder; each record "
        "names its source in `warc`. `%(name)s` is the spider.",
    ),
    Setting("EUSPIDER_WARC_MAX_BYTES", 1_000_000_000, "A WARC file past this size is closed and the next one started."),
    Setting(
        "EUSPIDER_WORKERS",
        "auto",
        "Extraction worker processes: `auto` (one per core), a number, or 0 to extract in the crawling process.",
    ),
    Setting(
        "EUSPIDER_PAGE_TIMEOUT",
        PoolSettings.timeout,
        "Seconds one page may take to extract; past it the worker is killed and replaced, and the page "
        "is dropped as `timeout`.",
    ),
    Setting(
        "EUSPIDER_MAX_PAGE_BYTES",
        DEFAULT_MAX_PAGE_BYTES,
        "Bodies larger than this are not extracted (dropped as `too_large`); 0 for no limit.",
    ),
    Setting(
        "EUSPIDER_MAX_SITEMAP_BYTES",
        52_428_800,
        "Sitemaps may be this large (the sitemaps.org limit, 50 MiB), decompressed; other responses are "
        "limited by `DOWNLOAD_MAXSIZE`, which the add-on ties to `EUSPIDER_MAX_PAGE_BYTES`. 0 for no limit.",
    ),
    Setting(
        "EUSPIDER_RETRY_AFTER_MAX",
        60.0,
        "Longest `Retry-After` wait (seconds) honoured before a retry; a server asking for longer is given up on.",
    ),
    Setting("EUSPIDER_WORKER_MAX_TASKS", PoolSettings.max_tasks, "A worker is replaced after this many pages."),
    Setting(
        "EUSPIDER_WORKER_MAX_MEMORY_MB",
        PoolSettings.max_memory_mb,
        "Address-space cap of a worker (MB); a page that needs more is dropped as `too_large`. 0: no cap.",
    ),
    Setting(
        "EUSPIDER_DEPTH",
        FrontierSettings.max_depth,
        "Links followed this many hops from the start pages (pagination adds none); pages found in sitemaps "
        "and feeds are not followed further. Unset, a positive `DEPTH_LIMIT` is used.",
    ),
    Setting(
        "EUSPIDER_MAX_PAGES",
        FrontierSettings.max_pages,
        "Pages (stories, listings, feeds, sitemaps) a crawl admits; further links are counted "
        "(`euspider/leads/skipped/limit`) and not fetched. With `EUSPIDER_REDIS_URL`, for the whole "
        "crawl: all workers together.",
    ),
    Setting(
        "EUSPIDER_STORY_HOLD",
        FrontierSettings.hold,
        "Seconds a story may wait for the feeds and listings found before it to be read (their dates beside "
        "its link reach its evidence) before it is fetched anyway.",
    ),
    Setting(
        "EUSPIDER_STORY_BACKLOG",
        FrontierSettings.backlog,
        "Stories that may wait so; with more waiting, the oldest batch is fetched at once.",
    ),
    Setting(
        "EUSPIDER_MAX_IN_FLIGHT",
        PoolSettings.max_in_flight,
        "Pages handed to the workers at once (backpressure); 0 means twice the number of workers.",
    ),
    Setting(
        "EUSPIDER_EXTRACT_CALLBACKS",
        [],
        "Callbacks whose responses are handed to the pipeline as pages, for spiders that cannot be edited: "
        "method names (`parse` for requests without a callback), or `*` for every callback.",
    ),
    Setting(
        "EUSPIDER_SPIDERMON",
        False,
        "Turn Spidermon on with euspider's monitor suite (`euspider.monitors.CrawlMonitorSuite`) and item "
        "validation against the record's JSON Schema.",
    ),
    Setting(
        "EUSPIDER_MONITOR_MIN_ITEMS",
        MonitorSettings.min_items,
        "The monitors fail a run that saw fewer stories (records extracted, plus stories answered `304 Not Modified`).",
    ),
    Setting(
        "EUSPIDER_MONITOR_MAX_UNDATED",
        MonitorSettings.max_undated,
        "The monitors fail a run whose share of records without a `published` date is larger (0 to 1).",
    ),
    Setting(
        "EUSPIDER_MONITOR_MAX_RESIDUE",
        MonitorSettings.max_residue,
        "The monitors fail a run with more lines of boilerplate residue than this (`euspider/boilerplate/residue`).",
    ),
    Setting(
        "EUSPIDER_MONITOR_MAX_MISMATCH_RISE",
        MonitorSettings.max_mismatch_rise,
        "The monitors fail a run whose share of records with a `date_mismatch` kind rose by more than this "
        "(0 to 1) since the previous finished run in `EUSPIDER_STATE`.",
    ),
    Setting(
        "EUSPIDER_MONITOR_MAX_FAILURES",
        MonitorSettings.max_failures,
        "The monitors fail a run whose share of pages that failed extraction (`extraction_error`, `timeout`, "
        "`worker_crashed`, `too_large`) is larger (0 to 1).",
    ),
    Setting(
        "EUSPIDER_MONITOR_MAX_INVALID",
        MonitorSettings.max_invalid,
        "The monitors fail a run with more records that do not validate against the record's JSON Schema.",
    ),
    Setting(
        "EUSPIDER_MONITOR_EXIT_CODE",
        MonitorSettings.exit_code,
        "The exit code of `scrapy crawl` when the crawl failed its monitors, with "
        '`COMMANDS_MODULE = "euspider.commands"` (this project sets it); 0 keeps Scrapy\'s rule (exit 0).',
    ),
    Setting(
        "EUSPIDER_REPORT",
        False,
        "Write the crawl report (HTML) when the crawl ends: `True` for `<output>.report.html` beside the run's "
        "output file, or a file path (`%(name)s` is the spider).",
    ),
    Setting(
        "EUSPIDER_NEARDUP_ENABLED",
        NearDuplicateSettings.enabled,
        "Look for near-duplicate stories (MinHash over word 5-grams) and name the earlier record in "
        "`near_duplicate_of`.",
    ),
    Setting(
        "EUSPIDER_REDIS_URL",
        None,
        "`redis://host:port/db`: run the `euobserver`, `news` or `warc` spider as one of several workers of a "
        "crawl shared through this Redis (scrapy-redis scheduler and dupefilter, leads, anchors, WARC files, "
        "and the crawl state with `EUSPIDER_STATE=redis:<name>`); see the README's Distributed crawling.",
    ),
    Setting(
        "EUSPIDER_REDIS_WORKER_TIMEOUT",
        60.0,
        "Seconds without a heartbeat after which a worker counts as dead and the others take back its "
        "leads, requests and WARC file (heartbeats go every quarter of this).",
    ),
    Setting(
        "EUSPIDER_NEARDUP_THRESHOLD",
        NearDuplicateSettings.threshold,
        "Estimated Jaccard similarity (0 to 1) from which a story is a near copy of an earlier one.",
    ),
    Setting(
        "EUSPIDER_NEARDUP_DROP",
        NearDuplicateSettings.drop,
        "Drop near copies instead of writing them with `near_duplicate_of` (counted in "
        "`euspider/neardup/dropped`, logged with the URL of both).",
    ),
    Setting(
        "EUSPIDER_NEARDUP_INDEX",
        NearDuplicateSettings.index,
        "The near-duplicate index (SQLite) to keep across runs, e.g. one for several spiders. Default: "
        "beside `EUSPIDER_STATE` (`<state>.neardup.sqlite`), or a temporary file for the run without a "
        "state; with `EUSPIDER_REDIS_URL`, in Redis, one for all workers (beside a state in Redis, kept "
        "across crawls; else the crawl's). `%(name)s` is the spider.",
    ),
)


def monitor_exit_code(settings: Mapping[str, Any]) -> int:
    """``EUSPIDER_MONITOR_EXIT_CODE``: what ``scrapy crawl`` exits with when the crawl failed its monitors."""
    value = settings.get("EUSPIDER_MONITOR_EXIT_CODE", MonitorSettings.exit_code)
    code = _int("EUSPIDER_MONITOR_EXIT_CODE", value)
    if code > 255:
        raise ConfigError(f"EUSPIDER_MONITOR_EXIT_CODE={value!r}: expected an exit code from 0 to 255")
    return code


def _int(name: str, value: Any, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r}: expected an integer >= {minimum}") from None
    if number < minimum:
        raise ConfigError(f"{name}={value!r}: expected an integer >= {minimum}")
    return number


def _float(name: str, value: Any, *, zero: bool = False) -> float:
    expected = f"expected a number of seconds {'>= 0' if zero else '> 0'}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r}: {expected}") from None
    if number < 0 or (number == 0 and not zero):
        raise ConfigError(f"{name}={value!r}: {expected}")
    return number


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r}: expected true or false")


def _share(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r}: expected a share between 0 and 1") from None
    if not 0 <= number <= 1:
        raise ConfigError(f"{name}={value!r}: expected a share between 0 and 1")
    return number


def _threshold(name: str, value: Any) -> float:
    number = _share(name, value)
    if number == 0:
        raise ConfigError(f"{name}={value!r}: expected a share above 0 and at most 1 (0 would pair every story)")
    return number


def _report(value: Any) -> bool | Path:
    """``EUSPIDER_REPORT``: off, beside the output (True), or a path."""
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in {"", "0", "false", "no", "off", "none"}:
        return False
    if text.lower() in {"1", "true", "yes", "on"}:
        return True
    return Path(text)


def _redis_url(value: Any) -> str | None:
    """``EUSPIDER_REDIS_URL``: off when empty, else a ``redis://`` (or ``rediss://``, ``unix://``) URL."""
    text = str(value or "").strip()
    if not text:
        return None
    if not text.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"EUSPIDER_REDIS_URL={text!r}: expected redis://host:port/db")
    return text


def _date(name: str, value: Any) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{name}={value!r}: expected a date YYYY-MM-DD") from None


def _list(name: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{name}={value!r}: expected a list of file paths")


def _names(name: str, value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise ConfigError(f"{name}={value!r}: expected a list of callback names (or `*`)")


@dataclass(frozen=True)
class Config:
    enabled: bool
    extract: ExtractOptions
    mirror: Path | None
    pool: PoolSettings
    max_page_bytes: int
    run_dir: Path | None
    state: Path | None
    recrawl: bool
    warc_dir: Path | None
    warc_max_bytes: int
    frontier: FrontierSettings
    extract_callbacks: frozenset[str] = frozenset()
    spidermon: bool = False
    monitors: MonitorSettings = MonitorSettings()
    report: bool | Path = False
    neardup: NearDuplicateSettings = NearDuplicateSettings()
    max_sitemap_bytes: int = 52_428_800
    retry_after_max: float = 60.0
    redis_url: str | None = None
    redis_worker_timeout: float = 60.0


def for_spider(path: Path, spider: str) -> Path:
    """A path setting with ``%(name)s`` replaced by the spider's name."""
    return Path(str(path).replace("%(name)s", spider))


def load(get: Callable[[str, Any], Any] | Mapping[str, Any]) -> Config:
    """Read and check every ``EUSPIDER_*`` setting (``get`` is e.g. ``crawler.settings.get``)."""
    getter = get.get if isinstance(get, Mapping) else get
    values = {s.name: getter(s.name, s.default) for s in SETTINGS}
    values = {k: (v if v is not None else next(s.default for s in SETTINGS if s.name == k)) for k, v in values.items()}
    dates = DateSettings(
        mismatch_days=_int("EUSPIDER_MISMATCH_DAYS", values["EUSPIDER_MISMATCH_DAYS"]),
        archival_days=_int("EUSPIDER_ARCHIVAL_DAYS", values["EUSPIDER_ARCHIVAL_DAYS"], 1),
        id_margin_days=_int("EUSPIDER_ID_MARGIN_DAYS", values["EUSPIDER_ID_MARGIN_DAYS"]),
        migration_days=_int("EUSPIDER_MIGRATION_DAYS", values["EUSPIDER_MIGRATION_DAYS"], 1),
        min_date=_date("EUSPIDER_MIN_DATE", values["EUSPIDER_MIN_DATE"]),
        estimate_max_days=_int("EUSPIDER_ESTIMATE_MAX_DAYS", values["EUSPIDER_ESTIMATE_MAX_DAYS"], 1),
    )
    extra: list[Profile] = []
    for path in _list("EUSPIDER_PROFILES", values["EUSPIDER_PROFILES"]):
        try:
            extra.append(load_profile_file(path))
        except ProfileError as err:
            raise ConfigError(f"EUSPIDER_PROFILES: {err}") from err
    mirror = values["EUSPIDER_MIRROR"]
    mirror_path = None
    if mirror:
        mirror_path = Path(str(mirror))
        if not (mirror_path / "captures.json").is_file():
            raise ConfigError(f"EUSPIDER_MIRROR={str(mirror)!r}: not a mirror folder (no captures.json in it)")
    workers = values["EUSPIDER_WORKERS"]
    pool = PoolSettings(
        workers=default_workers() if str(workers).strip().lower() == "auto" else _int("EUSPIDER_WORKERS", workers),
        timeout=_float("EUSPIDER_PAGE_TIMEOUT", values["EUSPIDER_PAGE_TIMEOUT"]),
        max_tasks=_int("EUSPIDER_WORKER_MAX_TASKS", values["EUSPIDER_WORKER_MAX_TASKS"], 1),
        max_memory_mb=_int("EUSPIDER_WORKER_MAX_MEMORY_MB", values["EUSPIDER_WORKER_MAX_MEMORY_MB"]),
        max_in_flight=_int("EUSPIDER_MAX_IN_FLIGHT", values["EUSPIDER_MAX_IN_FLIGHT"]),
    )
    frontier = FrontierSettings(
        max_depth=_int("EUSPIDER_DEPTH", values["EUSPIDER_DEPTH"]),
        max_pages=_int("EUSPIDER_MAX_PAGES", values["EUSPIDER_MAX_PAGES"], 1),
        hold=_float("EUSPIDER_STORY_HOLD", values["EUSPIDER_STORY_HOLD"], zero=True),
        backlog=_int("EUSPIDER_STORY_BACKLOG", values["EUSPIDER_STORY_BACKLOG"]),
    )
    return Config(
        frontier=frontier,
        run_dir=Path(str(values["EUSPIDER_RUN_DIR"])) if values["EUSPIDER_RUN_DIR"] else None,
        state=Path(str(values["EUSPIDER_STATE"])) if values["EUSPIDER_STATE"] else None,
        recrawl=_bool("EUSPIDER_RECRAWL", values["EUSPIDER_RECRAWL"]),
        warc_dir=Path(str(values["EUSPIDER_WARC_DIR"])) if values["EUSPIDER_WARC_DIR"] else None,
        warc_max_bytes=_int("EUSPIDER_WARC_MAX_BYTES", values["EUSPIDER_WARC_MAX_BYTES"], 1),
        pool=pool,
        max_page_bytes=page_bytes(values["EUSPIDER_MAX_PAGE_BYTES"]),
        max_sitemap_bytes=_int("EUSPIDER_MAX_SITEMAP_BYTES", values["EUSPIDER_MAX_SITEMAP_BYTES"]),
        retry_after_max=_float("EUSPIDER_RETRY_AFTER_MAX", values["EUSPIDER_RETRY_AFTER_MAX"]),
        redis_url=_redis_url(values["EUSPIDER_REDIS_URL"]),
        redis_worker_timeout=_float("EUSPIDER_REDIS_WORKER_TIMEOUT", values["EUSPIDER_REDIS_WORKER_TIMEOUT"]),
        enabled=_bool("EUSPIDER_ENABLED", values["EUSPIDER_ENABLED"]),
        extract=ExtractOptions(
            min_words=_int("EUSPIDER_MIN_WORDS", values["EUSPIDER_MIN_WORDS"]),
            dates=dates,
            profiles=(*extra, *builtin_profiles()) if extra else None,
        ),
        mirror=mirror_path,
        extract_callbacks=_names("EUSPIDER_EXTRACT_CALLBACKS", values["EUSPIDER_EXTRACT_CALLBACKS"]),
        spidermon=_bool("EUSPIDER_SPIDERMON", values["EUSPIDER_SPIDERMON"]),
        monitors=MonitorSettings(
            min_items=_int("EUSPIDER_MONITOR_MIN_ITEMS", values["EUSPIDER_MONITOR_MIN_ITEMS"]),
            max_undated=_share("EUSPIDER_MONITOR_MAX_UNDATED", values["EUSPIDER_MONITOR_MAX_UNDATED"]),
            max_residue=_int("EUSPIDER_MONITOR_MAX_RESIDUE", values["EUSPIDER_MONITOR_MAX_RESIDUE"]),
            max_mismatch_rise=_share(
                "EUSPIDER_MONITOR_MAX_MISMATCH_RISE", values["EUSPIDER_MONITOR_MAX_MISMATCH_RISE"]
            ),
            max_failures=_share("EUSPIDER_MONITOR_MAX_FAILURES", values["EUSPIDER_MONITOR_MAX_FAILURES"]),
            max_invalid=_int("EUSPIDER_MONITOR_MAX_INVALID", values["EUSPIDER_MONITOR_MAX_INVALID"]),
            exit_code=monitor_exit_code(values),
        ),
        report=_report(values["EUSPIDER_REPORT"]),
        neardup=NearDuplicateSettings(
            enabled=_bool("EUSPIDER_NEARDUP_ENABLED", values["EUSPIDER_NEARDUP_ENABLED"]),
            threshold=_threshold("EUSPIDER_NEARDUP_THRESHOLD", values["EUSPIDER_NEARDUP_THRESHOLD"]),
            drop=_bool("EUSPIDER_NEARDUP_DROP", values["EUSPIDER_NEARDUP_DROP"]),
            index=Path(str(values["EUSPIDER_NEARDUP_INDEX"])) if values["EUSPIDER_NEARDUP_INDEX"] else None,
        ),
    )
