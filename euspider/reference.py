"""The one reference: every setting, request meta key, stat, output field and command, in one place.

Settings are declared in :data:`euspider.config.SETTINGS`, output fields in :mod:`euspider.items`
(through :mod:`euspider.schema`), commands in :func:`euspider.__main__.build_parser`; the meta keys
and stats are declared here. :func:`document` renders them all as Markdown: ``python -m euspider
reference`` prints it (``docs/reference.md``), and the README embeds the settings, stats and meta key
tables between ``<!-- reference:NAME -->`` markers. A test keeps the files equal to what this module
renders, and checks the declarations against what the code reads, sets and counts.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from . import config


@dataclass(frozen=True)
class MetaKey:
    name: str
    set_by: str
    doc: str


@dataclass(frozen=True)
class Stat:
    #: One or more stat names sharing a meaning; ``<...>`` stands for a value named in ``doc``.
    names: tuple[str, ...]
    doc: str


META_KEYS: tuple[MetaKey, ...] = (
    MetaKey(
        "euspider_kind",
        "spiders",
        "`robots`, `sitemap`, `feed`, `listing` or `article` (a page to extract: a story, or on a site without a "
        "profile any page)",
    ),
    MetaKey("euspider_depth", "spiders", "links followed from the start pages to this one"),
    MetaKey("euspider_lead", "spiders", "the lead (canonical URL) a request fetches"),
    MetaKey(
        "euspider_process",
        "spiders",
        "the crawling process that made the request; a resumed crawl ignores requests an earlier process left in "
        "`JOBDIR`",
    ),
    MetaKey(
        "euspider_probe",
        "spiders",
        "a guessed standard address (robots.txt, `/sitemap.xml`, `/feed/`): its absence is counted, not a failure",
    ),
    MetaKey(
        "euspider_link_context",
        "spiders",
        "dates the linking pages show for this URL (`source`, `raw`, `via`)",
    ),
    MetaKey(
        "euspider_anchors",
        "spiders",
        "(id, day, source) of the nearest dated story IDs",
    ),
    MetaKey(
        "euspider_extract",
        "any spider or middleware",
        "true: hand this response to the pipeline as a page; false: never (wins over `EUSPIDER_EXTRACT_CALLBACKS`)",
    ),
    MetaKey("euspider_original_url", "mirror middleware", "the site's URL of a request re-issued to the mirror server"),
    MetaKey(
        "euspider_warc",
        "`warc` spider, WARC writer",
        '`{"file", "offset"}` of the archived response (the record\'s `warc` field)',
    ),
    MetaKey(
        "euspider_warc_written",
        "WARC writer",
        "the response was written to a WARC file (a request made again with its meta is not answered from it)",
    ),
    MetaKey(
        "euspider_crawled_at",
        "capture-time middleware, WARC replay",
        "the response's capture time, decided once when it arrives (the fetch, an archive's `Memento-Datetime`, "
        "a replayed record's `WARC-Date`); the WARC-Date and the record's `crawled_at`",
    ),
)

STATS: tuple[Stat, ...] = (
    Stat(("euspider/items/extracted",), "records written by the pipeline"),
    Stat(
        ("euspider/dropped/<reason>",),
        "pages dropped, by reason: `empty_body`, `not_html`, `undecodable`, `unparseable`, `no_main_text`, "
        "`listing`, `repetitive`, `too_short`; and failures, logged as warnings with the URL: `too_large`, "
        "`timeout`, `worker_crashed`, `extraction_error`",
    ),
    Stat(
        ("euspider/refused/<reason>",),
        "requests and redirects refused before they were sent (see the README's Safety and failure behaviour): "
        "`scheme`, `malformed`, `credentials`, `private_address`, `offsite`, `redirect_loop`, `redirect_limit`",
    ),
    Stat(
        ("euspider/download/<reason>",),
        "downloads that failed for good, logged with the URL: `timeout`, `too_large` (past `DOWNLOAD_MAXSIZE`, "
        "also while inflating), `truncated` (a compressed body cut short), `data_loss` (fewer bytes than "
        "`Content-Length`), `connection_lost`, `connection_refused`, `dns`, `failed`",
    ),
    Stat(
        ("euspider/download/retry_after", "euspider/download/retry_after_too_long"),
        "retries that waited for `Retry-After`; responses given up on because it asked for more than "
        "`EUSPIDER_RETRY_AFTER_MAX`",
    ),
    Stat(
        ("euspider/published/<family>",),
        "how `published` was found: `visible`, `url`, `structured`, `meta`, `link`, `page-ld`, `htmldate`, "
        "`page`, `estimate`, or `unknown`",
    ),
    Stat(("euspider/mismatch/<kind>",), "records with that `date_mismatch` kind"),
    Stat(("euspider/paywall/truncated",), "records whose text a paywall cut"),
    Stat(("euspider/boilerplate/removed/<kind>",), "page parts removed, by kind"),
    Stat(
        ("euspider/boilerplate/residue",),
        "lines left in the text that still look like boilerplate (also logged as a warning with the URL)",
    ),
    Stat(
        ("euspider/language/<source>",),
        "records by `language_source`: `agree`, `markup`, `detected`, `conflict` (a declaration the text "
        "contradicts), or `unknown` (no language)",
    ),
    Stat(("euspider/neardup/found",), "records written with `near_duplicate_of` (a near copy of an earlier record)"),
    Stat(("euspider/neardup/dropped",), "near copies dropped by `EUSPIDER_NEARDUP_DROP` (each logged with both URLs)"),
    Stat(("euspider/discovery/feed", "euspider/discovery/listing"), "feeds and (profile) listing pages read"),
    Stat(("euspider/discovery/sitemap", "euspider/discovery/robots"), "sitemaps and robots.txt files read"),
    Stat(
        ("euspider/discovery/page",),
        "pages of sites without a profile read for links (and handed to the extractor)",
    ),
    Stat(
        ("euspider/discovery/failed", "euspider/discovery/bad_feed", "euspider/discovery/bad_sitemap"),
        "discovery pages that failed, feeds and sitemaps that were not XML",
    ),
    Stat(
        ("euspider/discovery/absent",),
        "guessed standard addresses (robots.txt, `/sitemap.xml`, `/feed/`) the site does not have",
    ),
    Stat(("euspider/discovery/sitemap_old",), "sitemap entries skipped for a `lastmod` before `-a since=`"),
    Stat(("euspider/leads/new",), "URLs added to the lead store"),
    Stat(
        ("euspider/leads/skipped/<reason>",),
        "links not fetched: `asset`, `furniture` (tag, author, login, search, share, print, legal pages, comment "
        "feeds), `offsite`, `not_http`, `limit` (`EUSPIDER_MAX_PAGES` reached, logged once)",
    ),
    Stat(
        ("euspider/leads/alias",),
        "pages naming another same-site page as canonical, met by the news spiders (that page is fetched too)",
    ),
    Stat(
        ("euspider/leads/unparseable",),
        "fetched HTML that could not be parsed for links (the extractor still judges the page)",
    ),
    Stat(
        ("euspider/leads/repeat", "euspider/leads/stale", "euspider/leads/lost"),
        "a page fetched again after a resume or a redirect to a page read already (skipped); a request an earlier "
        "process left in `JOBDIR` (ignored: the lead store issues it again); requests that never came back (logged)",
    ),
    Stat(
        ("euspider/dedupe/duplicate", "euspider/dedupe/alias"),
        "records not written because another URL of the run carries the same text; alias records (their page "
        "names another page of the site as canonical), written only if that page gives no story; both logged "
        "with both URLs",
    ),
    Stat(
        ("euspider/mirror/missing",),
        "requests for URLs the mirror does not hold (answered 404 by the mirror)",
    ),
    Stat(
        ("euspider/state/new", "euspider/state/changed", "euspider/state/unchanged", "euspider/state/duplicate"),
        "with `EUSPIDER_STATE`: stories written as version 1, as a new version, not written (same text), not "
        "written (same text as another URL)",
    ),
    Stat(("euspider/state/not_modified",), "stories answered `304 Not Modified` (also counted as unchanged)"),
    Stat(("euspider/state/recrawled",), "unchanged stories written again by `EUSPIDER_RECRAWL`"),
    Stat(
        ("euspider/state/superseded",),
        "with a state in Redis: records whose commit found a later version of the story stored by another "
        "worker (the state keeps the later one; logged with a URL)",
    ),
    Stat(
        ("euspider/state/already_written", "euspider/state/already_done"),
        "a continued run skipping stories it dealt with (wrote, or found unchanged or duplicate) before it "
        "stopped (record dropped, request not sent)",
    ),
    Stat(("euspider/warc/records",), "records read from archives by the `warc` spider"),
    Stat(
        ("euspider/warc/skipped/<reason>",),
        "archive records that are not pages to extract: `revisit`, `truncated`, `not_200`, `not_html`; and "
        "damage, logged with file, offset and URL: `bad_length` (a record whose Content-Length lies), "
        "`malformed` (bytes that are no record)",
    ),
    Stat(
        ("euspider/warc/discovery/feed", "euspider/warc/discovery/sitemap", "euspider/warc/discovery/listing"),
        "archived pages read for the dates beside their links",
    ),
    Stat(
        ("euspider/warc/files_failed", "euspider/warc/unreadable"),
        "archive files that could not be read any further (reading stopped there), records that could not be read back",
    ),
    Stat(("euspider/warc/written",), "responses written to WARC files (`EUSPIDER_WARC_DIR`)"),
    Stat(
        ("euspider/warc/files/discovery", "euspider/warc/files/stories", "euspider/warc/records_done_before"),
        "with `EUSPIDER_REDIS_URL`: WARC files this worker took from the crawl's lists and read for their "
        "discovery pages, and for their stories; records skipped because a worker that died had done them",
    ),
    Stat(
        ("euspider/redis/workers_reaped", "euspider/redis/requeued", "euspider/redis/files_requeued"),
        "with `EUSPIDER_REDIS_URL`: silent workers this worker found dead, and the leads and requests, and the "
        "WARC files, they held that went back to the crawl's queue and lists",
    ),
    Stat(
        ("euspider/redis/tick_errors",),
        "with `EUSPIDER_REDIS_URL`: periodic calls (taking leads, waking the engine) that failed on a Redis "
        "error, logged; the next tick (every quarter of `EUSPIDER_REDIS_WORKER_TIMEOUT`) tries again",
    ),
    Stat(
        ("euspider/extract/responses",),
        "responses handed to the pipeline by `EUSPIDER_EXTRACT_CALLBACKS` or the `euspider_extract` meta key",
    ),
    Stat(
        ("euspider/monitors/failed",),
        "with `EUSPIDER_SPIDERMON`: how many of euspider's monitors failed the run (0 when all passed)",
    ),
    Stat(
        ("euspider/monitors/failed/<monitor>",),
        "a monitor that failed: `items`, `undated`, `residue`, `mismatch_rise`, `failures`, `validation`",
    ),
)


def stat_pattern(name: str) -> re.Pattern[str]:
    """A documented stat name as a regex (``<...>`` matches one path segment)."""
    parts = re.split(r"(<[a-z]+>)", name)
    return re.compile("".join("[^/]+" if p.startswith("<") else re.escape(p) for p in parts) + "$")


def documented_stat(name: str) -> bool:
    return any(stat_pattern(n).match(name) for stat in STATS for n in stat.names)


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule(columns: int) -> str:
    return "|" + "---|" * columns


def settings_table() -> str:
    rows = [_row("setting", "default", "meaning"), _rule(3)]
    rows += [_row(f"`{s.name}`", f"`{s.default!r}`", s.doc) for s in config.SETTINGS]
    return "\n".join(rows)


def stats_table() -> str:
    rows = [_row("stat", "meaning"), _rule(2)]
    rows += [_row(", ".join(f"`{n}`" for n in s.names), s.doc) for s in STATS]
    return "\n".join(rows)


def meta_table() -> str:
    rows = [_row("key", "set by", "meaning"), _rule(3)]
    rows += [_row(f"`{m.name}`", m.set_by, m.doc) for m in META_KEYS]
    return "\n".join(rows)


def commands() -> str:
    """Each ``python -m euspider`` command with its help, as argparse prints it (100 columns)."""
    from .__main__ import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {action.dest: action.help for action in sub._choices_actions}
    parts = []
    for name, command in sub.choices.items():
        command.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=100)
        text = command.format_help().rstrip()
        about = helps.get(name) or ""
        parts.append(f"### `python -m euspider {name}`\n\n{about[:1].upper()}{about[1:]}.\n\n```\n{text}\n```")
    return "\n\n".join(parts)


#: The README's generated blocks: ``<!-- reference:NAME -->`` ... ``<!-- /reference:NAME -->``.
def _fields() -> str:
    from .schema import field_table

    return field_table()


README_BLOCKS = {"fields": _fields, "settings": settings_table, "stats": stats_table, "meta": meta_table}


def document() -> str:
    """docs/reference.md."""
    from .schema import field_table

    return "\n".join(
        [
            "# euspider reference",
            "",
            "Generated by `python -m euspider reference > docs/reference.md` from the code that declares each",
            "item (`euspider/config.py`, `euspider/reference.py`, `euspider/items.py`, `euspider/__main__.py`);",
            "a test fails when this file, or the README's tables, differ from it.",
            "",
            "## Settings",
            "",
            "Set them as any Scrapy setting (`settings.py`, `-s NAME=VALUE`, a spider's `custom_settings`).",
            "",
            settings_table(),
            "",
            "## Request meta keys",
            "",
            meta_table(),
            "",
            "## Stats",
            "",
            stats_table(),
            "",
            "## Output record",
            "",
            "One JSON line per story; the JSON Schema ships as `euspider/schema/article-1.schema.json`.",
            "",
            field_table(),
            "",
            "## Command line",
            "",
            commands(),
            "",
        ]
    )


def update_readme(text: str) -> str:
    """``text`` with every generated block rendered anew."""
    for name, render in README_BLOCKS.items():
        pattern = re.compile(rf"(<!-- reference:{name} -->\n).*?(\n<!-- /reference:{name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"the README has no <!-- reference:{name} --> block")
        text = pattern.sub(lambda m, r=render: m.group(1) + r() + m.group(2), text)
    return text
