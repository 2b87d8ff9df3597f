"""Date provenance: collect every date a page offers, resolve the story's, judge the mismatch.

Pure: no Scrapy, no clock. The capture time is an input; when it is unknown the caller passes the
bound to use instead (the time of the call, at the API boundary).

Three dates are kept apart: when the page was captured (``crawled_at``), what date the page displays
(``page_date_stamp``, e.g. a current-date banner) and when the story was first published
(``published``, with its source, precision and range). :func:`date_page` returns them with the full
evidence table and a :class:`~euspider.items.DateMismatch` when they disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml.html import HtmlElement

from .estimate import Anchor, Window, id_bracket, weekday_phrases
from .evidence import (
    Candidate,
    LinkDate,
    from_byline,
    from_dateline,
    from_headers,
    from_json_ld,
    from_link_context,
    from_meta,
    from_stamp,
    from_time_elements,
    from_url,
)
from .parse import ParsedDate, iso_datetime, parse_date
from .resolve import DateResult, DateSettings, resolve
from .zone import Zone, infer_zone

__all__ = [
    "Anchor",
    "DateInputs",
    "DateResult",
    "DateSettings",
    "LinkDate",
    "ParsedDate",
    "Zone",
    "date_page",
    "find_stamp",
    "parse_date",
]

logger = logging.getLogger(__name__)
DEFAULT_SETTINGS = DateSettings()


@dataclass
class DateInputs:
    """Everything :func:`date_page` reads besides the tree."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    crawled_at: datetime | None = None
    #: Upper bound when ``crawled_at`` is unknown (the caller's "now"); ignored when it is known.
    fallback_bound: datetime | None = None
    title: str | None = None
    text: str = ""
    link_context: Sequence[Mapping[str, Any]] = ()
    #: The story's numeric ID when its site numbers stories in order, and anchors around it.
    article_id: int | None = None
    anchors: Sequence[Anchor] = ()
    #: The story ID in another URL of the same site (for anchors from this page's own side lists).
    id_of: Callable[[str], int | None] | None = None
    stamp_selectors: Sequence[str] = ()
    #: The page's date stamp, when the caller already looked for it (:func:`find_stamp`).
    stamps: Sequence[Candidate] | None = None


def _htmldate(tree: HtmlElement, url: str, bound: datetime, settings: DateSettings, source: str) -> Candidate | None:
    """htmldate's original-date search on ``tree`` (tier 4)."""
    from htmldate import find_date  # imported lazily: it loads dateparser

    try:
        found = find_date(
            tree,  # htmldate works on its own copy of a tree it is given
            url=url or None,
            original_date=True,
            extensive_search=True,
            outputformat="%Y-%m-%d",
            min_date=datetime.combine(settings.min_date, datetime.min.time()),
            max_date=bound.astimezone(UTC).replace(tzinfo=None),
        )
    except Exception as err:  # noqa: BLE001 - a heuristic library failing must not lose the page
        logger.debug("htmldate failed on %s: %s", url, err)
        return None
    if not found:
        return None
    parsed, reason = parse_date(found)
    if parsed is not None and found.endswith("-01-01"):
        # htmldate fills a bare year ("in 2022", "© 2014") with 1 January: a year, not a day
        return Candidate(source, "published", found, None, "1 January from htmldate: a year found alone, not a day", 4)
    return Candidate(source, "published", found, parsed, reason, 4)


def htmldate_votes(
    tree: HtmlElement, pruned_tree: HtmlElement | None, url: str, bound: datetime, settings: DateSettings
) -> list[Candidate]:
    """htmldate on the whole page (``htmldate:whole``) and on the page without its chrome (``htmldate``).

    Both are kept in the evidence. Removing the chrome takes other stories' dates away, but it can
    also take the story's own date block with it; the two answers agreeing is one vote, disagreeing
    a split one (see :func:`euspider.dates.resolve.vote`).
    """
    whole = _htmldate(tree, url, bound, settings, "htmldate:whole")
    if pruned_tree is None:
        return [whole] if whole is not None else []
    pruned = _htmldate(pruned_tree, url, bound, settings, "htmldate")
    out = [c for c in (pruned, whole) if c is not None]
    for cand in out:
        if not cand.reason:
            cand.reason = (
                "htmldate's search of the page without its chrome"
                if cand.source == "htmldate"
                else "htmldate's search of the whole page"
            )
    return out


def _locales(tree: HtmlElement, headers: Mapping[str, str]) -> list[str]:
    """The page's declared locales and languages, most specific first."""
    locales, languages = [], []
    head = tree.find("head")
    for meta in (head if head is not None else tree).iter("meta"):
        if meta.get("property") == "og:locale":
            locales.append(meta.get("content") or "")
        elif (meta.get("http-equiv") or "").lower() == "content-language":
            languages.append(meta.get("content") or "")
    values = [*locales, tree.get("lang") or "", tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""]
    values += languages + [v for k, v in headers.items() if k.lower() == "content-language"]
    return [str(v) for v in values if v]


def find_stamp(tree: HtmlElement, inputs: DateInputs, scope: HtmlElement | None) -> list[Candidate]:
    """The page's date stamp (a current-date banner), as candidates with their element in
    ``extra["element"]``: the extractor marks it as boilerplate before the page is pruned, so that
    htmldate's search of the pruned page cannot take it for the story's date."""
    capture_day = inputs.crawled_at.astimezone(UTC).date() if inputs.crawled_at is not None else None
    return from_stamp(tree, inputs.stamp_selectors, scope, capture_day)


def date_page(
    tree: HtmlElement,
    inputs: DateInputs,
    *,
    scope: HtmlElement | None,
    removed: Iterable[HtmlElement] = (),
    pruned_tree: HtmlElement | None = None,
    settings: DateSettings = DEFAULT_SETTINGS,
) -> tuple[DateResult, list[LinkDate]]:
    """Date one page. ``tree`` is the page as served; ``pruned_tree`` the same without its chrome.

    ``scope`` is the element holding the story (dates inside it are the story's); ``removed`` the
    elements the extractor dropped as boilerplate (dates inside them are not the story's). Returns
    the resolution and the dates this page shows for other pages (side lists, teasers).
    """
    removed = list(removed)
    crawled_at = inputs.crawled_at
    if crawled_at is not None and crawled_at.tzinfo is None:
        crawled_at = crawled_at.replace(tzinfo=UTC)
    bound = crawled_at or inputs.fallback_bound
    if bound is None:
        raise ValueError("date_page needs crawled_at or fallback_bound: the clock is never read here")

    cands: list[Candidate] = []
    stamps = list(inputs.stamps) if inputs.stamps is not None else find_stamp(tree, inputs, scope)
    cands += from_json_ld(tree, inputs.url, inputs.title)
    cands += from_meta(tree)
    time_cands, link_dates = from_time_elements(
        tree, inputs.url, scope, removed, skip=[c.extra["element"] for c in stamps if "element" in c.extra]
    )
    cands += time_cands
    cands += from_byline(scope, removed, inputs.url)
    cands += from_dateline(inputs.text)
    cands += from_link_context(inputs.link_context)
    cands += from_url(inputs.url)
    cands += stamps
    cands += from_headers(inputs.headers)
    if crawled_at is not None:
        cands.append(
            Candidate("capture", "capture", iso_datetime(crawled_at), ParsedDate(crawled_at, "datetime"), "", 9)
        )
    if link_dates:
        others = Candidate(
            "time:other-stories", "published", f"{len(link_dates)} dates beside links to other stories", None,
            "dates of the linked stories (side lists, teasers): evidence for them, never for this page", 9,
        )  # fmt: skip
        others.extra["days"] = {link.parsed.day for link in link_dates}
        cands.append(others)

    # htmldate always votes, on the whole page and on the page without its chrome
    cands += htmldate_votes(tree, pruned_tree, inputs.url, bound, settings)

    stated = [
        c.parsed.value
        for c in cands
        if c.parsed is not None and isinstance(c.parsed.value, datetime) and c.role in {"published", "modified"}
    ]
    stated += [link.parsed.value for link in link_dates if isinstance(link.parsed.value, datetime)]
    zone = infer_zone(inputs.url, _locales(tree, inputs.headers), stated)

    estimate: Window | None = None
    if inputs.article_id is not None:
        anchors = list(inputs.anchors)
        if inputs.id_of is not None:
            # stories this page's side lists date are anchors too (evidence for them, and through
            # their IDs, a bracket for this story)
            for link in link_dates:
                other = inputs.id_of(link.url)
                if other is not None and other != inputs.article_id:
                    anchors.append(Anchor(other, link.parsed.day, f"a side list on this page ({link.url})"))
        estimate = id_bracket(inputs.article_id, anchors, settings.id_margin_days)
    phrases = weekday_phrases(inputs.text)
    result = resolve(
        cands,
        crawled_at=crawled_at,
        bound=bound,
        settings=settings,
        phrases=phrases,
        estimate=estimate,
        estimate_source="estimate:id-bracket",
        text=inputs.text,
        zone=zone,
    )
    return result, link_dates
