"""Small, pure helpers over lxml HTML trees, shared by extraction and dating."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urldefrag, urljoin

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlElementClassLookup,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.utils import is_dubious_html, repair_faulty_html

#: A word, as the text comparisons count them (headline copies, pull quotes against the story).
WORDS = re.compile(r"\w+")
HEADLINE_WORDS = 4  # a link text of this many words reads as a headline, not as a name or a label


def norm_space(text: str | None) -> str:
    """Collapse all whitespace runs to one space and strip (``str.split`` splits on the characters
    the regular expression ``\\s`` matches, at a fraction of its cost)."""
    return " ".join(text.split()) if text else ""


def norm_text(text: str) -> str:
    """Unicode NFC plus whitespace collapsing: the form texts are compared and hashed in."""
    return norm_space(unicodedata.normalize("NFC", text))


def _element_classes() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes (``FormElement`` for ``<form>``... ``HtmlElement`` for the rest),
    looked up by lxml itself: lxml.html's own lookup is a Python method, called for every element
    object lxml makes, and extraction, dating and trafilatura make millions of them."""
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
        )
    )
    by_tag = lookup.get_namespace(None)
    for tag, cls in HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = cls
    return lookup


#: trafilatura's parser settings (``trafilatura.utils.HTML_PARSER``), with the element classes above.
_PARSER = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True)
_PARSER.set_element_class_lookup(_element_classes())


def _parse_bytes(text: str) -> HtmlElement | None:
    try:
        return fromstring(text.encode("utf8", "surrogatepass"), parser=_PARSER)
    except Exception:  # noqa: BLE001 - as trafilatura: an unparseable page is None
        return None


def parse_html(text: str) -> HtmlElement | None:
    """The page's tree, exactly as ``trafilatura.utils.load_html`` parses a string (the same repairs,
    parser settings, fallback to bytes and rejection of what is not HTML), or None."""
    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(text, beginning)
    tree, from_bytes = None, False
    try:
        tree = fromstring(text, parser=_PARSER)
    except ValueError:  # a string with an encoding declaration
        tree, from_bytes = _parse_bytes(text), True
    except Exception:  # noqa: BLE001, S110 - as trafilatura: try the bytes next
        pass
    if (tree is None or len(tree) < 1) and not from_bytes:
        tree = _parse_bytes(text)
    if tree is not None and dubious and len(tree) < 2:
        return None
    return tree


_SKIP_TEXT = ("script", "style", "noscript", "template")
#: Texts already computed during one page's extraction (see :func:`text_cache`): the detectors ask
#: for the same paragraphs and blocks many times.
_TEXT_CACHE: ContextVar[dict[HtmlElement, str] | None] = ContextVar("visible_text_cache", default=None)


@contextmanager
def text_cache(tree: HtmlElement | None = None) -> Iterator[None]:
    """Remember :func:`visible_text` answers while the block runs (one page: the tree must not
    change its text meanwhile; marking attributes is fine).

    With ``tree``, the Python objects of its elements are made once and held while the block runs:
    the many walks of the page then find them instead of making and freeing new ones each time.
    """
    token = _TEXT_CACHE.set({})
    held = list(tree.iter()) if tree is not None else []
    try:
        yield
    finally:
        _TEXT_CACHE.reset(token)
        del held


def visible_text(element: HtmlElement) -> str:
    """Text of an element without scripts/styles, whitespace collapsed.

    lxml's own iteration when the element holds no script or style (most do not); a walk that skips
    them otherwise.
    """
    cache = _TEXT_CACHE.get()
    if cache is None:
        return _visible_text(element)
    text = cache.get(element)
    if text is None:
        text = cache[element] = _visible_text(element)
    return text


def _visible_text(element: HtmlElement) -> str:
    if not isinstance(element.tag, str) or element.tag in _SKIP_TEXT:
        return ""
    if not len(element):  # no children (most links, many paragraphs): its own text is all of it
        return " ".join(element.text.split()) if element.text else ""
    skipped = list(element.iter(*_SKIP_TEXT))
    if not skipped:
        return " ".join(" ".join(element.itertext()).split())
    # the blocks on the way down to a script or style are walked here; lxml reads the others' text
    mixed = {element}
    for node in skipped:
        parent = node.getparent()
        while parent is not None and parent not in mixed:
            mixed.add(parent)
            parent = parent.getparent()
    skip = set(_SKIP_TEXT)
    chunks: list[str] = []

    def walk(node: HtmlElement) -> None:
        if node.text:
            chunks.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in skip:
                if child in mixed:
                    walk(child)
                else:
                    chunks.extend(child.itertext())
            if child.tail:
                chunks.append(child.tail)

    walk(element)
    return norm_space(" ".join(chunks))


def classes_and_id(element: HtmlElement) -> str:
    """The element's class and id attributes, lower-cased, as one string for pattern tests."""
    return f"{element.get('class', '')} {element.get('id', '')}".lower()


def ancestors(element: HtmlElement, limit: int = 50) -> Iterator[HtmlElement]:
    node = element.getparent()
    while node is not None and limit > 0:
        yield node
        node = node.getparent()
        limit -= 1


def is_inside(element: HtmlElement, container: HtmlElement | None) -> bool:
    """Whether ``element`` is ``container`` or one of its descendants up to 50 levels down (the
    walk of :func:`ancestors`, written out: the detectors ask this tens of thousands of times)."""
    if container is None:
        return False
    if element is container:
        return True
    node = element.getparent()
    for _ in range(50):
        if node is None:
            return False
        if node is container:
            return True
        node = node.getparent()
    return False


def precedes(first: HtmlElement, second: HtmlElement) -> bool:
    """True when ``first`` starts before ``second`` in document order (and does not contain it).

    Walks up to their lowest common ancestor and compares the positions of the two branches there,
    instead of numbering the whole tree.
    """
    path: dict[HtmlElement, HtmlElement] = {}  # ancestor of ``second`` -> its child on the way down
    child = second
    for node in ancestors(second, 200):
        path[node] = child
        child = node
    child = first
    for node in ancestors(first, 200):
        if node in path:
            other = path[node]
            return node.index(child) < node.index(other)
        child = node
    return False


def absolute(base: str, href: str | None) -> str | None:
    """Absolute URL without fragment, or None for empty, script and mail links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        return urldefrag(urljoin(base, href))[0]
    except ValueError:
        return None


def headline_link(container: HtmlElement, page_url: str) -> str | None:
    """The URL of a headline-like link in ``container`` pointing away from ``page_url``.

    Side lists, teasers and listings pair a date with a link to another story; a byline pairs it with
    an author link. A link whose text has several words, that is not an author or mail link, and that
    leads to another page marks the date beside it as that other page's.
    """
    for link in container.iter("a"):
        if (link.get("rel") or "").lower() == "author":
            continue
        url = absolute(page_url, link.get("href"))
        if url is None or url.rstrip("/") == page_url.rstrip("/"):
            continue
        if len(visible_text(link).split()) >= HEADLINE_WORDS:
            return url
    return None


def dated_item_container(element: HtmlElement) -> HtmlElement | None:
    """The list item or small block that holds ``element`` together with its neighbours.

    Walks up at most three levels and stops at the first ``li``, ``article`` or ``tr``, or at a block
    that contains a headline link; returns None when the element stands alone in a large block.
    """
    node: HtmlElement | None = element
    for _ in range(4):
        if node is None:
            return None
        if node.tag in {"li", "tr", "article", "dd"}:
            return node
        if node is not element and node.tag in {"div", "p", "span", "section", "header"}:
            links = node.findall(".//a")
            if links and len(links) <= 3 and len(visible_text(node)) < 400:
                return node
        node = node.getparent()
    return None


#: The elements that make a block of a page (text in them is a unit of its own).
BLOCKS = {
    "div",
    "section",
    "aside",
    "form",
    "p",
    "li",
    "ul",
    "ol",
    "nav",
    "footer",
    "header",
    "figure",
    "dl",
    "table",
    "span",
    "blockquote",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: What a ``div`` holds when it is a container rather than a paragraph of its own.
_CONTAINED_BLOCKS = (BLOCKS - {"span"}) | HEADINGS | {"article", "main"}


def paragraph_blocks(elements: Iterable[HtmlElement]) -> Iterator[HtmlElement]:
    """The paragraphs among ``elements``: ``<p>``, and ``<div>`` used as one (text with no block inside,
    line breaks allowed), as templates without paragraph elements set a story."""
    for element in elements:
        if element.tag == "p" or (
            element.tag == "div" and not any(child.tag in _CONTAINED_BLOCKS for child in element)
        ):
            yield element


def find_article_scope(
    tree: HtmlElement, body_selector: str | None = None, skip: Callable[[HtmlElement], bool] | None = None
) -> HtmlElement | None:
    """The element that holds the story: its headline, byline and body, and not the page's chrome.

    Order: a site profile's body selector (widened to the nearest ``article``/``main`` or to the
    ancestor that also holds the ``h1``); ``[itemprop=articleBody]``; the ``article`` element with the
    most paragraph text (``<p>``, or a ``<div>`` used as one); else the block with the most paragraph
    text, widened to include the ``h1``. Returns None for a page without paragraphs. Elements for
    which ``skip`` is true (boilerplate already found, such as hidden metadata blocks) are never chosen.
    """

    def usable(element: HtmlElement) -> bool:
        return skip is None or not skip(element)

    body: HtmlElement | None = None
    if body_selector:
        found = [e for e in tree.cssselect(body_selector) if usable(e)]
        body = found[0] if found else None
    if body is None:
        found = [e for e in tree.xpath('//@itemprop[.="articleBody"]/..') if usable(e)]
        body = found[0] if found else None
    in_comments = _CommentTest()
    if body is None:
        best, best_len = None, 0
        for art in tree.iter("article"):
            if not usable(art) or in_comments(art):
                continue
            size = sum(len(visible_text(p)) for p in paragraph_blocks(art.iter("p", "div")))
            links = sum(len(visible_text(a)) for a in art.iter("a"))
            if size > best_len and links < 0.5 * max(size, 1):
                best, best_len = art, size
        if best is not None and best_len >= 200:
            return best
    if body is None:
        scores: dict[HtmlElement, int] = {}
        for p in tree.iter("p"):
            parent = p.getparent()
            if parent is not None and usable(p) and not in_comments(parent):
                scores[parent] = scores.get(parent, 0) + len(visible_text(p))
        if max(scores.values(), default=0) < _WEAK_SCOPE:
            # few paragraphs: the story may be text set straight in a block, lines split by <br>
            for div in tree.iter("div"):
                own = len((div.text or "").strip()) + sum(len((c.tail or "").strip()) for c in div)
                if own >= _WEAK_SCOPE and usable(div) and not in_comments(div):
                    scores[div] = max(scores.get(div, 0), own)
        if not scores:
            return None
        body = max(scores, key=scores.__getitem__)
    return _widen_to_headline(body)


_WEAK_SCOPE = 400  # characters of paragraph text below which a block of bare text may be the story
_COMMENTS = re.compile(r"comment|respond|disqus|discussion|reply|replies")


class _CommentTest:
    """Whether an element sits in a comment section (its class or id, or an ancestor's, says so),
    remembered per element: the readers' comments are not the story, however long."""

    def __init__(self) -> None:
        self.memo: dict[HtmlElement, bool] = {}

    def __call__(self, element: HtmlElement) -> bool:
        found = self.memo.get(element)
        if found is None:
            parent = element.getparent()
            found = bool(_COMMENTS.search(classes_and_id(element))) or (
                parent is not None and parent.tag not in {"body", "html"} and self(parent)
            )
            self.memo[element] = found
        return found


def _widen_to_headline(body: HtmlElement) -> HtmlElement:
    for node in [body, *ancestors(body, limit=4)]:
        if node.tag in {"article", "main"}:
            return node
        if node.find(".//h1") is not None:
            return node
        if node.tag == "body":
            return body
    return body
