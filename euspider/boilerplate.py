"""Find the parts of a page that are not the story: site-profile rules plus generic detectors.

Pure (lxml only). :func:`mark` tags each boilerplate element in place with a
``data-euspider-removed="<kind>"`` attribute and returns what it marked; :func:`pruned_copy` makes a
copy without them for the extractor. Marking instead of deleting keeps the page intact for dating
(a date inside a removed side list must still be recognised as another story's).

The generic detectors look for calls to action (subscribe, free trial, already a member, newsletter
sign-up, cookie consent, share/follow) in short blocks, and for link lists under headings such as
"Related articles", "Latest News" or "Most read". :func:`residue` applies the same patterns to the
final text, so boilerplate that slips through is reported rather than silently kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from .dom import classes_and_id, is_inside, visible_text

MARK = "data-euspider-removed"

#: Phrases of calls to action, by kind. Each is matched case-insensitively on whitespace-collapsed text.
PROMPTS: dict[str, tuple[str, ...]] = {
    "paywall_prompt": (
        r"\bsubscribe (now|today|here|to (read|continue|unlock|get|access))\b",
        r"\b(start|get|begin) (your |a )?(\d+[- ]day )?free trial\b",
        r"\b\d+[- ]days? free trial\b",
        r"\balready (a |an )?(member|subscriber|have an account|registered)\b",
        r"\bbecom(e|ing) (a |an )?(supporting |paying )?(member|subscriber)\b",
        r"\bget instant access\b",
        r"\bchoose your (plan|subscription)\b",
        r"\b(subscribe|join) as a group\b",
        r"\bcancel (at )?any ?time\b",
        r"\b(to )?continue reading\b",
        r"\b(for|exclusive to) (subscribers|members) only\b",
        r"\bsubscribers? only\b",
        r"\bunlock (this|the full|full) (article|story|access)\b",
        r"\b(log|sign) ?in to (read|continue|access)\b",
        r"\bto read the full (story|article)\b",
        r"\b(back|support) (our |quality |independent )+(eu |local )?(journalism|news|reporting)\b",
        r"\bjoin [\w .]{1,30} today\b",
        r"€\s?\d+ (per|a) (year|month)|\b\d+ ?€ (per|a) (year|month)",
        r"\bsubscription (plans?|options?)\b",
    ),
    "newsletter_prompt": (
        r"\b(sign up|subscribe) (for|to) (our|the)( \w+){0,3} newsletters?\b",
        r"\bnewsletters?\b.{0,60}\b(sign ?up|subscribe|inbox)\b",
        r"\b(sign ?up|subscribe)\b.{0,60}\bnewsletters?\b",
        r"\b(delivered |straight )?(to|in) your inbox\b",
        r"\benter your e-?mail( address)?\b",
    ),
    "cookie_notice": (
        r"\b(we|this (web)?site) uses? cookies\b",
        r"\bcookie (policy|settings|preferences|consent)\b",
        r"\baccept (all )?cookies\b",
        r"\bby (continuing to )?(using|browsing) (this|our) (web)?site\b",
    ),
    "share": (
        r"^(share|tweet|e-?mail|print|copy link)( this)?( article| story| page)?$",
        r"\bshare (on|via|this (article|story))\b",
        r"\bfollow us on\b",
    ),
}
_PROMPT_RES = {kind: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) for kind, pats in PROMPTS.items()}

#: Headings that introduce lists of other stories.
LIST_HEADINGS = re.compile(
    r"^\s*(related( articles| stories| news| content| posts| coverage)?|read (more|also|next)|"
    r"more (from|on|stories|news|in)\b.*|latest( news| stories| articles)?|most (read|popular|viewed|shared|commented)|"
    r"popular( now| stories)?|recommended( for you)?|"
    r"you (may|might) (also )?(like|be interested)|top stories|trending( now)?|in other news|also read|see also|"
    r"editor'?s picks|stakeholders'? highlights|news in brief|further reading|related topics|more like this)\s*:?\s*$",
    re.IGNORECASE,
)
AUTHOR_BIO_HEADING = re.compile(r"^\s*(author bio|about the author)\s*:?\s*$", re.IGNORECASE)
_BOX_CLASS = re.compile(
    r"subscri|paywall|newsletter|upsell|membership|promo|\bcta\b|signup|sign-up|register|cookie|consent|gdpr|"
    r"share|social|related|outbrain|taboola|teaser|recommend|advert|\bad\b|sponsor",
    re.IGNORECASE,
)
_LIST_KINDS = {
    "latest": "side_list",
    "most": "side_list",
    "news in brief": "side_list",
    "stakeholders": "side_list",
    "trending": "side_list",
    "popular": "side_list",
    "top stories": "side_list",
}
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
MAX_PROMPT_WORDS = 120


def prompt_kinds(text: str) -> list[str]:
    """The kinds of call to action ``text`` contains (empty for ordinary prose)."""
    return [kind for kind, regex in _PROMPT_RES.items() if regex.search(text)]


def _prompt_hits(text: str) -> int:
    return sum(len(set(m.group(0).lower() for m in regex.finditer(text))) for regex in _PROMPT_RES.values())


@dataclass
class Marks:
    """What :func:`mark` found: (element, kind) pairs, outermost first."""

    items: list[tuple[HtmlElement, str]] = field(default_factory=list)

    def add(self, element: HtmlElement, kind: str) -> bool:
        if element.get(MARK) or any(is_inside(element, other) for other, _ in self.items):
            return False
        element.set(MARK, kind)
        self.items.append((element, kind))
        return True

    @property
    def elements(self) -> list[HtmlElement]:
        return [element for element, _ in self.items]

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(kind for _, kind in self.items).items()))


def _guarded(element: HtmlElement, scope: HtmlElement | None, story_chars: int) -> bool:
    """True when removing ``element`` would take the story with it."""
    if scope is None:
        return False
    if element is scope or is_inside(scope, element):
        return True
    if is_inside(element, scope) and element.tag in {"div", "section"}:
        inner = sum(len(visible_text(p)) for p in element.iter("p") if not _prompt_hits(visible_text(p)))
        return inner > 0.3 * story_chars
    return False


def _link_share(element: HtmlElement, text: str) -> float:
    link_chars = sum(len(visible_text(a)) for a in element.iter("a"))
    return link_chars / max(len(text), 1)


def mark(
    tree: HtmlElement,
    *,
    scope: HtmlElement | None,
    profile_rules: dict[str, Sequence[str]] | None = None,
) -> Marks:
    """Mark boilerplate in ``tree``: the profile's selectors first, then the generic detectors."""
    marks = Marks()
    for kind, selectors in (profile_rules or {}).items():
        for selector in selectors:
            for element in tree.cssselect(selector):
                if element is not scope and not (scope is not None and is_inside(scope, element)):
                    marks.add(element, kind)
    story_chars = sum(len(visible_text(p)) for p in scope.iter("p")) if scope is not None else 0
    _mark_listed(tree, marks, scope, story_chars)
    _mark_prompts(tree, marks, scope, story_chars)
    return marks


def _heading_kind(text: str) -> str | None:
    if AUTHOR_BIO_HEADING.match(text):
        return "author_bio"
    if not LIST_HEADINGS.match(text):
        return None
    lowered = text.lower()
    for key, kind in _LIST_KINDS.items():
        if key in lowered:
            return kind
    return "related"


def _mark_listed(tree: HtmlElement, marks: Marks, scope: HtmlElement | None, story_chars: int) -> None:
    """Headed blocks of other stories ("Related articles", "Latest News") and author bios."""
    for heading in tree.iter(*HEADINGS, "strong", "b", "p", "span", "div"):
        if (
            heading.tag in {"p", "span", "div", "strong", "b"}
            and "title" not in classes_and_id(heading)
            and heading.tag not in {"strong", "b"}
        ):
            continue
        text = visible_text(heading)
        if not text or len(text) > 60:
            continue
        kind = _heading_kind(text)
        if kind is None:
            continue
        # the block the heading leads: climb while the heading stays the block's first text
        block = heading
        for _ in range(3):
            parent = block.getparent()
            if parent is None or parent.tag in {"body", "html", "main"} or _guarded(parent, scope, story_chars):
                break
            if not visible_text(parent).startswith(text):
                break
            block = parent
        if block is heading:
            # a bare heading inside the article: take it and the list that follows
            sibling = heading.getnext()
            if (
                sibling is not None
                and sibling.tag in {"ul", "ol", "div", "section"}
                and _link_share(sibling, visible_text(sibling)) > 0.4
            ):
                marks.add(heading, kind)
                marks.add(sibling, kind)
            elif kind == "author_bio" and sibling is not None:
                marks.add(heading, kind)
                marks.add(sibling, kind)
            continue
        block_text = visible_text(block)
        if kind == "author_bio" or _link_share(block, block_text) > 0.3 or block.find(".//li") is not None:
            if not _guarded(block, scope, story_chars):
                marks.add(block, kind)


def _mark_prompts(tree: HtmlElement, marks: Marks, scope: HtmlElement | None, story_chars: int) -> None:
    """Short blocks that ask the reader to subscribe, sign up, accept cookies or share."""
    for element in tree.iter(*BLOCKS):
        if element.get(MARK) or any(is_inside(element, e) for e in marks.elements):
            continue
        text = visible_text(element)
        if not text:
            continue
        words = len(text.split())
        if words > MAX_PROMPT_WORDS:
            continue
        kinds = prompt_kinds(text)
        if not kinds:
            continue
        hits = _prompt_hits(text)
        boxy = (
            bool(_BOX_CLASS.search(classes_and_id(element)))
            or element.find(".//form") is not None
            or element.find(".//button") is not None
            or element.find(".//input") is not None
        )
        if not (hits >= 2 or (hits >= 1 and (words <= 15 or boxy))):
            continue
        if element.tag == "p" and words > 40 and hits < 2:
            continue  # a story paragraph that mentions a newsletter
        # widen to the enclosing box when it holds nothing else
        target = element
        for _ in range(3):
            parent = target.getparent()
            if (
                parent is None
                or parent.tag in {"body", "html", "main", "article"}
                or _guarded(parent, scope, story_chars)
            ):
                break
            parent_text = visible_text(parent)
            if len(parent_text.split()) > MAX_PROMPT_WORDS or len(parent_text) > 1.6 * len(text) + 40:
                break
            target, text = parent, parent_text
        if not _guarded(target, scope, story_chars):
            marks.add(target, kinds[0])


def pruned_copy(tree: HtmlElement) -> HtmlElement:
    """A copy of ``tree`` without the marked elements (their tail text is kept)."""
    copy = deepcopy(tree)
    for element in copy.xpath(f"//*[@{MARK}]"):
        if element.getparent() is not None:
            element.drop_tree()
    return copy


def paywall_cut(
    tree: HtmlElement, marks: Marks, scope: HtmlElement | None, cut_selectors: Iterable[str], markers: Iterable[str]
) -> bool:
    """True when a paywall ends the visible story: a paywall prompt with no story paragraph after it.

    A subscription box between paragraphs, with the story going on after it (EUobserver's legacy
    pages), is not a cut.
    """
    walls = [e for e, kind in marks.items if kind == "paywall_prompt"]
    for selector in cut_selectors:
        walls.extend(tree.cssselect(selector))
    marker_res = [m.lower() for m in markers]
    if marker_res:
        for element in tree.iter("div", "section", "aside", "p"):
            text = visible_text(element).lower()
            if len(text) < 300 and any(m in text for m in marker_res):
                walls.append(element)
    if not walls:
        return False
    paragraphs = [
        p
        for p in (scope if scope is not None else tree).iter("p")
        if len(visible_text(p)) >= 80 and not p.xpath(f"ancestor-or-self::*[@{MARK}]")
    ]
    if not paragraphs:
        return False
    order = {id(e): i for i, e in enumerate(tree.iter())}
    last_story = max(order.get(id(p), -1) for p in paragraphs)
    return any(order.get(id(w), -1) > last_story for w in walls)


def text_filter(text: str) -> tuple[str, Counter[str]]:
    """Drop lines of extracted text that are calls to action; count them by kind.

    Only short lines (up to 25 words) go: a story paragraph that mentions a subscription stays.
    """
    kept, dropped = [], Counter[str]()
    for line in text.split("\n"):
        stripped = line.strip()
        words = len(stripped.split())
        kinds = prompt_kinds(stripped) if words <= 25 else []
        if kinds and (_prompt_hits(stripped) >= 2 or words <= 12):
            dropped[kinds[0]] += 1
            continue
        kept.append(line)
    return "\n".join(kept), dropped


def residue(text: str, extra_phrases: Iterable[str] = ()) -> list[str]:
    """Lines of final text that still look like boilerplate (kept, but reported)."""
    phrases = [p.lower() for p in extra_phrases]
    found = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        lowered = stripped.lower()
        if len(stripped.split()) <= 30 and (
            prompt_kinds(stripped) or LIST_HEADINGS.match(stripped) or AUTHOR_BIO_HEADING.match(stripped)
        ):
            found.append(stripped[:200])
        elif any(p in lowered for p in phrases):
            found.append(stripped[:200])
    return found
