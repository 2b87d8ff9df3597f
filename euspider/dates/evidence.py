"""Collect every candidate date a page offers, each with where it came from.

Each collector returns :class:`Candidate` objects; none decides which date wins (that is
:mod:`euspider.dates.resolve`). Tiers order the sources by how directly they state the story's
first publication:

1. structured metadata about this article (JSON-LD article nodes, ``article:published_time`` and
   kin, ``<time itemprop=datePublished>`` inside the article);
2. a date shown in the article's byline or header, and dates carried from the page that linked to
   the story (feed ``pubDate``, news-sitemap ``publication_date``, a listing's ``<time>``);
3. a date in the URL path;
4. htmldate's heuristic search over the page with its chrome removed;
5. estimates (ID bracket, weekday phrases).

Dates beside links to other stories (side lists, teasers) are that other story's, never this
page's: they are reported as link dates for the crawl to use, and noted once here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from ..dom import (
    ancestors,
    classes_and_id,
    dated_item_container,
    headline_link,
    is_inside,
    norm_space,
    visible_text,
)
from .parse import MONTHS, ParsedDate, parse_date


@dataclass
class Candidate:
    """A date found on or about the page, before resolution."""

    source: str
    role: str
    raw: str
    parsed: ParsedDate | None
    reason: str = ""
    tier: int = 9
    latest: date | None = None  # for a range: its last day (parsed holds the first)
    accepted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> date | None:
        return self.parsed.day if self.parsed else None


def candidate(source: str, role: str, raw: Any, tier: int, note: str = "") -> Candidate:
    """Parse ``raw`` and wrap it; a parse failure becomes the rejection reason."""
    raw_text = raw if isinstance(raw, str) else str(raw)
    parsed, reason = parse_date(raw)
    return Candidate(source, role, norm_space(raw_text)[:200], parsed, reason or note, tier)


# --- JSON-LD -------------------------------------------------------------------------------------

ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle", "liveblogposting", "report",
    "scholarlyarticle", "techarticle", "socialmediaposting", "posting", "creativework", "videoobject",
}  # fmt: skip
PAGE_TYPES = {"webpage", "itempage", "aboutpage", "collectionpage"}


def _types(node: Mapping[str, Any]) -> set[str]:
    value = node.get("@type", [])
    values = value if isinstance(value, list) else [value]
    return {str(v).lower().rsplit("/", 1)[-1] for v in values}


def _top_nodes(data: Any) -> Iterator[Mapping[str, Any]]:
    """Top-level JSON-LD nodes and those of ``@graph``; never nested lists of other items."""
    if isinstance(data, list):
        for item in data:
            yield from _top_nodes(item)
    elif isinstance(data, Mapping):
        if "@graph" in data and isinstance(data["@graph"], list):
            for item in data["@graph"]:
                if isinstance(item, Mapping):
                    yield item
        if "@type" in data:
            yield data
            main = data.get("mainEntity")
            if isinstance(main, Mapping) and "@type" in main:
                yield main


def _load_json(text: str) -> Any:
    try:
        return json.loads(text, strict=False)
    except ValueError:
        # common breakage: trailing commas, HTML comments around the JSON
        cleaned = re.sub(r",\s*([}\]])", r"\1", text.strip().removeprefix("<!--").removesuffix("-->"))
        return json.loads(cleaned, strict=False)


#: A JSON-LD block larger than this is not read: page metadata takes a few kilobytes, megabytes are
#: a data dump or an attack. Nesting deeper than this is not walked.
JSON_LD_MAX_CHARS = 1_000_000
JSON_LD_MAX_DEPTH = 64


def _deeper_than(data: Any, limit: int) -> bool:
    """Whether lists and objects in ``data`` nest more than ``limit`` levels (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return False


def load_json_ld(text: str) -> tuple[Any, str]:
    """``(data, "")`` for a JSON-LD block (or another JSON attribute), or ``(None, reason)`` when it is
    invalid, too large or nested too deep to be page metadata. Never raises: one broken block costs
    only its own dates, never the page."""
    if len(text) > JSON_LD_MAX_CHARS:
        return None, f"JSON-LD of {len(text)} characters, more than {JSON_LD_MAX_CHARS}: not read"
    try:
        data = _load_json(text)
    except RecursionError:
        return None, f"JSON-LD nested deeper than {JSON_LD_MAX_DEPTH} levels: not read"
    except ValueError as err:
        return None, f"unparseable JSON-LD: {err}"
    if _deeper_than(data, JSON_LD_MAX_DEPTH):
        return None, f"JSON-LD nested deeper than {JSON_LD_MAX_DEPTH} levels: not read"
    return data, ""


def _node_matches_page(node: Mapping[str, Any], page_url: str, title: str | None) -> bool:
    for key in ("url", "@id", "mainEntityOfPage"):
        value = node.get(key)
        if isinstance(value, Mapping):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.split("#")[0].rstrip("/") == page_url.rstrip("/"):
            return True
    headline = node.get("headline") or node.get("name")
    return bool(title and isinstance(headline, str) and norm_space(headline) == norm_space(title))


def from_json_ld(tree: HtmlElement, page_url: str, title: str | None) -> list[Candidate]:
    """``datePublished`` / ``dateCreated`` / ``dateModified`` of the page's article nodes.

    When several article nodes carry dates, those that name this page (URL, ``@id`` or headline)
    win; the others are kept as rejected evidence about other stories.
    """
    found: list[tuple[bool, Candidate]] = []
    broken: list[Candidate] = []
    node_index = 0
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text or ""
        if not text.strip():
            continue
        data, problem = load_json_ld(text)
        if problem:
            broken.append(Candidate("json-ld", "published", text[:1000].strip()[:200], None, problem, 1))
            continue
        for node in _top_nodes(data):
            node_index += 1
            types = _types(node)
            is_article = bool(types & ARTICLE_TYPES)
            if not is_article and not types & PAGE_TYPES:
                continue
            label = "json-ld" if is_article else "json-ld:webpage"
            tier = 1 if is_article else 2
            matches = _node_matches_page(node, page_url, title)
            for key, role in (
                ("datePublished", "published"),
                ("dateCreated", "published"),
                ("dateModified", "modified"),
            ):
                value = node.get(key)
                if isinstance(value, list) and value:
                    value = value[0]
                if value in (None, ""):
                    continue
                cand = candidate(f"{label}:{key}", role, value, tier)
                cand.extra["node"] = node_index
                found.append((matches, cand))
    if any(matches for matches, _ in found):
        for matches, cand in found:
            if not matches and cand.parsed is not None:
                cand.parsed, cand.reason = None, "belongs to another item's JSON-LD node"
    else:
        # several article nodes and none names this page: the first is the page's own (the others
        # are usually teasers of other stories in an ItemList-like array)
        first_node = next(
            (
                c.extra.get("node")
                for _, c in found
                if c.source.startswith("json-ld:") and not c.source.startswith("json-ld:webpage")
            ),
            None,
        )
        for _, cand in found:
            if (
                cand.extra.get("node") not in (first_node, None)
                and not cand.source.startswith("json-ld:webpage")
                and cand.parsed is not None
            ):
                cand.parsed, cand.reason = None, "a later JSON-LD article node: another story's"
    for _, cand in found:
        cand.extra.pop("node", None)
    return [cand for _, cand in found] + broken


# --- meta tags -----------------------------------------------------------------------------------

META_PUBLISHED = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "datepublished", "date.published", "publish-date", "publish_date", "publishdate", "pubdate",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dc.date.created", "dcterms.created",
    "date", "sailthru.date", "parsely-pub-date", "article.published", "cxenseparse:recs:publishtime",
    "rnews:datepublished", "citation_publication_date", "citation_date", "prism.publicationdate",
    "bt:pubdate", "originalpublicationdate", "og:pubdate", "article_date_original", "ga_date",
    "released", "creation_date", "date_published", "published_time", "published-date",
    "article.created", "cxenseparse:publishtime", "dc.created", "article:post_date",
    "datecreated",
)  # fmt: skip
META_MODIFIED = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified",
    "last-modified", "lastmod", "dcterms.modified", "dc.date.modified", "article.updated",
    "modified_time", "updated_time", "parsely-updated", "sailthru.lastmodified", "date.modified",
    "article:modified", "revised", "dc.modified",
)  # fmt: skip
_META_ROLE = {name: "published" for name in META_PUBLISHED} | {name: "modified" for name in META_MODIFIED}


def from_meta(tree: HtmlElement) -> list[Candidate]:
    """Dates in ``<meta>`` tags (Open Graph, article:*, Dublin Core, parsely, sailthru and others)."""
    out = []
    for meta in tree.iter("meta"):
        key = (
            (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "")
            .strip()
            .lower()
        )
        content = meta.get("content")
        if key == "parsely-page" and content:
            data, _ = load_json_ld(content)
            pub = data.get("pub_date") if isinstance(data, dict) else None
            if pub:
                out.append(candidate("meta:parsely-page", "published", pub, 1))
            continue
        role = _META_ROLE.get(key)
        if role is None or not content:
            continue
        # bare "date"/"dc.date" are often the page's build date: a step below article:* tags
        tier = 2 if key in {"date", "dc.date", "last-modified", "lastmod"} else 1
        out.append(candidate(f"meta:{key}", role, content, tier))
    return out


# --- <time> and itemprop -------------------------------------------------------------------------

_MODIFIED_HINT = re.compile(r"updat|modif|revis|edited|aktualisiert|mis à jour|actualiz", re.IGNORECASE)
_PUBLISHED_HINT = re.compile(
    r"publish|pubdate|posted|entry-date|byline|dateline|article-date|story-date|post-date", re.IGNORECASE
)


@dataclass
class LinkDate:
    """A date shown beside a link to another page: evidence for that page, not this one."""

    url: str
    raw: str
    parsed: ParsedDate


def _time_value(element: HtmlElement) -> str:
    return (element.get("datetime") or element.get("content") or visible_text(element) or "").strip()


#: Elements with a date itemprop (found by the attribute: libxml2's fastest search).
_ITEMPROPS = etree.XPath("//@itemprop[. = 'datePublished' or . = 'dateModified' or . = 'dateCreated']/..")
_DATE_ITEMPROPS = {"datePublished", "dateModified", "dateCreated"}


def from_time_elements(
    tree: HtmlElement,
    page_url: str,
    scope: HtmlElement | None,
    removed: Iterable[HtmlElement] = (),
    skip: Iterable[HtmlElement] = (),
) -> tuple[list[Candidate], list[LinkDate]]:
    """``<time>`` elements and ``itemprop`` dates, split into this story's and other stories'.

    Inside the article: ``itemprop=datePublished``, a ``pubdate`` attribute or a "published" class is
    tier 1, another ``<time>`` tier 2. Beside a headline link (side lists, teasers, listings): a link
    date for the linked page. Elsewhere on the page: tier 4 (a date somewhere in the chrome). Elements
    in ``skip`` (the page's date stamp) are not the story's.
    """
    removed_set = list(removed)
    out: list[Candidate] = []
    links: list[LinkDate] = []
    seen: set[int] = {id(e) for e in skip}
    elements = list(tree.iter("time")) + [
        e for e in _ITEMPROPS(tree) if e.tag not in {"meta", "time"} and e.get("itemprop") in _DATE_ITEMPROPS
    ]
    for element in elements:
        if id(element) in seen:
            continue
        seen.add(id(element))
        raw = _time_value(element)
        if not raw:
            continue
        container = dated_item_container(element)
        other = headline_link(container, page_url) if container is not None else None
        if other is not None:
            parsed, _ = parse_date(raw)
            if parsed is not None:
                links.append(LinkDate(other, raw, parsed))
            continue
        hints = " ".join(
            [classes_and_id(element), element.get("itemprop", "")] + [classes_and_id(a) for a in ancestors(element, 2)]
        )
        role = _time_role(element)
        inside = is_inside(element, scope)
        in_removed = any(is_inside(element, r) for r in removed_set)
        strong = (
            element.get("itemprop") in {"datePublished", "dateModified"}
            or element.get("pubdate") is not None
            or _PUBLISHED_HINT.search(hints)
        )
        if inside and not in_removed:
            tier, where = (1 if strong else 2), "article"
        else:
            tier, where = 4, "page"
        cand = candidate(f"time:{where}", role, raw, tier)
        shown = visible_text(element)
        if cand.parsed is not None and isinstance(cand.parsed.value, datetime) and shown and shown != raw:
            # the day the page prints for this instant is the day its readers saw (its own time zone)
            printed, _ = parse_date(shown)
            if printed is not None and printed.precision in {"day", "datetime"}:
                cand.extra["shown_day"] = printed.day
        out.append(cand)
    return out, links


def _time_role(element: HtmlElement) -> str:
    """``modified`` or ``published`` for a ``<time>``: its itemprop, then its own class (a class
    naming both, WordPress's "entry-date published updated", is a publication date), then the label
    printed just before it ("Updated: <time>"), then its parents' classes."""
    itemprop = element.get("itemprop", "")
    if itemprop == "dateModified":
        return "modified"
    if itemprop in {"datePublished", "dateCreated"} or element.get("pubdate") is not None:
        return "published"
    own = classes_and_id(element)
    if _PUBLISHED_HINT.search(own):
        return "published"
    if _MODIFIED_HINT.search(own):
        return "modified"
    parent = element.getparent()
    if parent is not None:
        before = [parent.text or ""]
        for sibling in parent:
            if sibling is element:
                break
            before.append(visible_text(sibling) if isinstance(sibling.tag, str) else "")
            before.append(sibling.tail or "")
        labels = list(_DATE_LABEL.finditer(" ".join(before)[-60:]))
        if labels:
            return "modified" if labels[-1]["modified"] else "published"
    parents = " ".join(classes_and_id(a) for a in ancestors(element, 2))
    if _MODIFIED_HINT.search(parents) and not _PUBLISHED_HINT.search(parents):
        return "modified"
    return "published"


# --- byline text ---------------------------------------------------------------------------------

_BYLINE_CLASS = re.compile(
    r"byline|dateline|\bdate|datum|fecha|published|posted|pubdate|timestamp|entry-meta|post-meta|article-meta|"
    r"meta-info|article-info|entry-header|article-header|post-header|story-header",
    re.IGNORECASE,
)
_STORY_PARAGRAPH = 80  # characters: a paragraph this long belongs to the story's body
#: Labels in a byline that say which date follows: an update, or the first publication.
_DATE_LABEL = re.compile(
    r"\b(?P<modified>(?:last )?(?:updated?|modified|revised)|aktualisiert|geändert|mis à jour|modifié|"
    r"actualizado|actualizada|aggiornato|bijgewerkt|zaktualizowano)\b"
    r"|\b(?P<published>(?:first )?(?:published|posted|written|created|issued)|veröffentlicht|erstellt|publié|"
    r"publicado|publicada|pubblicato|gepubliceerd|geplaatst|opublikowano)\b",
    re.IGNORECASE,
)


def _labelled_dates(text: str) -> list[tuple[str, ParsedDate, str]]:
    """(role, date, segment) for each labelled part of a byline: "Written: 7 Nov / Updated: 8 Nov".

    A date belongs to the label before it; an unlabelled first date is the publication date.
    """
    cuts = [m.start() for m in _DATE_LABEL.finditer(text)]
    segments = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True) if text[a:b].strip()]
    out = []
    for segment in segments:
        parsed, _ = parse_date(segment)
        if parsed is None or parsed.precision not in {"day", "datetime"}:
            continue
        label = _DATE_LABEL.match(segment)
        role = "modified" if label is not None and label["modified"] else "published"
        out.append((role, parsed, segment.strip()))
    return out


def from_byline(scope: HtmlElement | None, removed: Iterable[HtmlElement] = (), page_url: str = "") -> list[Candidate]:
    """Textual dates in short byline-like blocks of the article's header ("By Jane Doe · 17 Jan 2025").

    Only blocks before the story's first long paragraph count (a date lower down is usually a date the
    story talks about, or a related item's), and a dateline that opens that paragraph; never a block
    beside a link to another story (a teaser's date). At most three, in page order. Each date takes
    the role its label gives ("Updated: ..." is a modification date).
    """
    if scope is None:
        return []
    removed_set = list(removed)
    out: list[Candidate] = []
    seen: set[str] = set()
    for element in _between_headline_and(scope):
        if _BYLINE_CLASS.search(classes_and_id(element)) and not any(is_inside(element, r) for r in removed_set):
            if not _in_teaser(element, None, page_url):
                out += _byline_candidates(element, seen)
    for element in scope.iter():
        if not isinstance(element.tag, str):
            continue
        if (
            element.tag == "p"
            and len(visible_text(element)) >= _STORY_PARAGRAPH
            and not _BYLINE_CLASS.search(classes_and_id(element))
        ):
            # the story body has started; a dateline may open it ("<span class=date>31 Oct 2023.</span> ...")
            first = element[0] if len(element) else None
            if (
                first is not None
                and not (element.text or "").strip()
                and isinstance(first.tag, str)
                and _BYLINE_CLASS.search(classes_and_id(first))
            ):
                out += _byline_candidates(first, seen)
            break
        if element.tag in {"time", "script", "style", "a"} or not _BYLINE_CLASS.search(classes_and_id(element)):
            continue
        if any(is_inside(element, r) for r in removed_set):
            continue
        if _in_teaser(element, scope, page_url):
            continue  # a teaser's date: evidence for the linked story
        out += _byline_candidates(element, seen)
        if len(out) >= 3:
            break
    return out[:3]


def _in_teaser(element: HtmlElement, scope: HtmlElement | None, page_url: str) -> bool:
    """Whether ``element`` sits in a small block with a headline link to another page (a teaser);
    the article itself, or a block holding its headline, is not one."""
    container = dated_item_container(element)
    if container is None or not page_url or container is scope or container.find(".//h1") is not None:
        return False
    return headline_link(container, page_url) is not None


def _between_headline_and(scope: HtmlElement) -> list[HtmlElement]:
    """Elements after the page's headline and before ``scope`` (the story's header, when the page
    keeps it outside the element that holds the body); empty when the headline is inside ``scope``
    or after it."""
    headline = scope.getroottree().find(".//h1")
    if headline is None or is_inside(headline, scope):
        return []
    out = []
    for count, element in enumerate(_following(headline)):
        if count >= 150:
            break
        if element is scope or is_inside(element, scope):
            return out
        if isinstance(element.tag, str) and element.tag not in {"script", "style", "a", "time"}:
            out.append(element)
    return []  # the body is not near the headline: nothing here is its header


def _following(element: HtmlElement) -> Iterator[HtmlElement]:
    """The elements after ``element`` in document order (XPath's ``following::*``), lazily."""
    node: HtmlElement | None = element
    while node is not None:
        for sibling in node.itersiblings():
            yield from sibling.iter()
        node = node.getparent()


def _byline_candidates(element: HtmlElement, seen: set[str]) -> list[Candidate]:
    text = visible_text(element)
    if not text or len(text) > 160 or text in seen:
        return []
    seen.add(text)
    return [Candidate("byline", role, segment[:200], parsed, "", 2) for role, parsed, segment in _labelled_dates(text)]


# "Karlsruhe, (12.11.2021). Traditionell ...", "BERLIN, 5. Mai 2021 - Die ...": a place, then the date
_DATELINE_RE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_ .'’/-]*(?:[ .'’/-]+[^\W\d_][^\W\d_.'’/-]*){0,3})\s*[,/]\s*"
    r"\(?(?P<date>[^()\n]{6,32}?)\)?\s*(?:[.:]\s|\s?[–—-]+\s?)"
)


def from_dateline(text: str) -> list[Candidate]:
    """A dateline opening the story's first paragraph: a place, a comma, a full date, then a stop or a
    dash. Family ``visible`` (the reader sees it), tier 2."""
    match = _DATELINE_RE.match(text[:90])
    if match is None:
        return []
    raw = match["date"].strip()
    parsed, _ = parse_date(raw)
    if parsed is None or parsed.precision not in {"day", "datetime"}:
        return []
    leftover = re.sub(r"[\d.,/-]+", " ", raw.lower()).split()
    if any(word.rstrip(".") not in MONTHS and word not in {"de", "del", "am", "on", "le"} for word in leftover):
        return []  # more than a date between the place and the stop: prose, not a dateline
    return [Candidate("dateline", "published", match.group(0).strip()[:200], parsed, "", 2)]


# --- URL, headers, capture, link context ---------------------------------------------------------

URL_DATE_RE = re.compile(
    r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>0?[1-9]|1[0-2])(?:[/-](?P<d>0?[1-9]|[12]\d|3[01]))?(?=[/-]|\.html?|$)"
    r"|[/_-](?P<y2>(?:19|20)\d{2})(?P<m2>0[1-9]|1[0-2])(?P<d2>0[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)
#: A six-digit day (yymmdd) opening a file name, in a path that names its year in full:
#: ``/press/2022/220128_ai-project.html``.
URL_SHORT_DATE_RE = re.compile(r"/(?P<y>\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])[_-][^/]*$")


def from_url(url: str) -> list[Candidate]:
    """A date in the URL path (``/2024/05/14/``, ``/2024-05-14-``, ``/20240514/``, ``_20240514.html``,
    ``/2024/05/``, and ``/2024/240514_x`` where the path names the year in full)."""
    path = url.split("?", 1)[0]
    match = URL_DATE_RE.search(path)
    if match is None:
        short = URL_SHORT_DATE_RE.search(path)
        if short is None or f"20{short['y']}" not in path[: short.start()]:
            return []
        cand = candidate("url", "published", f"20{short['y']}-{short['m']}-{short['d']}", 3)
        cand.raw = short.group(0)
        return [cand]
    if match["y2"]:
        raw = f"{match['y2']}-{match['m2']}-{match['d2']}"
    elif match["d"]:
        raw = f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}"
    else:
        raw = f"{match['y']}-{int(match['m']):02d}"
    cand = candidate("url", "published", raw, 3)
    cand.raw = match.group(0)
    return [cand]


def from_headers(headers: Mapping[str, str]) -> list[Candidate]:
    """HTTP ``Date`` (the server's clock), ``Last-Modified`` (a bound) and ``Memento-Datetime``."""
    lower = {k.lower(): v for k, v in headers.items()}
    out = []
    if lower.get("date"):
        note = (
            "the replay server's clock, not the capture (Memento-Datetime is)"
            if lower.get("memento-datetime")
            else "the server's clock at fetch time: a capture time, never a publication date"
        )
        out.append(candidate("http:date", "capture", lower["date"], 9, note))
    if lower.get("last-modified"):
        out.append(candidate("http:last-modified", "bound", lower["last-modified"], 9))
    if lower.get("memento-datetime"):
        out.append(candidate("http:memento-datetime", "capture", lower["memento-datetime"], 9))
    return out


def from_link_context(context: Iterable[Mapping[str, Any]]) -> list[Candidate]:
    """Dates carried with the request from the page that linked here.

    Each item is ``{"source": "link:rss" | "link:listing" | "link:sitemap-news" | "link:sitemap",
    "raw": ..., "via": url of the linking page}``. A sitemap ``lastmod`` is a bound, not a date.
    """
    out = []
    for item in context:
        source = str(item.get("source", "link:page"))
        role = "bound" if source == "link:sitemap" else "published"
        cand = candidate(source, role, item.get("raw") or item.get("value") or "", 2)
        if item.get("via"):
            cand.extra["via"] = item["via"]
        out.append(cand)
    return out


# --- the page's own date stamp -------------------------------------------------------------------

_STAMP_CLASS = re.compile(r"date|time|today|clock|calendar|datum|fecha", re.IGNORECASE)
#: Where a site shows today's date: its header, navigation and top bars (never the article's header).
_REGION_CLASS = re.compile(
    r"(?:^|[\s_-])(?:top|topbar|navtop|masthead|header|nav|navbar|navigation|toolbar|utility|banner)(?:$|[\s_-])"
)
_ARTICLE_CLASS = re.compile(r"entry|article|post|story|headline|single")
_POST_DATE_CLASS = re.compile(r"entry-date|post-date|published|updated|byline|posted|pubdate|meta-date|module")
_DIGIT_TEXTS = etree.XPath(".//text()[contains(translate(., '123456789', '000000000'), '0')] | .//time")
_WEEKDAY_WORD = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|"
    r"sábado|domingo|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|"
    r"zaterdag|zondag)\b",
    re.IGNORECASE,
)


#: Elements looked at above the headline: a site's header and top bars come first in any page.
_TOP_OF_PAGE = 3000
_REGION_TAGS = {"header", "nav", "div", "section", "aside", "p", "td", "table"}


def _stamp_regions(tree: HtmlElement, scope: HtmlElement | None) -> list[HtmlElement]:
    """The outermost header, navigation and top-bar blocks above the headline and outside the
    article (never one holding a headline: that is the story's header, wherever the page puts it).

    One walk from the top of the page that stops at the headline (the first ``h1``) or the story's
    element, whichever comes first, and skips what is inside a block already taken.
    """
    regions: list[HtmlElement] = []
    body = tree.find("body")
    stops = {e for e in (tree.find(".//h1"), scope) if e is not None}
    skip_to: HtmlElement | None = None  # the last element inside the region just taken
    for count, element in enumerate((body if body is not None else tree).iter()):
        if element in stops or count > _TOP_OF_PAGE:
            break
        if skip_to is not None:
            if element is skip_to:
                skip_to = None
            continue
        if element.tag not in _REGION_TAGS:
            continue
        names = classes_and_id(element)
        landmark = element.tag in {"header", "nav"} or element.get("role") in {"banner", "navigation"}
        if not landmark and not _REGION_CLASS.search(names):
            continue
        if "date" in names or _ARTICLE_CLASS.search(names):
            continue  # a post's date header ("date-header"), an article's own header ("entry-header")
        if any(is_inside(stop, element) for stop in stops) or element.find(".//h2") is not None:
            continue  # it holds the headline or the story: the story's header, not the site's
        regions.append(element)
        last = element
        while len(last):
            last = last[-1]
        skip_to = last if last is not element else None
    return regions


def from_stamp(
    tree: HtmlElement, selectors: Iterable[str], scope: HtmlElement | None, capture_day: date | None
) -> list[Candidate]:
    """The date a page displays apart from its story (a current-date banner): role ``stamp``.

    With a site profile, its ``stamp`` selectors say where the banner is. Without one, only where
    stamps live is searched (the page's header, navigation and top bars outside the article, never a
    block holding the headline), and only short texts with a digit in them: a day there counts as a
    stamp when it is the capture day (±1), or when the page presents it as today's date (a date,
    time or clock class, a ``<time>``, a weekday name). A date beside a link to another
    story is that story's. The element is kept in ``extra["element"]`` so other collectors skip it.
    """
    out: list[Candidate] = []
    selectors = list(selectors)
    for selector in selectors:
        for element in tree.cssselect(selector):
            cand = candidate("banner", "stamp", visible_text(element), 9, "the site's date banner")
            cand.extra["element"] = element
            out.append(cand)
    if selectors:
        return out
    for region in _stamp_regions(tree, scope):
        for node in _DIGIT_TEXTS(region):
            if isinstance(node, str):
                element = node.getparent()
                if element is not None and node.is_tail:
                    element = element.getparent()
            else:
                element = node
            if element is None or not isinstance(element.tag, str) or element.tag in {"script", "style", "a"}:
                continue
            found = _stamp_in(element, capture_day)
            if found is not None:
                return [found]
    return out


def _stamp_in(element: HtmlElement, capture_day: date | None) -> Candidate | None:
    tried = None  # a parent showing its child's text alone reads the same: not parsed twice
    for target in (element, element.getparent()):
        if target is None or target.tag in {"body", "html"}:
            return None
        text = _time_value(target) if target.tag == "time" else visible_text(target)
        if not text or len(text) > 60 or text == tried:
            continue
        tried = text
        parsed, _ = parse_date(text)
        if parsed is None or parsed.precision not in {"day", "datetime"}:
            continue
        if _POST_DATE_CLASS.search(" ".join(classes_and_id(e) for e in (target, *ancestors(target, 2)))):
            return None  # a post's date (a teaser in a menu, a listing), not today's
        container = dated_item_container(target)
        if container is not None and headline_link(container, "") is not None:
            return None
        shown = visible_text(target) or text
        if capture_day is not None and abs((parsed.day - capture_day).days) <= 1:
            reason = "the capture day shown outside the story"
        elif (
            target.tag == "time"
            or _WEEKDAY_WORD.search(shown)
            or any(_STAMP_CLASS.search(classes_and_id(e)) for e in (target, *ancestors(target, 2)))
        ):
            if capture_day is not None and parsed.day > capture_day + timedelta(days=1):
                return None
            reason = "today's date in the site's header, navigation or top bar, outside the story"
        else:
            return None
        cand = Candidate("banner", "stamp", shown[:200], parsed, reason, 9)
        cand.extra["element"] = target
        return cand
    return None
