"""From one captured page to one record: story text without boilerplate, and dates with evidence.

Pure: bytes or text, a URL, headers, the capture time and what the crawl knows about the page (link
context, ID anchors) go in; an :class:`Outcome` comes out. No Scrapy, no clock (the caller passes
``now`` when the capture time is unknown). The pipeline, the command line, the benchmarks and the
tests all call :meth:`ArticleExtractor.extract`, so they share one code path.

Steps: decode → parse → find the story's element (scope) → mark boilerplate (site profile, then
generic detectors) → trafilatura on the page without it → drop call-to-action lines → decide whether
this is an article → date it (:mod:`euspider.dates`) → build the :class:`~euspider.items.Article`.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import copy, deepcopy
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from types import EllipsisType
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title
from trafilatura.settings import Extractor as TrafilaturaOptions
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from . import boilerplate, language, pagetype
from .dates import Anchor, DateInputs, DateResult, DateSettings, LinkDate, date_page, find_stamp
from .dates.parse import parse_date
from .dom import (
    WORDS,
    absolute,
    classes_and_id,
    find_article_scope,
    is_inside,
    norm_space,
    norm_text,
    paragraph_blocks,
    parse_html,
    precedes,
    text_cache,
    visible_text,
)
from .items import Article, Boilerplate
from .sites import Profile, builtin_profiles, profile_for

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
#: Skip reasons, as they appear in stats (``euspider/dropped/<reason>``) and logs.
SKIP_REASONS = {
    "empty_body": "the response body is empty",
    "not_html": "the content type is not HTML",
    "undecodable": "the body does not decode to text",
    "unparseable": "the HTML could not be parsed",
    "no_main_text": "no story text was found (a promo-only or empty page)",
    "listing": "the page lists other stories (a homepage, section or archive page)",
    "too_short": "the text is too short to be a story",
    "repetitive": "the text is mostly the same lines over and over",
}


@dataclass(frozen=True)
class ExtractOptions:
    """Options fixed for a whole crawl; see ``EUSPIDER_*`` settings."""

    #: Fewer words than this after cleaning: not an article (a news brief has about 80, a short
    #: blog post 20; an error page or a cookie wall about 10).
    min_words: int = 15
    #: Share of the text made of other pages' link titles above which the page is a listing.
    listing_link_share: float = 0.5
    dates: DateSettings = field(default_factory=DateSettings)
    profiles: tuple[Profile, ...] | None = None  # None: the built-in profiles


@dataclass
class Outcome:
    """What :meth:`ArticleExtractor.extract` found: a record, or the reason there is none."""

    record: dict[str, Any] | None
    skip_reason: str | None = None
    detail: str = ""
    #: Dates this page shows beside links to other pages (evidence for those pages).
    link_dates: list[LinkDate] = field(default_factory=list)
    #: The page's dates, also for a page that is not an article (None when it could not be read).
    dates: DateResult | None = None


_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+(?:['’-][^\W_]+)*")


def count_words(text: str) -> int:
    """Words of ``text``; in Chinese, Japanese and Korean each character counts as one."""
    return len(_WORD.findall(text))


def content_hash(text: str) -> str:
    """``sha256:<hex>`` of the text after NFC and whitespace normalisation."""
    return "sha256:" + hashlib.sha256(norm_text(text).encode("utf-8")).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


#: Signatures of binary formats a server may label ``text/html`` (PDF, images, archives, fonts, media).
_BINARY_MAGIC = (
    b"%PDF-", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b\x08",
    b"RIFF", b"OggS", b"\x7fELF", b"\x00asm", b"wOFF", b"wOF2", b"7z\xbc\xaf\x27\x1c", b"\xfd7zXZ\x00", b"II*\x00",
    b"MM\x00*", b"\x00\x00\x01\x00", b"%!PS-Adobe", b"\xd0\xcf\x11\xe0",
)  # fmt: skip
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
#: Share of bad characters (U+FFFD, control characters) above which a body is not text.
_MAX_BAD_SHARE = 0.05


def _looks_binary(body: bytes) -> bool:
    head = body[:64].lstrip()
    return head.startswith(_BINARY_MAGIC) or head[4:8] == b"ftyp"  # ftyp: MP4, MOV, HEIF, AVIF


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a byte that is not UTF-8 in a mostly UTF-8 body is read as windows-1252
    (the usual stray byte: a curly quote pasted from a word processor)."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("cp1252", "replace"), err.end


codecs.register_error("euspider-cp1252", _cp1252_fallback)


#: Control characters other than tab, line feed, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _bad_share(text: str) -> float:
    sample = text[:20000]
    bad = sample.count("\ufffd") + len(_CONTROL.findall(sample))
    return bad / max(len(sample), 1)


def _decode_bytes(body: bytes, content_type: str | None) -> str:
    """The text of an HTML body, whatever its declaration says.

    A byte-order mark wins, then a declared UTF-16/32. Bytes that are valid UTF-8 are UTF-8 whatever
    the declaration (``iso-8859-1`` and ``gb2312`` are declared for UTF-8 pages by misconfigured
    servers and re-encoded archives; legacy text is almost never valid UTF-8 by accident). Otherwise
    the charsets the page declares (HTTP header, then ``<meta>``) are tried in turn, and when they fail
    (a windows-1252 page served as UTF-8) a body that is mostly UTF-8 keeps UTF-8 with its stray bytes
    read as windows-1252, and any other is decoded with the encoding charset_normalizer detects.
    """
    bom, bom_bytes = read_bom(body)
    if bom:
        return body[len(bom_bytes) :].decode(bom, "replace")
    declared = [http_content_type_encoding(content_type) if content_type else None, html_body_declared_encoding(body)]
    declared_set = [enc for enc in declared if enc]
    if declared_set and declared_set[0].startswith(("utf-16", "utf-32")):
        return body.decode(declared_set[0], "replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in dict.fromkeys(declared_set):
        if encoding == "utf-8":
            continue
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _bad_share(text) <= _MAX_BAD_SHARE:
            return text
    non_ascii = len(_NON_ASCII.findall(body))
    in_utf8 = sum(len(m) for m in _UTF8_SEQUENCE.findall(body))
    if in_utf8 >= 0.5 * non_ascii:
        return body.decode("utf-8", "euspider-cp1252")
    from charset_normalizer import from_bytes  # imported lazily: needed only for mislabelled bodies

    guess = from_bytes(body).best()
    encoding = guess.encoding if guess is not None else "cp1252"
    try:
        return body.decode(encoding, "replace")
    except LookupError:
        return body.decode("cp1252", "replace")


def decode(body: bytes | str, headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, skip_reason)`` for an HTTP body and its headers.

    ``not_html``: a content type other than HTML, or a binary format (PDF, an image...) whatever its
    label. ``undecodable``: the body does not read as text in any encoding (random bytes).
    """
    if isinstance(body, str):
        return (body, None) if body.strip() else (None, "empty_body")
    if not body or not body.strip():
        return None, "empty_body"
    content_type = _header(headers, "content-type")
    if content_type and not content_type.split(";")[0].strip().lower().startswith(HTML_TYPES):
        return None, "not_html"
    if _looks_binary(body):
        return None, "not_html"
    text = _decode_bytes(body, content_type)
    if _bad_share(text) > _MAX_BAD_SHARE:
        return None, "undecodable"
    return text, None


def _parse_crawled_at(value: datetime | str | None, headers: Mapping[str, str]) -> datetime | None:
    """The capture time: given explicitly, else the archive's ``Memento-Datetime``, else unknown."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    raw = value or _header(headers, "memento-datetime")
    if not raw:
        return None
    parsed, _ = parse_date(raw)
    if parsed is None or not isinstance(parsed.value, datetime):
        raise ValueError(f"crawled_at must be an aware ISO 8601 datetime, got {raw!r}")
    return parsed.value.astimezone(UTC)


_BULLET = re.compile(r"^\s*[-•*]\s+")
_ATOMS = frozenset({str, int, float, bool, type(None)})


def _record(value: Any) -> Any:
    """``dataclasses.asdict`` for a record: dataclasses become dicts, lists and dicts are copied, and
    strings, numbers, booleans and None are kept as they are (what asdict's deep copy does with
    them), without its generic dispatch and a ``deepcopy`` call for every string of the evidence."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is list or kind is tuple:
        return kind(_record(item) for item in value)
    if kind is dict:
        return {_record(key): _record(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _record(getattr(value, f.name)) for f in fields(value)}
    return deepcopy(value)


class ArticleExtractor:
    """Extraction options built once and reused for every page (trafilatura's ``Extractor`` too)."""

    def __init__(self, options: ExtractOptions | None = None) -> None:
        self.options = options or ExtractOptions()
        self.profiles = self.options.profiles if self.options.profiles is not None else builtin_profiles()
        self._trafilatura = TrafilaturaOptions(
            output_format="python", comments=False, tables=True, with_metadata=False, formatting=False
        )

    def profile_for(self, url: str) -> Profile | None:
        return profile_for(url, self.profiles)

    def extract(
        self,
        html: bytes | str,
        url: str,
        *,
        crawled_at: datetime | str | None = None,
        headers: Mapping[str, str] | None = None,
        link_context: Sequence[Mapping[str, Any]] = (),
        anchors: Sequence[Anchor] = (),
        now: datetime | None = None,
    ) -> Outcome:
        """Extract one page. When neither ``crawled_at`` nor a ``Memento-Datetime`` header gives the
        capture time, ``now`` must be passed: it bounds the dates (the clock is never read here)."""
        headers = dict(headers or {})
        text, reason = decode(html, headers)
        if text is None:
            return Outcome(None, reason, SKIP_REASONS[reason or ""])
        tree = parse_html(text)
        if tree is None:
            return Outcome(None, "unparseable", SKIP_REASONS["unparseable"])
        with text_cache(tree):  # the link texts link_list reads are read again by the later steps
            crowded = link_list(tree)
            if crowded:  # before the costly steps: trafilatura spends tens of seconds on 100,000 links
                return Outcome(None, "listing", crowded)
            return self._extract_tree(
                tree,
                url,
                headers=headers,
                crawled_at=_parse_crawled_at(crawled_at, headers),
                link_context=link_context,
                anchors=anchors,
                now=now,
            )

    def _extract_tree(
        self,
        tree: HtmlElement,
        url: str,
        *,
        headers: dict[str, str],
        crawled_at: datetime | None,
        link_context: Sequence[Mapping[str, Any]],
        anchors: Sequence[Anchor],
        now: datetime | None,
    ) -> Outcome:
        profile = self.profile_for(url)
        body_selector = ", ".join(profile.body) if profile and profile.body else None
        marks = boilerplate.Marks()
        kept = boilerplate.mark_hidden(tree, marks)
        scope = find_article_scope(tree, body_selector, skip=boilerplate.is_marked)
        boilerplate.mark(tree, scope=scope, profile_rules=dict(profile.remove) if profile else None, marks=marks)
        headline = boilerplate.story_headline(tree, scope)  # the standfirst and the lead are found beside it
        boilerplate.mark_standfirst(tree, scope, marks, headline=headline)
        date_inputs = DateInputs(
            url=url,
            headers=headers,
            crawled_at=crawled_at,
            fallback_bound=now,
            article_id=profile.article_id(url) if profile else None,
            anchors=anchors,
            id_of=profile.article_id if profile else None,
            stamp_selectors=profile.stamp if profile else (),
            link_context=link_context,
        )
        # the page's date stamp goes with the chrome, so that no date search of the pruned page reads it
        date_inputs.stamps = find_stamp(tree, date_inputs, scope)
        for stamp in date_inputs.stamps[:1]:
            element = stamp.extra.get("element")
            if element is not None and element is not scope and (scope is None or not is_inside(scope, element)):
                marks.add(element, "date_banner")
                stamp.extra["pruned"] = boilerplate.is_marked(element)
        pruned = boilerplate.pruned_copy(tree, marks, kept=bool(kept))
        options = copy(self._trafilatura)
        options.url = options.source = url
        document = bare_extraction(pruned, options=options)
        raw_text = (document.text if document is not None else "") or ""
        lines = [_BULLET.sub("", norm_space(line)) for line in raw_text.split("\n")]
        captions = [element for element, kind in marks.items if kind == "caption"]
        meta = _metadata(tree, pruned, url, headers, scope, captions=captions)
        titles = link_titles(tree, url, lines)
        text, dropped = boilerplate.text_filter("\n".join(line for line in lines if line), titles)
        text, heads = strip_headline(
            text,
            meta["title"],
            scope,
            headline=visible_text(headline) if headline is not None else None,
            declared=_DECLARED_TITLES(tree),
        )
        text = restore_lead(text, scope, headline=headline)
        text = _drop_kickers(text, tree, headline, heads)
        text, about_author = boilerplate.author_lines(text, meta["authors"])
        dropped.update(heads)
        dropped.update(about_author)
        removed = marks.counts()
        for kind, count in dropped.items():
            removed[kind] = removed.get(kind, 0) + count

        # dates come before the article test: a dropped page still reports its link dates
        date_inputs.title = meta["title"]
        date_inputs.text = text
        dates, link_dates = date_page(
            tree, date_inputs, scope=scope, removed=marks.elements, pruned_tree=pruned, settings=self.options.dates
        )

        words = count_words(text)
        if body_selector and not tree.cssselect(body_selector):
            skip: tuple[str, str] | None = (
                "no_main_text",
                f"the site's story body ({body_selector}) is absent: a page of promos or links only",
            )
        else:
            skip = self._not_article(
                text, words, len(link_dates), titles, tree, url=url, before_filters="\n".join(lines)
            )
        if skip is not None:
            return Outcome(None, skip[0], skip[1], link_dates, dates)

        cut = boilerplate.paywall_cut(
            tree, marks, scope, profile.paywall_cut if profile else (), profile.paywall_markers if profile else ()
        )
        residue = boilerplate.residue(text, profile.paywall_markers if profile else ())
        article = Article(
            url=url,
            canonical_url=meta["canonical_url"] or url,
            site=(urlsplit(url).hostname or "").lower().removeprefix("www.") or None,
            title=meta["title"],
            authors=meta["authors"],
            **language.identify(text, meta["language"]).fields(),
            description=meta["description"],
            text=text,
            word_count=words,
            paywall_truncated=cut,
            paywall="truncated" if cut else "metered" if _metered(kept, text) else None,
            boilerplate=Boilerplate(
                removed=dict(sorted(removed.items())), residue=residue, profile=profile.name if profile else None
            ),
            published=dates.published,
            published_precision=dates.published_precision,
            published_earliest=dates.published_earliest,
            published_latest=dates.published_latest,
            published_source=dates.published_source,
            modified=dates.modified,
            page_date_stamp=dates.page_date_stamp,
            crawled_at=dates.crawled_at,
            date_mismatch=dates.date_mismatch,
            date_evidence=dates.evidence,
            content_hash=content_hash(text),
        )
        return Outcome(_record(article), None, "", link_dates, dates)

    def _not_article(
        self,
        text: str,
        words: int,
        dated_links: int,
        titles: frozenset[str],
        tree: HtmlElement | None = None,
        *,
        url: str = "",
        before_filters: str = "",
    ) -> tuple[str, str] | None:
        if words == 0:
            return "no_main_text", SKIP_REASONS["no_main_text"]
        share = _link_title_share(text, titles)
        if share >= self.options.listing_link_share:
            return "listing", f"{share:.0%} of the text is titles of links to other pages"
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if len(lines) >= _MIN_LINES_TO_JUDGE:
            anchors = {visible_text(a) for a in tree.iter("a") if a.get("href")} if tree is not None else set()
            linked = _share(lines, lambda line: line in anchors)
            if linked >= _LINK_TEXT_SHARE:
                return "listing", f"{linked:.0%} of the text is the text of links: a list of links, not a story"
            repeated = _share(lines, _repeats())
            if repeated >= _REPEATED_SHARE:
                return "repetitive", f"{repeated:.0%} of the text repeats lines already in it"
        if words < self.options.min_words:
            # the line filters take runs of other stories' headlines out: what is left of a list is short,
            # and the text as extracted tells what the page was
            share = _link_title_share(before_filters, titles)
            if share >= self.options.listing_link_share:
                return "listing", f"{share:.0%} of the extracted text is titles of links to other pages"
        if words < self.options.min_words and dated_links >= 3:
            return "listing", f"{words} words of text beside {dated_links} dated links to other pages"
        if words < self.options.min_words:
            return "too_short", f"{words} words, fewer than {self.options.min_words}"
        # a page of teasers or of links (homepages, sections, archives): what a crawl of a site without
        # a profile fetches besides stories
        if tree is None:
            return None
        return pagetype.judge(
            text,
            dated_links,
            titles,
            links=lambda: pagetype.link_texts(tree),
            teasers=lambda: pagetype.teaser_text(tree, url),
        )


#: A text needs this many lines before its lines' kinds (link texts, repeats) say what the page is.
_MIN_LINES_TO_JUDGE = 10
#: Share of the text in lines that are the text of a link (any link) from which a page is a list of links.
_LINK_TEXT_SHARE = 0.7
#: Share of the text in lines that repeat an earlier line from which a page is not a story.
_REPEATED_SHARE = 0.8
#: A page with this many links, nearly all of its text in them, is a list of links (decided before
#: extraction, which would spend tens of seconds on it)...
_LINK_LIST_MIN_LINKS = 1000
_LINK_LIST_SHARE = 0.8
#: ... unless its paragraphs hold a story: this many words of prose outside links (a short story under a
#: site's menu of a thousand links or more is still a story) ...
_LINK_LIST_STORY_WORDS = pagetype.LISTING_BODY_WORDS
#: ... and it has fewer links than this (extraction time grows with the links: about 3 s for 50,000).
_LINK_LIST_MAX_LINKS = 20_000


def _share(lines: Sequence[str], test: Callable[[str], bool]) -> float:
    """Share of the characters of ``lines`` in the lines that pass ``test`` (called once per line, in order)."""
    total = sum(len(line) for line in lines)
    return sum(len(line) for line in lines if test(line)) / total if total else 0.0


def _repeats() -> Callable[[str], bool]:
    """A test that is true for a line seen before (in the order it is called)."""
    seen: set[str] = set()

    def test(line: str) -> bool:
        if line in seen:
            return True
        seen.add(line)
        return False

    return test


def link_list(tree: HtmlElement) -> str | None:
    """Why the page is a bare list of links (many links, little else), or None. Cheap: no extraction."""
    links = [a for a in tree.iter("a") if a.get("href")]
    if len(links) < _LINK_LIST_MIN_LINKS:
        return None
    linked = sum(len(visible_text(a)) for a in links)
    body = tree.find("body")
    total = len(visible_text(body if body is not None else tree))
    if not total or linked < _LINK_LIST_SHARE * total:
        return None
    if len(links) < _LINK_LIST_MAX_LINKS and _paragraph_prose(tree) >= _LINK_LIST_STORY_WORDS:
        return None
    return f"{len(links)} links hold {linked / total:.0%} of the page's text: a list of links, not a story"


def _paragraph_prose(tree: HtmlElement) -> int:
    """Words of prose in the page's paragraphs (``<p>``, or a ``<div>`` used as one) that are not
    mostly the text of links (counted up to what a story needs)."""
    words = 0
    for paragraph in paragraph_blocks(tree.iter("p", "div")):
        text = visible_text(paragraph)
        if not text or 2 * sum(len(visible_text(a)) for a in paragraph.iter("a")) > len(text):
            continue
        words += pagetype.prose_words(text)
        if words >= _LINK_LIST_STORY_WORDS:
            break
    return words


def _metered(kept: Sequence[HtmlElement], text: str) -> bool:
    """Whether the text holds story paragraphs the page hid behind a paywall."""
    if not any(block.get(boilerplate.KEPT) == "paywall" for block in kept):
        return False
    flat = norm_space(text)
    for block in kept:
        if block.get(boilerplate.KEPT) == "paywall":
            paragraphs = [visible_text(p) for p in block.iter("p")]
            if any(len(p) >= 80 and p[:60] in flat for p in paragraphs):
                return True
    return False


_TITLE_SPLIT = re.compile(r"\s+[|–—\-»«·•~/]\s+|\s*::\s*|:\s+")


#: Characters a headline may carry in one copy and not the other: soft hyphens and zero-width marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
#: Words a line may hold beside the headline and still be the headline: a kicker ("Volleyball | ..."),
#: an exclamation, the site's name.
_HEADLINE_EXTRA = 4


def _headline_key(text: str) -> str:
    """A headline's words, lower-cased, without its punctuation, dashes, quotes and soft hyphens: two
    copies of one headline set in different type give the same key."""
    return " ".join(WORDS.findall(text.translate(_INVISIBLE).lower()))


def _title_variants(title: str) -> set[str]:
    """The title and its parts around separators ("Opinion | Is Football Violence a Crime?"), as keys."""
    variants = {title}
    for part in _TITLE_SPLIT.split(title):
        if len(part.split()) >= 3:
            variants.add(part)
    # a headline with a dash of its own, beside the site's name: "Reviews Are Here — And Not Great - Digg"
    for separator in _TITLE_SPLIT.finditer(title):
        for part in (title[: separator.start()], title[separator.end() :]):
            if len(part.split()) >= 3:
                variants.add(part)
    return {key for key in map(_headline_key, variants) if key}


def _is_headline(line: str, variants: set[str]) -> bool:
    """Whether ``line`` is one of the headline's copies, or one with a few words of a kicker or the
    site's name beside it (never a sentence: a line that ends with a full stop is prose)."""
    key = _headline_key(line)
    if not key:
        return False
    if key in variants:
        return True
    if line.rstrip().endswith("."):
        return False
    for variant in variants:
        if len(variant.split()) >= 4 and (key.endswith(f" {variant}") or key.startswith(f"{variant} ")):
            if len(key.split()) - len(variant.split()) <= _HEADLINE_EXTRA:
                return True
        elif key.startswith(f"{variant} ") and len(key.split()) - len(variant.split()) <= _SUBTITLE_WORDS:
            # a short headline and its subtitle after a dash or a colon ("KRÄHENJAGD: So wird gelockt")
            words = r"\W+".join(map(re.escape, variant.split()))
            if re.match(rf"^\W*{words}\s*[–—:|-]\s", line.translate(_INVISIBLE).lower()):
                return True
    return False


#: Most words of the subtitle set after a short headline on the headline's line.
_SUBTITLE_WORDS = 12


#: Most words of a kicker: the section or topic label set above a headline ("Atomkraft", "Singapore").
_KICKER_WORDS = 4
#: How a sentence ends, in the scripts of the news.
_SENTENCE_END = (".", "!", "?", "…", '"', "”", "“", "»", "«", "'", "’", ")", "。", "！", "？", "।", "॥", "؟", "۔")


def _kicker(line: str) -> bool:
    """A short label without a sentence's end: what a template sets above the headline."""
    stripped = line.strip()
    words = len(stripped.split())
    return 0 < words <= _KICKER_WORDS and not stripped.endswith((*_SENTENCE_END, ":"))


#: The titles a page declares besides the record's: ``<title>``, ``og:title``, ``twitter:title``.
_DECLARED_TITLES = etree.XPath(
    "//head/title/text() | //meta[@property='og:title' or @name='og:title' or @name='twitter:title']/@content",
    smart_strings=False,
)


def strip_headline(
    text: str,
    title: str | None,
    scope: HtmlElement | None,
    headline: str | None = None,
    declared: Sequence[str] = (),
) -> tuple[str, Counter[str]]:
    """Drop the headline from the top of the text: it is the record's ``title`` (or the page's
    ``headline`` element, when the page titles itself otherwise), not the story's first paragraph.
    The first of the first four lines that is either goes, with a second copy right below it and
    the short labels above it (a kicker). Lines above the title that are not part of the article (a
    sidebar the extractor picked up) go too; the standfirst stays, it is written as part of the
    story. When none of the first four lines is the headline, it goes from the text's last three
    lines, with its kicker, when only short lines (a byline) follow it."""
    lines = text.split("\n")
    dropped: Counter[str] = Counter()
    titled = _title_variants(title) if title else set()
    for other in declared:
        if len(other.split()) >= 3:
            titled |= _title_variants(other)
    shown = _title_variants(headline) if headline and len(headline.split()) >= 3 else set()
    for index, line in enumerate(lines[:4]):
        by_title = bool(titled) and _is_headline(line, titled)
        if not by_title and not (shown and _is_headline(line, shown)):
            continue
        dropped["headline"] += 1
        before = [b for b in lines[:index] if not _kicker(b)]
        if by_title and before:
            # above the record's title, what is not in the article is page furniture
            story = norm_space(visible_text(scope)) if scope is not None else ""
            before = [b for b in before if norm_space(b)[:80] in story]
        if index > len(before):
            dropped["before_headline"] += index - len(before)
        lines = before + _after_headline(lines[index + 1 :], titled | shown, dropped)
        break
    else:
        # after a body of bare text and line breaks, trafilatura sets the article's header at the end
        # of the text: the headline (a badge or a kicker above it), then short lines (the byline)
        for index in range(len(lines) - 1, max(len(lines) - 4, 0), -1):
            line = lines[index]
            if (titled and _is_headline(line, titled)) or (shown and _is_headline(line, shown)):
                start = index
                while start > 1 and index - start < 2 and _kicker(lines[start - 1]):
                    start -= 1
                dropped["headline"] += 1
                if index > start:
                    dropped["before_headline"] += index - start
                lines = lines[:start] + lines[index + 1 :]
                break
            if len(line.split()) > _HEADER_LINE_WORDS or line.rstrip().endswith(_SENTENCE_END):
                break  # story text: the header's lines are short and no sentences
    return "\n".join(lines), dropped


#: Words of a line of an article's header after its headline (a byline with the date and reading time).
_HEADER_LINE_WORDS = 12


def _drop_kickers(text: str, tree: HtmlElement, headline: HtmlElement | None, dropped: Counter[str]) -> str:
    """Drop the short labels that open the text and that the page sets before its headline: a
    section, a topic, the site's name ("ESPORTE", "Atomkraft"). The story comes after its headline."""
    if headline is None or not text:
        return text
    lines = text.split("\n")
    if not _kicker(lines[0]):
        return text
    above: set[str] = set()
    for element in tree.iter():
        if element is headline:
            break
        if isinstance(element.tag, str) and element.text and element.text.strip():
            above.add(norm_space(element.text))
    count = 0
    while count < min(2, len(lines) - 1) and _kicker(lines[count]) and norm_space(lines[count]) in above:
        count += 1
    if count:
        dropped["before_headline"] += count
    return "\n".join(lines[count:])


def _after_headline(rest: list[str], variants: set[str], dropped: Counter[str]) -> list[str]:
    """The lines after the headline without a second copy of it right below (a page that sets its
    headline twice, for two screen sizes)."""
    while rest and _headline_key(rest[0]) in variants:
        dropped["headline"] += 1
        rest = rest[1:]
    return rest


# a subheadline (dek, standfirst, abstract) sums the story up; it is not its lead paragraph (see
# boilerplate.mark_standfirst)
_LEAD_CLASS = re.compile(r"lead|intro|teaser|summary|description|excerpt|chapeau|vorspann", re.I)
_STORY_PARAGRAPH = 80


def restore_lead(text: str, scope: HtmlElement | None, *, headline: HtmlElement | EllipsisType | None = ...) -> str:
    """Put back the story's lead paragraph when the extractor dropped it.

    Many sites set the first paragraph apart ("teaser", "intro", "lead") before the body, and
    trafilatura takes those classes for boilerplate. A lead is kept when it sits in the article
    before the first body paragraph, is prose (12 to 120 words, not a link), is not marked as
    boilerplate, and is not in the text already. ``headline`` is the page's
    :func:`~euspider.boilerplate.story_headline` when the caller has it already.
    """
    if scope is None or not text:
        return text
    flat = norm_space(text)
    # a story element without the headline: the lead may be set with the headline, before it
    for element in _beside_headline(scope, headline):
        lead = _lead_text(element, flat)
        if lead is not None:
            return lead + "\n" + text
    for element in scope.iter("p", "div", "h2", "span"):
        if (
            element.tag == "p"
            and len(visible_text(element)) >= _STORY_PARAGRAPH
            and not _LEAD_CLASS.search(classes_and_id(element))
        ):
            break  # the body has started
        lead = _lead_text(element, flat)
        if lead is not None:
            opened = _open_with(lead, text, scope)
            if opened is not None:
                return opened
    return _restore_bare_lead(text, scope, flat)


def _open_with(lead: str, text: str, scope: HtmlElement) -> str | None:
    """The text with ``lead`` set before its first body paragraph, or None when the lead comes after
    that paragraph in the story's element: a lead opens the story (a teaser of another story below a
    body without paragraph elements does not). Shorter lines before the body (a second headline)
    stay before the lead, as on the page."""
    lines = text.split("\n")
    body = next((index for index, line in enumerate(lines) if len(line) >= _STORY_PARAGRAPH), 0)
    shown = norm_space(visible_text(scope))
    start = shown.find(norm_space(lines[body])[:60])
    position = shown.find(norm_space(lead)[:60])
    if 0 <= start < position:
        return None
    before = body if 0 <= position and all(0 <= shown.find(line[:60]) < position for line in lines[:body]) else 0
    return "\n".join([*lines[:before], lead, *lines[before:]])


#: What opens a teaser of another story rather than a lead: "Lesen Sie auch 14/08/2021 Polen: ...".
_TEASER_OPENING = re.compile(
    r"^(?:read (?:more|also|next)|also read|see also|lesen sie (?:auch|mehr)|schon gelesen|auch interessant|"
    r"lea también|lee también|leia também|(?:à )?lire aussi|leggi anche|lees ook|czytaj (?:też|także|również)|"
    r"zobacz (?:też|także))\b",
    re.IGNORECASE,
)
#: Script source a page left as text: "(function() { document.addEventListener(...".
_CODE = re.compile(r"\bfunction\s*\(|\bdocument\.\w|\bvar \w+ =|=>\s*\{")


def _not_a_lead(text: str) -> bool:
    """Whether a block set apart before the body is something else than the story's lead: a line of
    boilerplate or a call to action, a teaser of another story, a row of metadata ("Nachricht |
    30.10.2021 ..."), or script source."""
    return bool(
        boilerplate.line_kind(text)
        or boilerplate.prompt_kinds(text)
        or _TEASER_OPENING.match(text)
        or " | " in text[:60]
        or _CODE.search(text)
    )


def _lead_text(element: HtmlElement, flat: str) -> str | None:
    """The element's text when it is a lead paragraph set apart (see :func:`restore_lead`) missing
    from the text ``flat``, else None."""
    if not _LEAD_CLASS.search(classes_and_id(element)) or boilerplate.is_marked(element):
        return None
    if element.tag == "h1" or element.find(".//h1") is not None:
        return None  # the headline's own block ("intro" holding the h1): the headline is the title
    lead = visible_text(element)
    words = len(lead.split())
    if not 12 <= words <= 120 or lead[:60] in flat or not lead.rstrip().endswith(_SENTENCE_END):
        return None  # a lead is prose that ends as a sentence does; a dek or a kicker often does not
    if element.xpath("ancestor-or-self::figure or ancestor-or-self::figcaption") or _not_a_lead(lead):
        return None  # a lead picture's caption, or boilerplate, is no lead paragraph
    links = sum(len(visible_text(a)) for a in element.iter("a"))
    return None if links > 0.5 * len(lead) else lead


def _beside_headline(scope: HtmlElement, headline: HtmlElement | EllipsisType | None = ...) -> list[HtmlElement]:
    """Blocks set after the page's headline, beside it, when the headline is outside the story's
    element and before it (an article header apart from the article body)."""
    if headline is ...:
        headline = boilerplate.story_headline(scope.getroottree().getroot(), scope)
    if headline is None or is_inside(headline, scope) or not precedes(headline, scope):
        return []
    found = []
    for sibling in list(headline.itersiblings())[:6]:
        if not isinstance(sibling.tag, str) or is_inside(scope, sibling):
            break
        found += [e for e in sibling.iter("p", "div") if _LEAD_CLASS.search(classes_and_id(e))]
    return found


def _restore_bare_lead(text: str, scope: HtmlElement, flat: str) -> str:
    """Put back the story's opening when it is bare text at the start of the story's block, before
    the block's first element (``<div class="content">The minister said...<br>``, or before the
    first subheading): extractors keep the block's paragraphs and drop that leading text. It is
    restored when it is prose (12 words or more, not a call to action), is not in a marked block,
    a figure or a link, and the block also holds the text's first line (so it opens the story)."""
    first = norm_space(text.split("\n", 1)[0])[:60]
    if not first:
        return text
    for element in scope.iter("div", "section", "article", "td"):
        lead = norm_space(element.text)
        if len(lead) < _STORY_PARAGRAPH or len(lead.split()) < 12 or lead[:60] in flat:
            continue
        if boilerplate.is_marked(element) or element.xpath("ancestor-or-self::figure or ancestor::a"):
            continue
        if first not in visible_text(element) or _not_a_lead(lead):
            continue
        # the leading text runs up to the block's first child block (inline elements are part of it)
        raw = element.text or ""
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _INLINE:
                break
            if isinstance(child.tag, str):
                raw += "".join(child.itertext())
            raw += child.tail or ""
        return norm_space(raw) + "\n" + text
    return text


_INLINE = {"a", "em", "strong", "b", "i", "span", "abbr", "cite", "code", "q", "small", "sub", "sup", "u", "mark"}


#: Links whose text could be a headline (15 characters or more), found by lxml without building the
#: text of every menu link in Python.
_LONG_LINKS = etree.XPath("//a[string-length(normalize-space()) >= 15]")


def link_titles(tree: HtmlElement, url: str, lines: Iterable[str]) -> frozenset[str]:
    """Which of ``lines`` are the text of a link to another page (a headline, not prose)."""
    candidates = {line.strip() for line in lines if len(line.strip()) >= 15}
    # a pointer to another story set in brackets: "[Our latest forecast: who will win?]"
    candidates |= {line[1:-1].strip() for line in candidates if line[0] == "[" and line[-1] == "]"}
    titles = set()
    for link in _LONG_LINKS(tree):
        title = visible_text(link)
        if title in candidates and title not in titles:
            target = absolute(url, link.get("href"))
            if target and target.rstrip("/") != url.rstrip("/"):
                titles.add(title)
    return frozenset(titles)


def _link_title_share(text: str, titles: frozenset[str]) -> float:
    """Share of the text's characters in lines that are the titles of links to other pages."""
    lines = [line for line in text.split("\n") if line.strip()]
    total = sum(len(line) for line in lines)
    linked = sum(len(line) for line in lines if line.strip() in titles)
    return linked / total if total else 0.0


#: What trafilatura's author search (``extract_author``) looks for in class, id, itemprop, rel,
#: data-testid and data-component values (in upper or lower case): without any of these in the page,
#: and without an ``author`` or ``rel`` element, it cannot find an author.
_AUTHOR_MARKUP = (
    "author", "byl", "bbl", "username", "channel-name", "zuozhe", "bianji", "xiaobian", "submitted-by",
    "posted-by", "journalist-name", "screenname", "writer",
)  # fmt: skip


#: The attribute values trafilatura's author search tests (one list from lxml, no Python walk).
_AUTHOR_ATTRIBUTES = etree.XPath(
    "//@class | //@id | //@itemprop | //@rel | //@data-testid | //@data-component", smart_strings=False
)


def _may_name_author(tree: HtmlElement) -> bool:
    """False when no attribute of ``tree`` that trafilatura's author search tests holds one of the
    words it needs, and the tree has no ``author`` or ``rel`` element: the search (a copy of the tree
    and three XPath searches with regular expressions, milliseconds) is then skipped, with the same
    result."""
    if next(tree.iter("author", "rel"), None) is not None:
        return True
    values = " ".join(_AUTHOR_ATTRIBUTES(tree)).lower()
    return any(word in values for word in _AUTHOR_MARKUP)


def _metadata(
    tree: HtmlElement,
    pruned: HtmlElement,
    url: str,
    headers: Mapping[str, str],
    scope: HtmlElement | None,
    *,
    captions: Sequence[HtmlElement] = (),
) -> dict[str, Any]:
    """Title, authors, description, canonical URL and language, from markup and headers.

    Authors come from the page without its boilerplate: a side list's "author" (the organisation
    behind a sponsored item) is not the story's. The one exception is the blocks among ``captions``
    (those that went as picture captions and credits) inside the story's element: when nothing else
    names the author, they may ("Text: Jane Doe").
    """
    try:
        meta = examine_meta(pruned)
        if meta.author and " " not in meta.author.strip():
            meta.author = None  # one word in a <meta>: a user name or the site's, not a byline
        meta = extract_meta_json(pruned, meta)
    except Exception as err:  # noqa: BLE001 - trafilatura's metadata helpers choke on odd markup
        logger.debug("metadata extraction failed on %s: %s", url, err)
        meta = None
    title = _title(tree, scope, (meta.title if meta else None) or extract_title(tree))
    authors = _authors((meta.author if meta else None) or "")
    if not authors and scope is not None:
        authors = _authors("; ".join(visible_text(a) for a in scope.xpath(".//a[@rel='author']")))
    if not authors and _may_name_author(pruned):
        authors = _shown(_authors(extract_author(pruned) or ""), tree)
    # the story's own credits block ("Text: Jane Doe") goes with the picture credits, taking the
    # byline with it: inside the story's element, its author markup is the story's
    for block in () if authors or scope is None else captions:
        if is_inside(block, scope) and _may_name_author(block) and (authors := _authors(extract_author(block) or "")):
            break
    if not authors and scope is not None:
        authors = _profile_links(scope, url)
    canonical = None
    for link in tree.xpath('//link[@rel="canonical"]/@href'):
        canonical = absolute(url, link)
        break
    if canonical is None and meta is not None and meta.url:
        canonical = absolute(url, meta.url)
    return {
        "title": norm_space(title) or None,
        "authors": authors,
        "description": norm_space(meta.description) if meta and meta.description else None,
        "canonical_url": canonical,
        "language": _language(tree, headers),
    }


#: Names a page gives where a byline goes that name no person: roles, accounts and placeholders.
_NOT_AUTHORS = frozenset(
    {
        "admin", "administrator", "webmaster", "wordpressadmin", "publisher", "editor", "editors", "redaktion",
        "rédaction", "redacción", "redazione", "redactie", "staff", "guest", "anonymous", "unknown", "user",
    }
)  # fmt: skip
#: A name has at most this many words; a longer "author" is a sentence the markup put there.
_MAX_NAME_WORDS = 6


#: The path of a writer's page on a news site or a publishing platform: "/author/jane-doe",
#: "/profile/jdoe", "/autor/...", "/@janedoe" ("/people/" and "/topics/" pages are about the people a
#: story covers).
_PROFILE_PATH = re.compile(
    r"/(?:authors?|profiles?|writers?|journalists?|contributors?|staff|columnists?|autor(?:en|es)?|auteurs?|"
    r"autori?|redakteur(?:e|in)?)/[^/?#]+/?$|/@[\w.-]+/?$",
    re.IGNORECASE,
)
#: A person's name as a byline links it: two to four capitalised words.
_LINKED_NAME = re.compile(
    r"^(?:[A-ZÀ-Þ][\w'’.-]+)(?:\s+(?:(?:de|da|van|von|der|le|la|al|bin)\s+)?[A-ZÀ-Þ][\w'’.-]+){1,3}$"
)


def _shown(names: list[str], tree: HtmlElement) -> list[str]:
    """The names the page shows as they are written, case aside: trafilatura's author search may
    string the words of a sentence together ("The Council She Joined The Paper" from a biography's
    "... and the council. She joined the paper in 2019")."""
    if not names:
        return names

    def key(text: str) -> str:  # case, spaces and initials' full stops aside
        return _SPACE.sub("", _INITIAL.sub(r"\1", text.lower()))

    shown = key(visible_text(tree))
    return [name for name in names if key(name) in shown]


#: An initial's full stop ("T. V. Raman"), which the author search leaves out.
_INITIAL = re.compile(r"\b(\w)\.")
_SPACE = re.compile(r"\s+")


def _profile_links(scope: HtmlElement, url: str) -> list[str]:
    """The names of the writers whose profile pages the story links before its body begins: a byline
    linking the name to the writer's page, marked up with no class or attribute that says so."""
    names = []
    for element in scope.iter("a", "p"):
        if element.tag == "p" and len(visible_text(element)) >= _STORY_PARAGRAPH:
            break  # the body has begun: a name linked in the story is someone it mentions
        if element.tag != "a":
            continue
        target = absolute(url, element.get("href"))
        name = visible_text(element)
        if target and _PROFILE_PATH.search(urlsplit(target).path) and _LINKED_NAME.match(name):
            names.append(boilerplate.BYLINE_PREFIX.sub("", name))
    return _authors("; ".join(names))


def _authors(raw: str) -> list[str]:
    """The names in an author field, split at ``;``, "and" and commas, without byline words, role
    accounts ("admin", "Publisher"), the writer's role ("By Jane Doe, Staff Writer") and sentences."""
    names = []
    for part in re.split(r";|\band\b|,(?!\s*(?:jr|sr)\b)", raw):
        name = boilerplate.BYLINE_PREFIX.sub("", norm_space(part))
        if (
            name
            and name.lower() not in _NOT_AUTHORS
            and len(name.split()) <= _MAX_NAME_WORDS
            and not boilerplate.ROLE.fullmatch(name)
        ):
            names.append(name)
    return list(dict.fromkeys(names))


def _title(tree: HtmlElement, scope: HtmlElement | None, declared: str | None) -> str | None:
    """The headline: the ``h1`` that the page's declared title (``og:title``, ``<title>``) names, else
    the declared title; an ``h1`` alone only when it is the article's or the page's only one (a page
    may use ``h1`` for its logo or menu)."""
    headings = [visible_text(h) for h in (scope.iter("h1") if scope is not None else ())]
    headings += [visible_text(h) for h in tree.iter("h1")]
    headings = [h for h in headings if h]
    if declared:
        lowered = norm_space(declared).lower()
        for heading in headings:
            if len(heading) >= 8 and heading.lower() in lowered:
                return heading
        return norm_space(declared)
    if scope is not None and headings and scope.find(".//h1") is not None:
        return headings[0]
    return headings[0] if len(set(headings)) == 1 else None


def _language(tree: HtmlElement, headers: Mapping[str, str]) -> str | None:
    values = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    values += tree.xpath(
        '//meta[@property="og:locale" or @http-equiv="content-language" or @http-equiv="Content-Language"]/@content'
    )
    values.append(_header(headers, "content-language"))
    for value in values:
        if value:
            code = re.split(r"[-_,; ]", value.strip().lower())[0]
            if re.fullmatch(r"[a-z]{2,3}", code):
                return code
    return None


_DEFAULT: ArticleExtractor | None = None


def extract_article(
    html: bytes | str,
    url: str,
    *,
    crawled_at: datetime | str | None = None,
    headers: Mapping[str, str] | None = None,
    link_context: Sequence[Mapping[str, Any]] = (),
    anchors: Sequence[Anchor] = (),
) -> dict[str, Any] | None:
    """The record the pipeline writes for this page, or None for a non-article (reason logged).

    ``crawled_at`` is the capture time (aware datetime or ISO 8601 text); without it the page's
    ``Memento-Datetime`` header is used, and failing that the record's ``crawled_at`` is null and
    dates are bounded by the time of this call.
    """
    global _DEFAULT  # noqa: PLW0603 - one extractor per process, built on first use
    if _DEFAULT is None:
        _DEFAULT = ArticleExtractor()
    outcome = _DEFAULT.extract(
        html,
        url,
        crawled_at=crawled_at,
        headers=headers,
        link_context=link_context,
        anchors=anchors,
        now=datetime.now(UTC),  # the API boundary: bounds dates only when the capture time is unknown
    )
    if outcome.record is None:
        logger.info("not an article (%s: %s): %s", outcome.skip_reason, outcome.detail, url)
    return outcome.record
