"""Is a page a story or a listing of stories? Judged from its extracted text (pure).

A crawl of a site without a profile fetches every page and lets the extractor decide, so the decision
must hold on homepages, section pages and archives, whose extracted text is a column of teasers:
headlines, a date and a byline per item, perhaps a one-sentence summary. A story has a *body*:
consecutive paragraphs of prose, sentences of several words that end in a full stop. So:

- a **prose line** has at least :data:`PROSE_WORDS` words, is not the text of a link to another page,
  and ends at least one sentence per :data:`WORDS_PER_SENTENCE` words (a line of headlines, dates and
  names has no full stops);
- the **body** is the longest run of consecutive prose lines, in words;
- a text without a single prose line is not a story when it is short (under :data:`SHORT_WORDS`
  words: a video page, navigation and a caption), made mostly of the texts of links (an index of
  months or sections) or of teaser lines (the last page of a section, with a teaser or two);
- a page showing dates beside :data:`DATED_LINKS` or more links to other pages, whose body is shorter
  than :data:`LISTING_BODY_WORDS` words and whose text holds the teasers' date lines ("4 May 2024 ·
  Anna Berg") is a listing;
- so is a page whose prose lies mostly inside its teasers (the one-sentence summaries under the
  headlines of a section page, which the text extractor may string together like paragraphs).

A story with a "Latest news" side list keeps its body of hundreds of words outside the side list; a
short news brief still has a paragraph of prose of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from lxml.html import HtmlElement

from .dom import absolute, dated_item_container, norm_space, visible_text

#: Words a line needs to count as prose.
PROSE_WORDS = 8
#: At most this many words per sentence end in a prose line.
WORDS_PER_SENTENCE = 45
#: Dated links to other pages from which a page without a story body is a listing.
DATED_LINKS = 5
#: Words of consecutive prose a page with many dated links needs to be a story.
LISTING_BODY_WORDS = 60
#: A text shorter than this needs one prose line to be a story.
SHORT_WORDS = 30
#: A block longer than this is no teaser (a whole article holding its own date).
TEASER_CHARS = 600

# full stops of Latin, CJK, Devanagari, Arabic, Armenian and Ethiopic scripts
_SENTENCE_END = re.compile(r"(?:[.!?…]|[。！？।॥؟۔։።])(?:[\"'”’“‘»«)\]」』]*)(?=\s|$)|[。！？]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?[./ -](?:\d{1,2}|[^\W\d_]{3,10}\.?)[./ -]\d{2,4}\b"
    r"|\b[^\W\d_]{3,10}\.? \d{1,2},? \d{4}\b|\b\d{4}-\d{2}-\d{2}\b"
)
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+(?:['’-][^\W_]+)*")


def prose_words(line: str, titles: Iterable[str] = ()) -> int:
    """Words of ``line`` if it is prose, else 0."""
    stripped = line.strip()
    if not stripped or stripped in (titles if isinstance(titles, frozenset | set) else set(titles)):
        return 0
    words = len(_WORD.findall(stripped))
    if words < PROSE_WORDS:
        return 0
    sentences = len(_SENTENCE_END.findall(stripped))
    if _CJK.search(stripped):  # a character is a word there: sentences run long
        return words if sentences else 0
    return words if sentences and words / sentences <= WORDS_PER_SENTENCE else 0


def body_words(text: str, titles: Iterable[str] = ()) -> int:
    """Words in the longest run of consecutive prose lines of ``text``."""
    titles = frozenset(titles)
    best = run = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        words = prose_words(line, titles)
        run = run + words if words else 0
        best = max(best, run)
    return best


def date_lines(text: str, titles: Iterable[str] = ()) -> int:
    """Dates in the lines of ``text`` that are not prose: the date and byline lines of teasers."""
    titles = frozenset(titles)
    return sum(len(_DATE.findall(line)) for line in text.split("\n") if not prose_words(line, titles))


def link_texts(tree: HtmlElement) -> frozenset[str]:
    """The visible text of every link of a page."""
    return frozenset(filter(None, (visible_text(a) for a in tree.iter("a"))))


def link_share(text: str, links: frozenset[str]) -> float:
    """Share of the text's characters in lines that are the text of a link."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    total = sum(len(line) for line in lines)
    return sum(len(line) for line in lines if line in links) / total if total else 0.0


def teaser_text(tree: HtmlElement, page_url: str) -> str:
    """The text of the page's teasers: small blocks holding a date beside a link to another page."""
    parts: list[str] = []
    seen: set[HtmlElement] = set()  # the elements themselves: an id() of a freed lxml proxy is reused
    for element in tree.iter("time"):
        container = dated_item_container(element)
        if container is None or container in seen:
            continue
        seen.add(container)
        if container.find(".//h1") is not None:  # the page's own headline: its article, not a teaser
            continue
        text = visible_text(container)
        if len(text) <= TEASER_CHARS and _links_away(container, page_url):
            parts.append(norm_space(text))
    return "\n".join(parts)


def _links_away(container: HtmlElement, page_url: str) -> bool:
    """Whether a block links to another page with a title of two words or more."""
    for anchor in container.iter("a"):
        target = absolute(page_url, anchor.get("href"))
        if target and target.rstrip("/") != page_url.rstrip("/") and len(visible_text(anchor).split()) >= 2:
            return True
    return False


def judge(
    text: str,
    dated_links: int,
    titles: Iterable[str] = (),
    links: Callable[[], frozenset[str]] = frozenset,
    teasers: Callable[[], str] = str,
) -> tuple[str, str] | None:
    """``(skip_reason, detail)`` for a page that is not a story by its text, else None. ``links``
    gives the page's link texts and ``teasers`` its teasers' text (asked for only when needed)."""
    titles = frozenset(titles)
    body = body_words(text, titles)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if dated_links >= DATED_LINKS and body < LISTING_BODY_WORDS:
        dates = date_lines(text, titles)
        if dates >= 3:
            return "listing", (
                f"dates beside {dated_links} links to other pages, {dates} teaser lines and no story body "
                f"({body} words of prose in a row)"
            )
    if dated_links and body:
        prose = [line for line in lines if prose_words(line, titles)]
        summaries = teasers()
        inside = sum(len(line) for line in prose if norm_space(line) in summaries)
        share = inside / sum(len(line) for line in prose)
        if share >= 0.5:
            return "listing", f"{share:.0%} of the prose is the summaries of teasers beside {dated_links} dated links"
    if body == 0:
        dates = date_lines(text, titles)
        if dated_links and dates >= min(dated_links, 2):  # the last page of a section: a teaser or two
            return "listing", f"no sentence of prose, {dates} teaser lines beside {dated_links} dated links"
        if len(_WORD.findall(text)) < SHORT_WORDS:
            return "too_short", "no sentence of prose: navigation, captions or a player only"
        share = link_share(text, links())
        if share >= 0.5:
            return "listing", f"no sentence of prose, and {share:.0%} of the text is the text of links"
    return None
