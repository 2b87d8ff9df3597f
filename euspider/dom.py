"""Small, pure helpers over lxml HTML trees, shared by extraction and dating."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from urllib.parse import urldefrag, urljoin

from lxml.html import HtmlElement

_SPACE = re.compile(r"\s+")
HEADLINE_WORDS = 4  # a link text of this many words reads as a headline, not as a name or a label


def norm_space(text: str | None) -> str:
    """Collapse all whitespace runs to one space and strip."""
    return _SPACE.sub(" ", text or "").strip()


def norm_text(text: str) -> str:
    """Unicode NFC plus whitespace collapsing: the form texts are compared and hashed in."""
    return norm_space(unicodedata.normalize("NFC", text))


def visible_text(element: HtmlElement) -> str:
    """Text of an element without scripts/styles (itertext with a tag filter)."""
    skip = {"script", "style", "noscript", "template"}
    chunks: list[str] = []

    def walk(node: HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in skip:
            return
        if node.text:
            chunks.append(node.text)
        for child in node:
            walk(child)
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
    if container is None:
        return False
    return element is container or any(node is container for node in ancestors(element))


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


def find_article_scope(
    tree: HtmlElement, body_selector: str | None = None, skip: Callable[[HtmlElement], bool] | None = None
) -> HtmlElement | None:
    """The element that holds the story: its headline, byline and body, and not the page's chrome.

    Order: a site profile's body selector (widened to the nearest ``article``/``main`` or to the
    ancestor that also holds the ``h1``); ``[itemprop=articleBody]``; the ``article`` element with the
    most paragraph text; else the block with the most paragraph text, widened to include the ``h1``.
    Returns None for a page without paragraphs. Elements for which ``skip`` is true (boilerplate
    already found, such as hidden metadata blocks) are never chosen.
    """

    def usable(element: HtmlElement) -> bool:
        return skip is None or not skip(element)

    body: HtmlElement | None = None
    if body_selector:
        found = [e for e in tree.cssselect(body_selector) if usable(e)]
        body = found[0] if found else None
    if body is None:
        found = [e for e in tree.xpath('//*[@itemprop="articleBody"]') if usable(e)]
        body = found[0] if found else None
    if body is None:
        best, best_len = None, 0
        for art in tree.iter("article"):
            if not usable(art):
                continue
            size = sum(len(visible_text(p)) for p in art.iter("p"))
            links = sum(len(visible_text(a)) for a in art.iter("a"))
            if size > best_len and links < 0.5 * max(size, 1):
                best, best_len = art, size
        if best is not None and best_len >= 200:
            return best
    if body is None:
        scores: dict[HtmlElement, int] = {}
        for p in tree.iter("p"):
            parent = p.getparent()
            if parent is not None and usable(p):
                scores[parent] = scores.get(parent, 0) + len(visible_text(p))
        if not scores:
            return None
        body = max(scores, key=scores.__getitem__)
    return _widen_to_headline(body)


def _widen_to_headline(body: HtmlElement) -> HtmlElement:
    for node in [body, *ancestors(body, limit=4)]:
        if node.tag in {"article", "main"}:
            return node
        if node.find(".//h1") is not None:
            return node
        if node.tag == "body":
            return body
    return body
