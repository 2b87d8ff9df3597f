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
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree
from lxml.html import HtmlElement

from .dom import ancestors, classes_and_id, is_inside, visible_text

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
        r"\bfollow [\w .@'’-]{0,40}\bon (twitter|facebook|instagram|linkedin|tiktok|youtube|threads|bluesky)\b",
    ),
    "app_promo": (
        r"\bdownload (the|our) [\w .'’-]{0,40}\bapps?\b",
        r"\b(get|download) (it|the app) on (the )?(app store|google play)\b",
        r"\bclick here to (get|download|subscribe|sign up|read|watch|listen)\b",
        r"\bget the [\w .'’-]{0,30}\bapp\b",
    ),
    "rights_notice": (
        r"\ball rights reserved\b|\balle rechte vorbehalten\b",
        r"\btous droits réservés\b|\btodos los derechos reservados\b",
        r"\bcopyrighted property of\b|\bwritten permission (must|is required)\b|\bchroniony prawem\b",
        r"\bfor your personal,? non-commercial use only\b|\border (presentation-ready copies|reprints)\b",
        r"\btrust principles\b",
    ),
}
# patterns are lower case and matched on lower-cased text: much faster than re.IGNORECASE
_PROMPT_RES = {kind: re.compile("|".join(f"(?:{p})" for p in pats)) for kind, pats in PROMPTS.items()}

#: Labels that introduce links to other stories ("Related articles", "Lea también", "Czytaj też"), in
#: the languages of the news the project meets most. As a heading they lead a block of other stories;
#: as the start of a text line ("Read more: <headline>") they make the line a link to another story.
RELATED_LABELS = (
    # en
    r"related( articles| stories| news| content| posts| coverage| topics)?|read (more|also|next)|also read|see also|"
    r"more (from|on|stories|news|in)\b[^.]*|latest( news| stories| articles| posts)?|"
    r"most (read|popular|viewed|shared|commented)|popular( now| stories| posts)?|recommended( for you| stories)?|"
    r"you (may|might) (also )?(like|be interested( in)?)|top stories|trending( now)?|in other news|"
    r"editor'?s picks|stakeholders'? highlights|news in brief|further reading|more like this|don'?t miss|"
    r"watch|more|listen|see more|read the full story|related video"
    # es / pt
    r"|lea (también|más)|lee también|lea|vea también|ver también|puedes ver|te puede interesar|"
    r"noticias relacionadas|más noticias|lo más (leído|visto)|temas|etiquetas|leia (também|mais)|veja também|"
    r"mais lidas|notícias relacionadas"
    # de
    r"|schon gelesen|auch interessant|mehr zum thema\b[^.]*|mehr themen|weitere (artikel|themen|beiträge)\b[^.]*|"
    r"weitere aktuelle themen\b[^.]*|das (könnte|thema könnte) (sie|dich) (auch )?interessieren|lust auf mehr|"
    r"meist(-| )?(gelesen|diskutiert|kommentiert)|kommentierte artikel|ähnliche artikel|verwandte artikel|"
    r"beiträge aus dem forum|lesen sie (auch|mehr)|auch auf [\w.-]+"
    # fr / it / nl / pl
    r"|(à )?lire (aussi|également)|sur le même sujet|les plus lus|voir aussi|leggi anche|potrebbe interessarti|"
    r"articoli correlati|i più letti|lees ook|meer over\b[^.]*|gerelateerde artikelen|"
    r"czytaj (też|także|również)|zobacz (też|także)|polecamy"
)
LIST_HEADINGS = re.compile(rf"^\s*({RELATED_LABELS})\s*[:?!.…]*\s*$", re.IGNORECASE)
#: A text line that starts with such a label and a colon: "Lea también: Impiden ingreso a ..."
RELATED_LINE = re.compile(rf"^\s*({RELATED_LABELS})\s*:\s*\S", re.IGNORECASE)
#: Lines that caption or credit a picture rather than tell the story.
CAPTION_LINE = re.compile(
    r"^\s*(photo|foto|image|picture|bild|titelbild|beitragsbild|credit|credits|source|quelle|crédit|fuente)"
    r"( illustrative)?\s*:?\s*(\S.{0,80})?$",
    re.IGNORECASE,
)
#: A headline followed by a bracketed tag, as tabloids list related stories: "... jibe [INSIGHT]"
TAGGED_HEADLINE = re.compile(r"^.{10,200}\s\[[A-Z][A-Z ]{2,20}\]\s*\|?$")
#: Labels of a byline or post-metadata line; two of them in a short line make it one.
_META_LABELS = re.compile(
    r"\b(posted by|published by|written by|publicado por|veröffentlicht von|categor(y|ies|ia|ía)|kategorie|"
    r"tags|schlagwörter|etiquetas|filed under|posted in|published in|posted on|published on)\b",
    re.IGNORECASE,
)
#: Short lines about site furniture: legal pages, privacy, comment counters.
FURNITURE_LINE = re.compile(
    r"^\s*((view|show|load|read|add|post|leave|write) (all |the )?(\d+ )?(comments?|a comment|a reply)|"
    r"comments?( \(\d+\))?|kommentare( insgesamt)?:?|datenschutz[\w -]*|impressum|privacy( policy)?|"
    r"terms( of (use|service))?|nutzungsbedingungen|advertisement|anzeige|werbung|sponsored)\s*[:.]?\s*$",
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
    lowered = text.lower()
    return [kind for kind, regex in _PROMPT_RES.items() if regex.search(lowered)]


def _prompt_hits(text: str) -> int:
    lowered = text.lower()
    return sum(len({m.group(0) for m in regex.finditer(lowered)}) for regex in _PROMPT_RES.values())


def is_marked(element: HtmlElement) -> bool:
    """Whether the element or one of its ancestors is marked as boilerplate."""
    node: HtmlElement | None = element
    while node is not None:
        if node.get(MARK) is not None:
            return True
        node = node.getparent()
    return False


@dataclass
class Marks:
    """What :func:`mark` found: (element, kind) pairs, outermost first."""

    items: list[tuple[HtmlElement, str]] = field(default_factory=list)

    def add(self, element: HtmlElement, kind: str) -> bool:
        if is_marked(element):
            return False
        element.set(MARK, kind)
        self.items.append((element, kind))
        return True

    @property
    def elements(self) -> list[HtmlElement]:
        return [element for element, _ in self.items]

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(kind for _, kind in self.items).items()))


_HIDDEN = etree.XPath(
    "//body//*[@hidden or @aria-hidden='true' and not(self::svg or self::i or self::span)"
    " or contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')]"
)


def _text_size(element: HtmlElement) -> int:
    """Characters of text in an element, scripts and styles left out, whitespace runs counted once
    (lxml's C iteration: this runs over the whole page)."""

    def size(node: HtmlElement) -> int:
        return len(" ".join(" ".join(node.itertext()).split()))

    return size(element) - sum(size(e) for e in element.iter("script", "style", "noscript", "template"))


def mark_hidden(tree: HtmlElement, marks: Marks) -> None:
    """Mark what the page does not show (``display:none``, ``hidden``): schema.org microdata copies,
    templates, closed pop-ups. Not when the page shows less text than its largest hidden block: then
    the story itself may be hidden until a script shows it, and it must stay."""
    hidden = [e for e in _HIDDEN(tree) if e.tag not in {"html", "body"}]
    if not hidden:
        return
    hidden_ids = {id(e) for e in hidden}
    outermost = [e for e in hidden if not any(id(a) in hidden_ids for a in ancestors(e, 60))]
    sizes = [_text_size(e) for e in outermost]
    body = tree.find("body")
    shown = _text_size(body if body is not None else tree) - sum(sizes)
    if shown < max(*sizes, 200):
        return
    for element in hidden:
        marks.add(element, "hidden")


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
    marks: Marks | None = None,
) -> Marks:
    """Mark boilerplate in ``tree``: the profile's selectors first, then the generic detectors."""
    marks = marks if marks is not None else Marks()
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
        if heading.tag in {"p", "span", "div"} and "title" not in classes_and_id(heading):
            continue
        if len(heading) > 3 or is_marked(heading):
            continue  # a heading holds a few inline elements at most
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


#: Words at least one of which every call to action contains: a cheap filter before the full patterns.
_PROMPT_WORDS = re.compile(
    r"subscri|trial|member|newsletter|cookie|sign ?up|sign ?in|log ?in|share|follow us|access|continue reading|"
    r"inbox|e-?mail|your plan|cancel|€|journalism|join|unlock|full (story|article)|tweet|copy link|consent",
)
_TEXT_NODES = etree.XPath(
    "//body//text()[not(parent::script or parent::style or parent::noscript or parent::template)]"
)


def _prompt_candidates(tree: HtmlElement) -> list[HtmlElement]:
    """Smallest block elements whose own text contains a call-to-action word, in document order."""
    found: dict[int, HtmlElement] = {}
    texts = _TEXT_NODES(tree)
    # one regex pass over all the text (joined), then back to the nodes that matched
    starts, position = [], 0
    for text in texts:
        starts.append(position)
        position += len(text) + 1
    joined = "\x00".join(texts).lower()
    hit_nodes = sorted({bisect_right(starts, m.start()) - 1 for m in _PROMPT_WORDS.finditer(joined)})
    for index in hit_nodes:
        text = texts[index]
        owner = text.getparent()
        if owner is not None and text.is_tail:
            owner = owner.getparent()
        if owner is not None:
            block: HtmlElement | None = owner
            while block is not None and block.tag not in BLOCKS:
                block = block.getparent()
            if block is not None and block.tag not in {"html", "body"}:
                found.setdefault(id(block), block)
    return list(found.values())


def _mark_prompts(tree: HtmlElement, marks: Marks, scope: HtmlElement | None, story_chars: int) -> None:
    """Short blocks that ask the reader to subscribe, sign up, accept cookies or share."""
    for element in _prompt_candidates(tree):
        if is_marked(element):
            continue
        text = visible_text(element)
        words = len(text.split())
        if not text or words > MAX_PROMPT_WORDS:
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


def line_kind(line: str, link_titles: frozenset[str] = frozenset()) -> str | None:
    """The kind of boilerplate a line of extracted text is, or None for story text.

    Only short lines qualify (a story paragraph that mentions a subscription stays): calls to
    action, "Read also: <headline>" lines, related-story labels, picture credits, site furniture
    (comment counters, legal links), and lines that are only a date or a time.
    """
    stripped = line.strip()
    words = len(stripped.split())
    if not stripped or words > 25:
        return None
    kinds = prompt_kinds(stripped)
    if kinds and (_prompt_hits(stripped) >= 2 or words <= 12 or kinds[0] in _UNAMBIGUOUS):
        return kinds[0]
    if words <= 6 and re.search(r"\bnewsletters?\b", stripped, re.IGNORECASE):
        return "newsletter_prompt"
    if LIST_HEADINGS.match(stripped) or (RELATED_LINE.match(stripped) and words <= 20):
        return "related"
    if CAPTION_LINE.match(stripped) and words <= 12:
        return "caption"
    if FURNITURE_LINE.match(stripped):
        return "furniture"
    if re.fullmatch(r"https?://\S+", stripped):
        return "url"
    if TAGGED_HEADLINE.match(stripped):
        return "related"
    if len(set(m.group(0).lower() for m in _META_LABELS.finditer(stripped))) >= 2:
        return "byline"
    if words <= 6 and _is_dateline(stripped):
        return "dateline"
    return None


#: Kinds whose patterns never occur in story prose, so one match condemns a short line.
_UNAMBIGUOUS = {"app_promo", "rights_notice"}
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}( ?[ap]\.?m\.?)?$", re.IGNORECASE)


def _is_dateline(line: str) -> bool:
    """A line that only states a date or a time ("27.01.2022", "January 13", "3:59 PM")."""
    from .dates.parse import MONTHS, parse_date

    text = line.strip().rstrip(".:")
    if _CLOCK.match(text):
        return True
    parsed, _ = parse_date(text)
    if parsed is not None and parsed.precision in {"day", "datetime"}:
        rest = re.sub(r"[\d.,:/\-–|·]+", " ", text).split()
        return all(word.lower().rstrip(".") in MONTHS or len(word) <= 3 for word in rest)
    tokens = text.replace(",", " ").split()
    return len(tokens) == 2 and tokens[0].lower() in MONTHS and tokens[1].isdigit() and int(tokens[1]) <= 31


def _shouting(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(line.split()) >= 4 and len(letters) >= 15 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def text_filter(text: str, link_titles: frozenset[str] = frozenset()) -> tuple[str, Counter[str]]:
    """Drop lines of extracted text that are boilerplate (see :func:`line_kind`); count them by kind.

    After a related-stories label ("Schon gelesen?"), the lines that follow and are titles of links to
    other pages (``link_titles``) go too: they are the list the label introduced.
    """
    kept, dropped = [], Counter[str]()
    after_label = False
    for line in text.split("\n"):
        stripped = line.strip()
        kind = line_kind(stripped)
        if kind is None and stripped in link_titles and (after_label or _shouting(stripped)):
            kind = "related"  # the list a label introduced, or an all-capitals link to another story
        if kind is not None:
            dropped[kind] += 1
            after_label = kind == "related"
            continue
        after_label = False
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
