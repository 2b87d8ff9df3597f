"""The records euspider emits, as typed dataclasses.

No logic lives here. Each field's ``doc`` metadata is the single description of that field: the
JSON Schema shipped in ``euspider/schema/`` and the field table in the README are generated from it
(``python -m euspider schema``), and a test keeps them in step.

``Article`` is what the pipeline writes and what :func:`euspider.extract_article` returns (as a dict
in this field order). ``Page`` is what a spider hands to the pipeline: the raw capture, before any
extraction.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field
from datetime import datetime
from typing import Any

#: Bumped on any change to the record's fields: major when a field is removed or changes meaning,
#: minor when a field is added.
SCHEMA_VERSION = "1.3"


def doc(text: str, *, default: Any = MISSING, default_factory: Any = MISSING, **schema: Any) -> Any:
    """A dataclass field carrying its documentation (and optional JSON Schema keywords)."""
    meta = {"doc": text, **schema}
    return field(default=default, default_factory=default_factory, metadata=meta)


@dataclass
class DateEvidence:
    """One candidate date seen while dating a page, kept whether or not it was used."""

    source: str = doc(
        "Where the date was found, e.g. `json-ld:datePublished`, `meta:article:published_time`, "
        "`time:article`, `byline`, `dateline`, `url`, `banner`, `http:date`, `http:last-modified`, "
        "`capture`, `link:rss`, `link:listing`, `link:sitemap`, `htmldate` (its search of the page "
        "without chrome), `htmldate:whole` (of the whole page), `estimate:id-bracket`, `estimate:weekday`."
    )
    role: str = doc(
        "What the date claims to be: `published`, `modified`, `stamp` (a date the page displays "
        "that is not tied to the story), `capture`, or `bound` (a limit, not a value).",
        enum=["published", "modified", "stamp", "capture", "bound"],
    )
    raw: str = doc("The text or attribute value the date was read from, as found (cut at 200 characters).")
    value: str | None = doc(
        "The parsed date: ISO 8601 datetime with offset, date (`YYYY-MM-DD`), month (`YYYY-MM`) or "
        "year; for an estimate, its earliest day. Null when the raw text could not be parsed."
    )
    accepted: bool = doc("Whether the resolver used this candidate for the field its role names.")
    reason: str = doc("Why the candidate was accepted or rejected, in words.")
    latest: str | None = doc("For a range (an estimate or a bound), its last possible day; else null.", default=None)


@dataclass
class DateMismatch:
    """How the page's dates disagree with each other; absent (null) when they are consistent."""

    kind: str = doc(
        "The main disagreement: `stamp_not_publication` (the date the page displays is not the "
        "story's), `archival` (the story is much older than its capture), `future_date_rejected` "
        "(a publication date later than the capture was refused), `modified_not_published` (the "
        "page dates an update, not the first publication).",
        enum=["stamp_not_publication", "archival", "future_date_rejected", "modified_not_published"],
    )
    kinds: list[str] = doc("Every disagreement found, the main one first.", default_factory=list)
    stamp: str | None = doc("The page's displayed date stamp (`page_date_stamp`), if any.", default=None, format="date")
    published: str | None = doc("The resolved publication date (earliest day for a range), if any.", default=None)
    crawled_at: str | None = doc("The capture time the dates were compared with.", default=None, format="date-time")
    gap_days: int | None = doc(
        "Days between the story's publication (earliest possible day) and the stamp, or the capture "
        "when there is no stamp; null when the publication date is unknown.",
        default=None,
    )
    detail: str = doc("A sentence a person can read, saying what disagrees and why.", default="")


@dataclass
class Boilerplate:
    """What was removed from the page to get the story text, and what may have slipped through."""

    removed: dict[str, int] = doc(
        "Count of removed page parts by kind (e.g. `paywall_prompt`, `newsletter_prompt`, "
        "`side_list`, `teaser`, `footer`, `ad`, `date_banner`, `caption`, `cookie_notice`, "
        "`share`, `related`, `author_bio`, `standfirst`, `hidden`, `dateline`, `navigation`).",
        default_factory=dict,
    )
    residue: list[str] = doc(
        "Lines of the final text that still look like boilerplate (a site redesign that breaks a "
        "profile shows up here); empty when the text is clean.",
        default_factory=list,
    )
    profile: str | None = doc("The site profile applied, or null when only generic rules ran.", default=None)


@dataclass
class WarcSource:
    """Where the page this record was extracted from is archived."""

    file: str = doc("The WARC file (as given to the `warc` spider, or as written with `EUSPIDER_WARC_DIR`).")
    offset: int = doc("Byte offset of the page's response record in that file.")


@dataclass
class NearDuplicate:
    """An earlier record whose text this record's text nearly repeats."""

    url: str = doc(
        "The earlier record's `url`: a record of this run, or with `EUSPIDER_STATE` (or "
        "`EUSPIDER_NEARDUP_INDEX`) of an earlier run."
    )
    similarity: float = doc(
        "Estimated Jaccard similarity of the two texts' sets of word 5-grams (MinHash, 128 "
        "permutations: about ±0.04), from 0 to 1; 1.0 means the same words in the same order.",
        minimum=0,
        maximum=1,
    )


@dataclass
class Article:
    """One news story, as captured once, with its text and its dates kept apart."""

    schema_version: str = doc("Version of this record's schema.", default=SCHEMA_VERSION)
    url: str = doc("The URL the page was fetched from (the site's own URL, never a mirror's).", default="")
    canonical_url: str | None = doc(
        "The page's declared canonical URL (`rel=canonical`, `og:url`), else `url`.", default=None
    )
    site: str | None = doc("The site's host name, without `www.`.", default=None)
    title: str | None = doc("The story's headline.", default=None)
    authors: list[str] = doc(
        "Byline authors, in page order; empty when none is named (a one-word `<meta>` author, a role account "
        "such as `admin` or `Redaktion`, is not a name).",
        default_factory=list,
    )
    language: str | None = doc(
        "The story's language, ISO 639-1 (ISO 639-3 for a language without a two-letter code): the "
        "page's declared language, unless the text is confidently in another one, which then wins; for "
        "a page that declares none, the language its text is confidently identified in; null when "
        "neither is known. `language_source` says which.",
        default=None,
    )
    language_declared: str | None = doc(
        "The language the page declares (`<html lang>`, `og:locale`, `Content-Language`), as an ISO "
        "639-1 code where one exists; null when it declares none.",
        default=None,
    )
    language_detected: str | None = doc(
        "The language `text` is written in, identified by py3langid from the text alone; null when the "
        "text has no letters.",
        default=None,
    )
    language_confidence: float | None = doc(
        "The identifier's probability for `language_detected` (0 to 1); null with it.",
        default=None,
        minimum=0,
        maximum=1,
    )
    language_source: str | None = doc(
        "Where `language` comes from: `agree` (declared, and the text is in that language), `markup` "
        "(declared; the text is too short or mixed to confirm or contradict it), `detected` (nothing "
        "declared; identified from the text), `conflict` (the text is confidently in another language "
        "than declared: `language` is the text's, `language_declared` the page's); null when `language` is.",
        default=None,
        enum=["agree", "markup", "detected", "conflict", None],
    )
    description: str | None = doc("The page's summary (`og:description`, meta description), if any.", default=None)
    text: str = doc("The story text, one paragraph per line, with boilerplate removed.", default="")
    word_count: int = doc("Number of words in `text` (in Chinese, Japanese and Korean, characters).", default=0)
    paywall_truncated: bool = doc(
        "True when a paywall cut the story: `text` holds only what the page showed before it.",
        default=False,
    )
    paywall: str | None = doc(
        "The paywall the page has, if any: `truncated` (as `paywall_truncated`: the story stops at it), "
        "or `metered` (the page hides part of the story behind a paywall until a script decides, but its "
        "HTML holds the whole story and `text` keeps it); null when none was seen.",
        default=None,
        enum=["truncated", "metered", None],
    )
    boilerplate: Boilerplate = doc("What was removed, and residue left in.", default_factory=Boilerplate)
    published: str | None = doc(
        "When the story was first published: ISO 8601 datetime in the publisher's offset (the one the "
        "page states, else one inferred from its domain, locale or language, said in `date_evidence`), "
        "or a date, month or year; for an estimated range, its earliest day. Never the page's date "
        "stamp, never later than `crawled_at`; null when unknown, and when the page dates only an "
        "update (then `published_latest` is that day).",
        default=None,
    )
    published_precision: str | None = doc(
        "How precise `published` is: `datetime` (an instant), `day`, `month` (the page gives only a "
        "month; a day is never made up for it), `year`, or `range` (an estimate, between "
        "`published_earliest` and `published_latest`); null when `published` is null.",
        default=None,
        enum=["datetime", "day", "month", "year", "range", None],
    )
    published_earliest: str | None = doc(
        "Earliest possible publication day (`YYYY-MM-DD`); null when unknown.", default=None, format="date"
    )
    published_latest: str | None = doc(
        "Latest possible publication day (`YYYY-MM-DD`): the day itself, the end of the month or "
        "year, the end of an estimate; with `published` null, the day of the only update the page "
        "dates (the story appeared on or before it).",
        default=None,
        format="date",
    )
    published_source: str | None = doc(
        "The evidence `source` that gave `published`; estimates start with `estimate:`.", default=None
    )
    modified: str | None = doc(
        "When the story was last updated, as the page states it; null if not stated.", default=None
    )
    page_date_stamp: str | None = doc(
        "The date the page displays apart from the story (a site's current-date banner), "
        "`YYYY-MM-DD`; null when the page shows none.",
        default=None,
        format="date",
    )
    crawled_at: str | None = doc(
        "When the page was captured (UTC): the fetch time, or the archive's capture time "
        "(`Memento-Datetime`, WARC-Date).",
        default=None,
        format="date-time",
    )
    date_mismatch: DateMismatch | None = doc("How the dates disagree; null when they are consistent.", default=None)
    date_evidence: list[DateEvidence] = doc(
        "Every candidate date considered, accepted or not, with the reason.", default_factory=list
    )
    content_hash: str = doc(
        "`sha256:` of the text after whitespace and Unicode normalisation: equal texts, equal hashes.",
        default="",
    )
    version: int = doc(
        "1 for the first record of a URL; an incremental crawl (`EUSPIDER_STATE`) emits a changed "
        "story again with the next version.",
        default=1,
    )
    previous_content_hash: str | None = doc(
        "The `content_hash` of the previous version; null for version 1.", default=None
    )
    duplicate_urls: list[str] = doc(
        "Other URLs already seen with the same `content_hash` (the same story at another address); "
        "they get no record of their own in an incremental crawl.",
        default_factory=list,
    )
    near_duplicate_of: NearDuplicate | None = doc(
        "The earlier record this one nearly repeats (the same wire story with another first line, a "
        "correction, a print version), when their estimated similarity reaches "
        "`EUSPIDER_NEARDUP_THRESHOLD`; null when there is none.",
        default=None,
    )
    warc: WarcSource | None = doc(
        "The archived capture this record comes from (a WARC file and offset), so the dataset can be "
        "extracted again later; null when the page was not archived.",
        default=None,
    )


@dataclass
class Page:
    """A captured response, as a spider hands it to the pipeline (not exported)."""

    url: str
    body: bytes
    headers: dict[str, str]
    status: int = 200
    crawled_at: str | None = None
    #: Dates for this URL seen on the pages that linked to it (evidence dicts: source, raw, via).
    link_context: list[dict[str, Any]] = field(default_factory=list)
    #: (story id, day, source) of the nearest stories with known dates, for ID-bracket estimates.
    anchors: list[tuple[int, str, str]] = field(default_factory=list)
    #: Where the response is archived (``{"file", "offset"}``), when it is.
    warc: dict[str, Any] | None = None

    @classmethod
    def from_response(cls, response: Any, *, now: datetime | None = None) -> Page:
        """The page a fetched response holds, ready for the pipeline: ``yield Page.from_response(response)``.

        Takes the URL, body, headers (as text) and status of any response-like object (Scrapy's
        ``Response`` among them: nothing here imports Scrapy), its capture time (meta
        ``euspider_crawled_at``, else the ``Memento-Datetime`` header, else ``now``, the time of the
        call by default), and from ``response.meta`` the link context (``euspider_link_context``),
        ID anchors (``euspider_anchors``) and archive location (``euspider_warc``) when a spider
        or middleware set them.
        """
        from .capture import page_fields  # the date parser imports items: loaded on first use

        return cls(**page_fields(response, now))

    def __repr__(self) -> str:  # logs show the page, not its bytes
        return f"<Page {self.status} {self.url} {len(self.body)} bytes>"
