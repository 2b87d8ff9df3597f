"""A generated news site on 127.0.0.1, for crawl tests and the discovery benchmark.

Every page is made on request from the story number and a seed, so a site of 300 stories and one whose
sitemaps list 200,000 cost the same to start. What real sites vary, it varies:

- six URL schemes at once, each with its own page template: short slugs under a section
  (``/harbour/port-expansion``, modern template with ``<time>`` and ``article:published_time``),
  ``/a/<id>`` (a legacy template with no date anywhere on the page: the date must come from the pages
  that link to it), ``/?p=<id>`` (WordPress markup, JSON-LD, comments), ``/stories/<slug>.html`` (a
  newspaper template with a dateline), date folders ``/2024/05/03/<slug>/`` and opaque hashes
  ``/s/<10 hex>`` (an app-style template, "Published 03.05.2024, 09:12");
- a homepage (lead story, latest teasers, section blocks, most read, trending, videos, archive
  months), section pages with teasers and dates, paginated two ways (``/<section>/page/2/`` and
  ``?page=2``), monthly archives, tag and author pages, about/contact/privacy/login pages, short video
  pages (no story), bylines, side lists ("Latest news" with dates, "Most read" without), share and
  print links, links to another host (127.0.0.2, never to be fetched);
- an RSS feed at ``/feed/`` whose links carry ``utm_*`` parameters, an Atom and a JSON Feed announced
  with ``<link rel="alternate">``, a comments feed; robots.txt with a ``Sitemap:`` line, a sitemap
  index of post sitemaps (``lastmod``), a news sitemap (``publication_date``) and a pages sitemap;
- duplicates: every 25th story is also served at ``/go/<id>`` with ``rel=canonical`` naming its
  address (linked from "Most read" and the JSON Feed), and trending links carry ``fbclid``.

The story texts are generated prose (sections with their own vocabulary, quotes, numbers, places),
each story's text its own. ``NewsSite.truth()`` gives what a crawl should find: every story's URL and
publication date, and the pages that are not stories.

    python -m tests.newssite --stories 300 --port 8000        # serve one by hand
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

SITE_NAME = "The Harbour Courier"
START = datetime(2023, 1, 2, 6, 0, tzinfo=UTC)
SPAN_DAYS = 900
PER_PAGE = 10
ALIAS_EVERY = 25
SCHEMES = ("slug", "id", "wp", "html", "dated", "hash")

SECTIONS = {
    "harbour": "Harbour",
    "council": "Council",
    "world": "World",
    "science": "Science",
    "culture": "Culture",
    "sport": "Sport",
    "blog": "Blog",
}
PLACES = ["Port Haven", "Eastmere", "Kelby", "Norrvik", "Saltcombe", "Westerholm", "Brackley Sound", "Ardmore",
          "Lindqvist Bay", "Old Quay", "Marrow Point", "Hollin Ridge"]  # fmt: skip
FIRST = ["Anna", "Tomas", "Ingrid", "Samuel", "Leena", "Marco", "Hélène", "Pieter", "Ruth", "Jonas", "Maya",
         "Oskar", "Clara", "Dmitri", "Fatima", "Nils", "Greta", "Ibrahim", "Sofie", "Arjun"]  # fmt: skip
LAST = ["Berg", "Lindqvist", "Okafor", "Moreau", "Haddad", "Kowalski", "van Dijk", "Sørensen", "Marsh", "Castillo",
        "Nakamura", "Ferreira", "Doyle", "Ekström", "Rahman", "Fischer"]  # fmt: skip
AUTHORS = ["Anna Berg", "Tomas Okafor", "Ingrid Moreau", "Samuel Haddad", "Leena Kowalski", "Marco van Dijk",
           "Ruth Sørensen", "Jonas Castillo", "Maya Nakamura", "Pieter Ferreira", "Clara Doyle", "Nils Ekström"]  # fmt: skip
TAGS = ["shipping", "budget", "ferries", "housing", "fisheries", "climate", "elections", "schools", "transport",
        "energy", "tourism", "health", "courts", "wildlife", "festivals", "football", "sailing", "research"]  # fmt: skip
ROLES = ["a spokesperson for the harbour authority", "the council's finance chair", "a local shop owner",
         "an engineer who worked on the plans", "the head of the residents' association", "a union representative",
         "a senior researcher at Norrvik University", "the club's coach", "the museum's director",
         "an opposition councillor", "a retired ferry captain", "the mayor"]  # fmt: skip

# per section: actors, things, events, verbs for headlines and prose
TOPICS: dict[str, dict[str, list[str]]] = {
    "harbour": {
        "actor": ["the harbour authority", "the port operator", "dock workers", "the ferry company", "shipowners"],
        "thing": [
            "port expansion",
            "new crane terminal",
            "dredging works",
            "ferry timetable",
            "container yard",
            "breakwater repairs",
            "cruise berth",
            "fuel depot",
        ],
        "event": [
            "a two-year review",
            "a storm in March",
            "talks with the unions",
            "a safety inspection",
            "a record season",
            "a dispute over fees",
        ],
        "verb": ["approves", "delays", "unveils", "rejects", "revises", "funds"],
    },
    "council": {
        "actor": ["the town council", "the mayor", "councillors", "the planning committee", "residents"],
        "thing": [
            "housing plan",
            "budget cuts",
            "bus lanes",
            "school merger",
            "parking charges",
            "library hours",
            "flood defences",
            "rent cap",
        ],
        "event": [
            "a late-night vote",
            "a public hearing",
            "months of protest",
            "an audit",
            "a petition",
            "a tied vote",
        ],
        "verb": ["backs", "scraps", "postpones", "approves", "questions", "extends"],
    },
    "world": {
        "actor": ["the foreign ministry", "a trade delegation", "the coastal states", "envoys", "the summit"],
        "thing": [
            "fishing treaty",
            "trade accord",
            "border crossing",
            "aid package",
            "shipping lanes",
            "visa rules",
            "ceasefire talks",
        ],
        "event": [
            "a summit in Westerholm",
            "a week of talks",
            "a diplomatic row",
            "an election abroad",
            "a court ruling",
        ],
        "verb": ["signs", "suspends", "renews", "demands", "welcomes", "drafts"],
    },
    "science": {
        "actor": ["researchers", "a team at Norrvik University", "marine biologists", "the observatory", "geologists"],
        "thing": [
            "seal population",
            "seabed survey",
            "algae bloom",
            "tide model",
            "comet sighting",
            "coral samples",
            "eel migration",
        ],
        "event": ["a ten-year study", "an expedition", "a surprise finding", "a funding boost", "new sensors"],
        "verb": ["maps", "tracks", "discovers", "measures", "explains", "publishes"],
    },
    "culture": {
        "actor": ["the maritime museum", "the town orchestra", "local artists", "the film festival", "a poet"],
        "thing": [
            "winter exhibition",
            "lighthouse mural",
            "folk music archive",
            "harbour opera",
            "photo retrospective",
            "theatre season",
        ],
        "event": [
            "a sold-out opening",
            "a restoration",
            "a gift from a collector",
            "a new director",
            "a fire in the old hall",
        ],
        "verb": ["opens", "revives", "restores", "celebrates", "cancels", "tours"],
    },
    "sport": {
        "actor": ["Kelby United", "the rowing club", "the sailing team", "the under-18 squad", "the league"],
        "thing": ["cup run", "regatta", "stadium plans", "transfer window", "derby", "training ground"],
        "event": ["a late equaliser", "a storm delay", "an injury crisis", "a record crowd", "a coaching change"],
        "verb": ["wins", "loses", "secures", "postpones", "clinches", "appeals"],
    },
    "blog": {
        "actor": ["I", "my neighbour", "our sailing group", "the allotment society", "a reader"],
        "thing": [
            "restoring a dinghy",
            "winter swimming",
            "baking rye bread",
            "a coastal walk",
            "keeping bees",
            "mending nets",
            "a night at the lighthouse",
        ],
        "event": [
            "a wet weekend",
            "three months of evenings",
            "a borrowed workshop",
            "an old manual",
            "a lucky find at the market",
        ],
        "verb": ["tries", "learns", "finishes", "starts", "rediscovers", "plans"],
    },
}

SENTENCES = [
    "{Actor} said on {weekday} that the {thing} would go ahead, although {number} objections were still being reviewed.",
    "The decision follows {event}, which left many in {place} uncertain about what comes next.",
    "According to figures released this week, the cost has risen to {money}, nearly {percent} percent above the first estimate.",
    '"{quote}," said {person}, {role}.',
    "Critics argue that the plan does little for people living on the edge of {place}.",
    "{Person} told the Courier that the timetable had been agreed only after {event}.",
    "Work on the {thing} is expected to take {number} months, with a first phase finished by {month}.",
    "In {place}, opinion remains divided: some welcome the change, others fear higher costs.",
    "The proposal was first put forward in {month}, when {actor} warned of delays.",
    "{number} people attended the meeting in the old customs hall, many of them standing at the back.",
    "Officials insist the {thing} will be reviewed again if the numbers do not improve.",
    "A report commissioned last year found that {percent} percent of residents had never been consulted.",
    '"{quote}," {person} added, pointing to the empty quay behind the hall.',
    "For {actor}, the stakes are high: a further delay could cost {money} in lost contracts.",
    "Neighbouring {place} took a different approach and is now watching the results closely.",
    "The vote was {number} to {small}, with two abstentions and one member absent.",
    "Some of the {thing} documents, seen by the Courier, show that the plans were changed three times.",
    "Weather permitting, the next stage begins on {weekday}, {person} confirmed.",
]
QUOTES = [
    "We cannot wait another winter for this",
    "Nobody asked the people who actually live here",
    "The numbers simply do not add up",
    "This is the best news the town has had in years",
    "We will keep pushing until the work is done properly",
    "It is a compromise, and compromises are never popular",
    "I have seen three of these plans come and go",
    "There is still time to get this right",
    "We owe it to the next generation",
    "Frankly, it should have happened a decade ago",
]
BLOG_SENTENCES = [
    "When I started {thing}, I had no idea how much patience it would take.",
    "The first {number} attempts went badly, and I almost gave up on {weekday} evening.",
    "A neighbour from {place} lent me an old manual with notes in the margins.",
    "By {month} the work had become a habit, something to look forward to after the ferry home.",
    '"{quote}," my friend {person} said when she saw the result.',
    "If you try this yourself, start small and keep a notebook: it saves more time than any tool.",
    "The cost so far is about {money}, most of it spent on things I later found second-hand for less.",
    "I will write again once the next stage is done, probably around {month}.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
STOP = {"the", "a", "an", "of", "in", "on", "after", "as", "to", "for", "and", "with", "over", "i", "my", "our"}


def slugify(text: str) -> str:
    keep = "".join(ch if ch.isalnum() else " " for ch in text.lower())
    return "-".join(keep.split())


@dataclass(frozen=True)
class Story:
    id: int
    section: str
    scheme: str
    title: str
    slug: str
    dek: str
    author: str
    tags: tuple[str, ...]
    published: datetime
    paragraphs: tuple[str, ...]
    path: str

    @property
    def alias(self) -> str | None:
        return f"/go/{self.id}" if self.id % ALIAS_EVERY == 0 else None


class NewsSite:
    """The site's content, made from ``stories`` numbers and a ``seed``.

    ``sitemap_urls`` (the size knob) makes the site that many stories, all of them listed in the
    sitemaps; ``sitemaps=False`` serves neither robots.txt's ``Sitemap:`` line nor sitemaps,
    ``feeds=False`` no feeds, so a crawl must find the stories through links alone.
    """

    def __init__(
        self,
        stories: int = 300,
        *,
        seed: int = 11,
        sitemap_urls: int | None = None,
        per_sitemap: int = 10_000,
        sitemaps: bool = True,
        feeds: bool = True,
    ) -> None:
        self.count = sitemap_urls or stories
        self.seed = seed
        self.per_sitemap = per_sitemap
        self.sitemaps = sitemaps
        self.feeds = feeds
        self.base = "http://127.0.0.1"
        self.step = timedelta(days=SPAN_DAYS) / max(self.count, 1)
        self._paths: tuple[list[str], dict[str, int]] | None = None
        self.videos = max(3, min(self.count // 60, 40))

    # --- the stories ----------------------------------------------------------------------------

    def _rng(self, *parts: object) -> random.Random:
        key = hashlib.sha256(":".join(map(str, (self.seed, *parts))).encode()).digest()
        return random.Random(int.from_bytes(key[:8], "big"))

    def section_of(self, number: int) -> str:
        return list(SECTIONS)[number % len(SECTIONS)]

    def scheme_of(self, number: int) -> str:
        return SCHEMES[(number // len(SECTIONS)) % len(SCHEMES)]

    def published(self, number: int) -> datetime:
        jitter = self._rng("time", number).random() * 0.4
        when = START + self.step * (number - 1 + jitter)
        return when.replace(second=0, microsecond=0)

    def _headline(self, number: int) -> tuple[str, str]:
        """The story's headline and its short slug."""
        section = self.section_of(number)
        topic = TOPICS[section]
        rng = self._rng("title", number)
        thing = rng.choice(topic["thing"])
        if section == "blog":
            title = f"{rng.choice(['Notes on', 'A season of', 'What I learned from', 'Slowly'])} {thing}"
        else:
            actor = rng.choice(topic["actor"])
            verb, event = rng.choice(topic["verb"]), rng.choice(topic["event"])
            if actor.endswith("s"):  # "researchers discover", "the harbour authority discovers"
                verb = (
                    verb[:-3] + "y"
                    if verb.endswith("ies")
                    else verb[:-2]
                    if verb.endswith(("ches", "shes"))
                    else verb[:-1]
                )
            title = f"{actor[0].upper()}{actor[1:]} {verb} {thing} after {event}"
        return title, slugify(thing)

    def _base_path(self, number: int) -> str:
        scheme = self.scheme_of(number)
        title, short = self._headline(number)
        words = [w for w in slugify(title).split("-") if w not in STOP]
        if scheme == "id":
            return f"/a/{number + 1000}"
        if scheme == "wp":
            return f"/?p={number + 500}"
        if scheme == "hash":
            return f"/s/{self.opaque(number)}"
        if scheme == "slug":
            return f"/{self.section_of(number)}/{short}"
        if scheme == "html":
            return f"/stories/{'-'.join(words[:6])}.html"
        return f"/{self.published(number):%Y/%m/%d}/{'-'.join(words[:5])}/"

    def path_of(self, number: int) -> str:
        return self._index()[0][number]

    def _index(self) -> tuple[list[str], dict[str, int]]:
        """Every story's path (a slug taken already gets ``-2``, ``-3``, as WordPress does), made in
        one pass, and path -> number (aliases as negative numbers)."""
        if self._paths is None:
            by_number = [""]
            paths: dict[str, int] = {}
            for number in range(1, self.count + 1):
                path = self._base_path(number)
                if path in paths:
                    stem, dot, ext = (
                        path.rstrip("/").rpartition(".") if path.endswith(".html") else (path.rstrip("/"), "", "")
                    )
                    k = 2
                    while True:
                        candidate = f"{stem}-{k}{dot}{ext}" + ("/" if path.endswith("/") else "")
                        if candidate not in paths:
                            path = candidate
                            break
                        k += 1
                paths[path] = number
                by_number.append(path)
                if number % ALIAS_EVERY == 0:
                    paths[f"/go/{number}"] = -number
            self._paths = (by_number, paths)
        return self._paths

    def opaque(self, number: int) -> str:
        return hashlib.sha1(f"{self.seed}/{number}".encode()).hexdigest()[:10]

    @lru_cache(maxsize=4096)  # noqa: B019 - one site per process, kept for its lifetime
    def story(self, number: int) -> Story:
        section = self.section_of(number)
        topic = TOPICS[section]
        rng = self._rng("text", number)
        title, short = self._headline(number)
        paragraphs: list[str] = []
        templates = BLOG_SENTENCES if section == "blog" else SENTENCES
        for _ in range(rng.randint(6, 11)):
            sentences = []
            for _ in range(rng.randint(2, 4)):
                sentences.append(self._fill(rng.choice(templates), topic, rng))
            paragraphs.append(" ".join(sentences))
        # a sentence only this story has: two stories never share a text
        paragraphs[0] = f"{paragraphs[0]} The Courier's reference for this report is {section[:3].upper()}-{number}."
        place = rng.choice(PLACES)
        dek = f"{place}: {self._fill(rng.choice(templates), topic, rng)}"
        return Story(
            id=number,
            section=section,
            scheme=self.scheme_of(number),
            title=title,
            slug=short,
            dek=dek,
            author=rng.choice(AUTHORS),
            tags=tuple(rng.sample(TAGS, rng.randint(2, 3))),
            published=self.published(number),
            paragraphs=tuple(paragraphs),
            path=self.path_of(number),
        )

    @staticmethod
    def _fill(template: str, topic: dict[str, list[str]], rng: random.Random) -> str:
        actor = rng.choice(topic["actor"])
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        values = {
            "actor": actor,
            "Actor": actor[0].upper() + actor[1:],
            "thing": rng.choice(topic["thing"]),
            "event": rng.choice(topic["event"]),
            "place": rng.choice(PLACES),
            "person": person,
            "Person": person,
            "role": rng.choice(ROLES),
            "quote": rng.choice(QUOTES),
            "weekday": rng.choice(WEEKDAYS),
            "month": rng.choice(MONTHS),
            "number": str(rng.randint(3, 240)),
            "small": str(rng.randint(1, 9)),
            "percent": str(rng.randint(4, 61)),
            "money": f"€{rng.randint(2, 95)}.{rng.randint(0, 9)} million",
        }
        return template.format(**values)

    @property
    def paths(self) -> dict[str, int]:
        """Path (and query) of every story and alias -> story number (aliases negative)."""
        return self._index()[1]

    def url(self, path: str) -> str:
        return self.base + path

    def stories(self) -> dict[str, Story]:
        """What a crawl should find: every story, by its URL."""
        return {self.url(self.path_of(n)): self.story(n) for n in range(1, self.count + 1)}

    def aliases(self) -> dict[str, str]:
        """Alias URL -> the URL of the story it names as its address."""
        return {
            self.url(f"/go/{n}"): self.url(self.path_of(n)) for n in range(ALIAS_EVERY, self.count + 1, ALIAS_EVERY)
        }

    # --- listings -------------------------------------------------------------------------------

    def newest(self, count: int, offset: int = 0) -> list[int]:
        top = self.count - offset
        return [n for n in range(top, max(top - count, 0), -1)]

    def in_section(self, section: str, page: int) -> list[int]:
        index = list(SECTIONS).index(section)
        # numbers n with n % 7 == index, newest first
        top = self.count - ((self.count - index) % len(SECTIONS))
        first = top - (page - 1) * PER_PAGE * len(SECTIONS)
        return list(range(first, max(first - PER_PAGE * len(SECTIONS), 0), -len(SECTIONS))) if first > 0 else []

    def section_pages(self, section: str) -> int:
        index = list(SECTIONS).index(section)
        total = len(range(index or len(SECTIONS), self.count + 1, len(SECTIONS)))
        return max(1, -(-total // PER_PAGE))

    def page_url(self, section: str, page: int) -> str:
        if page == 1:
            return f"/{section}/"
        odd = list(SECTIONS).index(section) % 2
        return f"/{section}/?page={page}" if odd else f"/{section}/page/{page}/"

    def months(self) -> list[tuple[int, int]]:
        first, last = self.published(1), self.published(self.count)
        out, year, month = [], first.year, first.month
        while (year, month) <= (last.year, last.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def in_month(self, year: int, month: int) -> list[int]:
        # numbers are in date order: find the first and last of the month by bisection
        def first_not_before(y: int, m: int) -> int:
            lo, hi = 1, self.count + 1
            while lo < hi:
                mid = (lo + hi) // 2
                day = self.published(mid)
                if (day.year, day.month) < (y, m):
                    lo = mid + 1
                else:
                    hi = mid
            return lo

        start = first_not_before(year, month)
        end = first_not_before(year + (month == 12), 1 if month == 12 else month + 1)
        return list(range(end - 1, start - 1, -1))


def _date_text(when: datetime) -> str:
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


class Pages:
    """HTML, XML and text of every page of a :class:`NewsSite`."""

    def __init__(self, site: NewsSite) -> None:
        self.site = site

    # --- chrome ---------------------------------------------------------------------------------

    def head(self, title: str, extra: str = "", canonical: str | None = None) -> str:
        links = f'<link rel="canonical" href="{escape(self.site.url(canonical))}">' if canonical else ""
        feeds = ""
        if self.site.feeds:
            feeds = (
                '<link rel="alternate" type="application/rss+xml" title="The Harbour Courier feed" href="/feed/">'
                '<link rel="alternate" type="application/rss+xml" title="The Harbour Courier » Comments Feed" '
                'href="/comments/feed/">'
            )
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width">{links}{feeds}{extra}'
            '<link rel="stylesheet" href="/static/site.css"></head>'
        )

    def header(self) -> str:
        nav = "".join(f'<li><a href="/{key}/">{name}</a></li>' for key, name in SECTIONS.items())
        return (
            '<header class="site-header"><a class="logo" href="/">The Harbour Courier</a>'
            f'<nav class="main-nav"><ul>{nav}</ul></nav>'
            '<form class="search" action="/search" method="get"><input name="q" placeholder="Search"></form>'
            '<a class="login" href="/login/">Sign in</a> <a href="/newsletter/">Newsletter</a></header>'
        )

    def footer(self) -> str:
        return (
            '<footer class="site-footer"><nav><a href="/about/">About us</a> · <a href="/contact/">Contact</a> · '
            '<a href="/privacy/">Privacy</a> · <a href="/feed/">RSS</a> · <a href="/archive/">Archive</a></nav>'
            f"<p>© 2026 {SITE_NAME}, Old Quay 4, Port Haven. All rights reserved.</p>"
            '<p>Partner: <a href="http://127.0.0.2:8080/tide-tables">Tide tables</a></p></footer>'
        )

    def latest_box(self, exclude: int = 0) -> str:
        items = "".join(
            f'<li><time datetime="{self.site.published(n).isoformat()}">{_date_text(self.site.published(n))}</time> '
            f'<a href="{self.site.path_of(n)}">{escape(self.site.story(n).title)}</a></li>'
            for n in self.site.newest(7)
            if n != exclude
        )
        return f'<aside class="latest"><h2>Latest news</h2><ol>{items}</ol></aside>'

    def most_read(self) -> str:
        rng = random.Random(self.site.seed * 7)
        picks = sorted({rng.randint(1, self.site.count) for _ in range(5)})
        aliased = [n - n % ALIAS_EVERY for n in picks if n >= ALIAS_EVERY]
        items = []
        for number in [*aliased[:2], *picks[:3]]:
            story = self.site.story(number)
            target = story.alias or story.path
            items.append(f'<li><a href="{target}">{escape(story.title)}</a></li>')
        return f'<aside class="most-read"><h2>Most read</h2><ol>{"".join(items)}</ol></aside>'

    # --- story pages ----------------------------------------------------------------------------

    def story_page(self, number: int, alias: bool = False) -> str:
        story = self.site.story(number)
        render = getattr(self, f"_story_{story.scheme}")
        html = render(story)
        if alias and 'rel="canonical"' not in html:
            html = html.replace("<head>", f'<head><link rel="canonical" href="{self.site.url(story.path)}">', 1)
        return html

    def _related(self, story: Story, dated: bool) -> str:
        numbers = [n for n in (story.id - 7, story.id - 14, story.id + 7) if 1 <= n <= self.site.count]
        items = []
        for n in numbers:
            other = self.site.story(n)
            when = (
                f'<time datetime="{other.published.isoformat()}">{_date_text(other.published)}</time> ' if dated else ""
            )
            items.append(f'<li>{when}<a href="{other.path}">{escape(other.title)}</a></li>')
        return "".join(items)

    def _paragraphs(self, story: Story, cls: str = "") -> str:
        attr = f' class="{cls}"' if cls else ""
        out = [f"<p{attr}>{escape(p)}</p>" for p in story.paragraphs]
        if len(out) > 4 and story.id > 7:
            other = self.site.story(story.id - 7)
            out.insert(3, f'<p class="read-more">Read more: <a href="{other.path}">{escape(other.title)}</a></p>')
        if story.id % 9 == 0:
            out.append(
                f'<p>Source: <a href="http://127.0.0.2:8080/reports/{story.id}">the full report</a> (PDF, 2 MB).</p>'
            )
        return "".join(out)

    def _share(self, story: Story) -> str:
        url = quote(self.site.url(story.path), safe="")
        return (
            f'<div class="share"><a href="/share?url={url}&amp;via=facebook">Share</a> '
            f'<a href="/share?url={url}&amp;via=mail">Email</a> <a href="{story.path}'
            f'{"&amp;" if "?" in story.path else "?"}print=1">Print</a></div>'
        )

    def _tags(self, story: Story) -> str:
        return "".join(f'<li><a href="/tag/{t}/">{t.title()}</a></li>' for t in story.tags)

    def _author_link(self, story: Story) -> str:
        return f'<a rel="author" href="/author/{slugify(story.author)}/">{escape(story.author)}</a>'

    def _story_slug(self, story: Story) -> str:
        iso = story.published.isoformat()
        return (
            self.head(
                f"{story.title} | {SITE_NAME}",
                f'<meta property="og:title" content="{escape(story.title)}">'
                f'<meta name="description" content="{escape(story.dek)}">'
                f'<meta property="article:published_time" content="{iso}">',
                canonical=story.path,
            )
            + "<body>"
            + self.header()
            + '<main><article class="post">'
            f'<p class="kicker"><a href="/{story.section}/">{SECTIONS[story.section]}</a></p>'
            f'<h1 class="entry-title">{escape(story.title)}</h1><p class="dek">{escape(story.dek)}</p>'
            f'<div class="byline">By {self._author_link(story)} · <time class="published" datetime="{iso}">'
            f"{_date_text(story.published)}</time></div>"
            f'<figure><img src="/img/{story.id}.jpg" alt=""><figcaption>The quay at dawn (Photo: Courier)</figcaption>'
            "</figure>"
            f'<div class="entry-content">{self._paragraphs(story)}</div>'
            f'<ul class="tags">{self._tags(story)}</ul>{self._share(story)}</article>'
            f'<aside class="related"><h2>Related</h2><ul>{self._related(story, dated=True)}</ul></aside>'
            + self.latest_box(story.id)
            + self.most_read()
            + "</main>"
            + self.footer()
            + "</body></html>"
        )

    def _story_id(self, story: Story) -> str:
        # a legacy page: no date anywhere, no canonical, a table layout's leftovers
        return (
            self.head(f"{SITE_NAME} - {story.title}")
            + '<body><div id="top"><a href="/"><img src="/img/logo.gif" alt="The Harbour Courier"></a></div>'
            + '<div id="menu">'
            + " | ".join(f'<a href="/{k}/">{v}</a>' for k, v in SECTIONS.items())
            + "</div>"
            f'<div id="content"><h1>{escape(story.title)}</h1><div class="author">by {escape(story.author)}</div>'
            f'<div class="text">{self._paragraphs(story)}</div>'
            f'<div class="related"><h3>Related stories</h3><ul>{self._related(story, dated=False)}</ul></div>'
            f'<div class="tools"><a href="/print/{story.id}/">Printer-friendly version</a> '
            f'<a href="/share?id={story.id}">Send to a friend</a></div></div>'
            + self.most_read()
            + '<div id="footer"><a href="/about/">About</a> | <a href="/contact/">Contact</a></div></body></html>'
        )

    def _story_wp(self, story: Story) -> str:
        iso = story.published.isoformat()
        post = story.id + 500
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": story.title,
            "datePublished": iso,
            "author": {"@type": "Person", "name": story.author},
            "publisher": {"@type": "Organization", "name": SITE_NAME},
        }
        previous = self.site.story(story.id - 1) if story.id > 1 else None
        following = self.site.story(story.id + 1) if story.id < self.site.count else None
        nav = ""
        if previous:
            nav += f'<div class="nav-previous"><a href="{previous.path}" rel="prev">{escape(previous.title)}</a></div>'
        if following:
            nav += f'<div class="nav-next"><a href="{following.path}" rel="next">{escape(following.title)}</a></div>'
        comments = "".join(
            f'<li class="comment"><div class="comment-author">{name}</div><div class="comment-content">'
            f"<p>{text}</p></div></li>"
            for name, text in (
                ("Harbourwatcher", "Good to see this covered properly at last."),
                ("K. Lind", "I was at the meeting and it was much louder than this suggests!"),
            )
        )
        return (
            self.head(
                f"{story.title} – {SITE_NAME}",
                f'<script type="application/ld+json">{json.dumps(data)}</script>',
                canonical=story.path,
            )
            + f'<body class="post-template-default single single-post postid-{post}">'
            + self.header()
            + f'<div id="primary" class="content-area"><main id="main"><article id="post-{post}" class="post type-post">'
            '<header class="entry-header">'
            f'<h1 class="entry-title">{escape(story.title)}</h1><div class="entry-meta">'
            f'<span class="posted-on"><time class="entry-date published" datetime="{iso}">'
            f"{_date_text(story.published)}</time></span> "
            f'<span class="byline"><span class="author vcard">{self._author_link(story)}</span></span></div></header>'
            f'<div class="entry-content">{self._paragraphs(story)}</div>'
            f'<footer class="entry-footer"><span class="cat-links"><a href="/{story.section}/" rel="category tag">'
            f'{SECTIONS[story.section]}</a></span><span class="tags-links">{self._tags(story)}</span></footer>'
            f'</article><nav class="post-navigation">{nav}</nav>'
            f'<div id="comments" class="comments-area"><h2 class="comments-title">2 thoughts on “{escape(story.title)}”'
            f'</h2><ol class="comment-list">{comments}</ol></div></main></div>'
            + self.latest_box(story.id)
            + self.footer()
            + "</body></html>"
        )

    def _story_html(self, story: Story) -> str:
        iso = story.published.isoformat()
        place = story.dek.split(":", 1)[0].upper()
        paragraphs = list(story.paragraphs)
        first = f'<p class="first"><b>{escape(place)}</b>, {_date_text(story.published)} – {escape(paragraphs[0])}</p>'
        rest = "".join(f"<p>{escape(p)}</p>" for p in paragraphs[1:])
        return (
            self.head(
                f"{story.title} - {SITE_NAME}",
                f'<meta property="article:published_time" content="{iso}"><meta property="og:type" content="article">',
                canonical=story.path,
            )
            + "<body>"
            + self.header()
            + '<div class="page"><div class="story">'
            f'<h1 class="headline">{escape(story.title)}</h1>'
            f'<p class="byline">{escape(story.author)}, staff reporter</p>'
            f'<div class="story-body">{first}{rest}</div>'
            f'<div class="more"><h4>More from {SECTIONS[story.section]}</h4><ul>{self._related(story, dated=True)}'
            f"</ul></div>{self._share(story)}</div>"
            + self.latest_box(story.id)
            + "</div>"
            + self.footer()
            + "</body></html>"
        )

    def _story_dated(self, story: Story) -> str:
        iso = story.published.isoformat()
        return (
            self.head(f"{story.title} — {SITE_NAME}", canonical=story.path)
            + "<body>"
            + self.header()
            + '<main class="container"><div class="post-wrap">'
            f'<h1>{escape(story.title)}</h1><div class="meta"><time datetime="{iso}">'
            f"{_date_text(story.published)}</time> in "
            f'<a href="/{story.section}/">{SECTIONS[story.section]}</a> by {self._author_link(story)}</div>'
            f'<div class="post-body">{self._paragraphs(story)}</div>'
            f'<div class="post-tags">Tagged: {self._tags(story)}</div></div>'
            + self.latest_box(story.id)
            + self.most_read()
            + "</main>"
            + self.footer()
            + "</body></html>"
        )

    def _story_hash(self, story: Story) -> str:
        when = story.published
        return (
            self.head(f"{story.title} · {SITE_NAME}", canonical=story.path)
            + '<body><div id="app">'
            + self.header()
            + '<main><div class="article"><div class="article__header">'
            f'<span class="article__section">{SECTIONS[story.section]}</span>'
            f'<h1 class="article__title">{escape(story.title)}</h1>'
            f'<div class="article__meta"><span class="article__author">{escape(story.author)}</span>'
            f"<span>Published {when:%d.%m.%Y, %H:%M}</span></div></div>"
            f'<section class="article__body">{self._paragraphs(story, "article__paragraph")}</section>'
            f'<div class="article__related"><h2>Read next</h2><ul>{self._related(story, dated=False)}</ul></div>'
            "</div></main>" + self.footer() + "</div></body></html>"
        )

    # --- listings -------------------------------------------------------------------------------

    def teaser(self, number: int, heading: str = "h2") -> str:
        story = self.site.story(number)
        when = story.published
        # some sections show the story's summary under the headline, others only the date and byline
        dek = f'<p class="teaser__dek">{escape(story.dek)}</p>' if list(SECTIONS).index(story.section) % 3 == 0 else ""
        return (
            f'<article class="teaser"><{heading} class="teaser__title"><a href="{story.path}">'
            f"{escape(story.title)}</a></{heading}>{dek}"
            f'<p class="teaser__meta"><time datetime="{when.isoformat()}">{_date_text(when)}</time> · '
            f"{escape(story.author)}</p></article>"
        )

    def listing(self, title: str, numbers: list[int], pagination: str = "", intro: str = "") -> str:
        teasers = "".join(self.teaser(n) for n in numbers)
        return (
            self.head(f"{title} | {SITE_NAME}")
            + "<body>"
            + self.header()
            + f'<main><h1 class="page-title">{escape(title)}</h1>{intro}<div class="teasers">{teasers}</div>'
            + pagination
            + self.most_read()
            + "</main>"
            + self.footer()
            + "</body></html>"
        )

    def pagination(self, url_of: Any, page: int, pages: int) -> str:
        if pages <= 1:
            return ""
        links = []
        if page > 1:
            links.append(f'<a rel="prev" href="{url_of(page - 1)}">‹ Newer</a>')
        for n in range(max(1, page - 2), min(pages, page + 2) + 1):
            links.append(f"<span>{n}</span>" if n == page else f'<a href="{url_of(n)}">{n}</a>')
        if page < pages:
            links.append(f'<a rel="next" href="{url_of(page + 1)}">Older ›</a>')
        return f'<nav class="pagination">{" ".join(links)}</nav>'

    def section(self, section: str, page: int) -> str | None:
        pages = self.site.section_pages(section)
        if not 1 <= page <= pages:
            return None
        numbers = self.site.in_section(section, page)
        nav = self.pagination(lambda n: self.site.page_url(section, n), page, pages)
        name = SECTIONS[section] + (f" – page {page}" if page > 1 else "")
        return self.listing(name, numbers, nav)

    def archive_index(self) -> str:
        months = "".join(
            f'<li><a href="/archive/{y}/{m:02d}/">{MONTHS[m - 1]} {y}</a></li>' for y, m in reversed(self.site.months())
        )
        return self.listing("Archive", [], intro=f'<ul class="months">{months}</ul>')

    def archive(self, year: int, month: int, page: int) -> str | None:
        numbers = self.site.in_month(year, month)
        pages = max(1, -(-len(numbers) // 30))
        if not numbers or not 1 <= page <= pages:
            return None

        def url_of(n: int) -> str:
            return f"/archive/{year}/{month:02d}/" + (f"?page={n}" if n > 1 else "")

        title = f"Archive: {MONTHS[month - 1]} {year}"
        return self.listing(title, numbers[(page - 1) * 30 : page * 30], self.pagination(url_of, page, pages))

    def homepage(self) -> str:
        site = self.site
        newest = site.newest(13)
        lead = site.story(newest[0])
        blocks = "".join(
            f'<section class="block"><h2><a href="/{key}/">{name}</a></h2>'
            + "".join(self.teaser(n, "h3") for n in site.in_section(key, 1)[:3])
            + "</section>"
            for key, name in SECTIONS.items()
        )
        rng = random.Random(site.seed * 13)
        trending = "".join(
            f'<li><a href="{site.story(n).path}{"&" if "?" in site.story(n).path else "?"}fbclid=IwAR{rng.getrandbits(40):x}">'
            f"{escape(site.story(n).title)}</a></li>"
            for n in sorted({rng.randint(1, site.count) for _ in range(4)})
        )
        videos = "".join(
            f'<li><a href="/video/{v}/tide-{v}-from-the-lighthouse/">Watch: the tide from the lighthouse, part {v}</a></li>'
            for v in range(1, site.videos + 1)
        )
        months = "".join(
            f'<li><a href="/archive/{y}/{m:02d}/">{MONTHS[m - 1]} {y}</a></li>' for y, m in reversed(site.months()[-6:])
        )
        extra = ""
        if site.feeds:
            extra = (
                '<link rel="alternate" type="application/atom+xml" title="Atom" href="/feeds/atom.xml">'
                '<link rel="alternate" type="application/feed+json" title="JSON Feed" href="/feed.json">'
            )
        return (
            self.head(f"{SITE_NAME} – news from Port Haven and the coast", extra)
            + "<body>"
            + self.header()
            + '<main class="home"><section class="lead">'
            f'<h2><a href="{lead.path}">{escape(lead.title)}</a></h2><p>{escape(lead.dek)}</p></section>'
            + '<section class="latest-teasers"><h2>Latest</h2>'
            + "".join(self.teaser(n, "h3") for n in newest[1:])
            + "</section>"
            + blocks
            + f'<aside class="trending"><h2>Trending</h2><ul>{trending}</ul></aside>'
            + self.most_read()
            + f'<aside class="videos"><h2>Video</h2><ul>{videos}</ul></aside>'
            + f'<aside class="archive"><h2>Archive</h2><ul>{months}</ul><a href="/archive/">All months</a></aside>'
            + "</main>"
            + self.footer()
            + "</body></html>"
        )

    def person_or_tag(self, kind: str, name: str) -> str:
        numbers = [n for n in self.site.newest(min(self.site.count, 400)) if self._matches(n, kind, name)][:PER_PAGE]
        return self.listing(f"{kind.title()}: {name.replace('-', ' ').title()}", numbers)

    def _matches(self, number: int, kind: str, name: str) -> bool:
        story = self.site.story(number)
        return name in story.tags if kind == "tag" else slugify(story.author) == name

    def video(self, number: int) -> str | None:
        if not 1 <= number <= self.site.videos:
            return None
        return (
            self.head(f"Watch: the tide from the lighthouse, part {number} | {SITE_NAME}")
            + "<body>"
            + self.header()
            + f'<main><h1>The tide from the lighthouse, part {number}</h1><div class="player">'
            f'<video src="/media/tide-{number}.mp4" controls></video></div><p>Filmed at dawn. Duration 2:14.</p></main>'
            + self.footer()
            + "</body></html>"
        )

    def plain(self, title: str, text: str) -> str:
        return (
            self.head(f"{title} | {SITE_NAME}")
            + "<body>"
            + self.header()
            + f"<main><h1>{escape(title)}</h1><p>{escape(text)}</p></main>"
            + self.footer()
            + "</body></html>"
        )

    # --- feeds, sitemaps, robots ------------------------------------------------------------------

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{escape(self.site.story(n).title)}</title>"
            f"<link>{escape(self.site.url(self.site.path_of(n)))}{'&amp;' if '?' in self.site.path_of(n) else '?'}"
            "utm_source=rss&amp;utm_medium=feed&amp;utm_campaign=latest</link>"
            f"<pubDate>{self.site.published(n):%a, %d %b %Y %H:%M:%S +0000}</pubDate>"
            f'<guid isPermaLink="false">courier-{n}</guid></item>'
            for n in self.site.newest(30)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{SITE_NAME}</title><link>{self.site.url('/')}</link><description>Latest news</description>"
            f"{items}</channel></rss>"
        )

    def atom(self) -> str:
        entries = "".join(
            f"<entry><title>{escape(self.site.story(n).title)}</title>"
            f'<link rel="alternate" href="{escape(self.site.url(self.site.path_of(n)))}"/>'
            f"<id>tag:courier,{n}</id><published>{self.site.published(n).isoformat()}</published>"
            f"<updated>{self.site.published(n).isoformat()}</updated></entry>"
            for n in self.site.newest(20, offset=10)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{SITE_NAME}</title><id>tag:courier</id><updated>{self.site.published(self.site.count).isoformat()}"
            f"</updated>{entries}</feed>"
        )

    def json_feed(self) -> str:
        items = []
        for n in self.site.newest(25, offset=5):
            story = self.site.story(n)
            items.append(
                {
                    "id": str(n),
                    "url": self.site.url(story.alias or story.path),
                    "title": story.title,
                    "date_published": story.published.isoformat(),
                }
            )
        return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": SITE_NAME, "items": items})

    def comments_feed(self) -> str:
        items = "".join(
            f"<item><title>Comment on {escape(self.site.story(n).title)}</title>"
            f"<link>{escape(self.site.url(self.site.path_of(n)))}#comment-{n}</link></item>"
            for n in self.site.newest(5)
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Comments</title>{items}</channel></rss>'

    def robots(self) -> str:
        lines = ["User-agent: *", "Disallow: /search", "Disallow: /login/", ""]
        if self.site.sitemaps:
            lines.append(f"Sitemap: {self.site.url('/sitemap_index.xml')}")
        return "\n".join(lines) + "\n"

    def sitemap_index(self) -> str:
        files = [f"/sitemaps/posts-{k + 1}.xml" for k in range(-(-self.site.count // self.site.per_sitemap))]
        files += ["/sitemaps/news.xml", "/sitemaps/pages.xml"]
        entries = "".join(f"<sitemap><loc>{self.site.url(f)}</loc></sitemap>" for f in files)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
        )

    def posts_sitemap(self, part: int) -> str | None:
        first = (part - 1) * self.site.per_sitemap + 1
        if part < 1 or first > self.site.count:
            return None
        last = min(first + self.site.per_sitemap - 1, self.site.count)
        entries = "".join(
            f"<url><loc>{escape(self.site.url(self.site.path_of(n)))}</loc>"
            f"<lastmod>{(self.site.published(n) + timedelta(days=n % 5)).date().isoformat()}</lastmod></url>"
            for n in range(first, last + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        )

    def news_sitemap(self) -> str:
        entries = "".join(
            f"<url><loc>{escape(self.site.url(self.site.path_of(n)))}</loc><news:news><news:publication>"
            f"<news:name>{SITE_NAME}</news:name><news:language>en</news:language></news:publication>"
            f"<news:publication_date>{self.site.published(n).isoformat()}</news:publication_date>"
            f"<news:title>{escape(self.site.story(n).title)}</news:title></news:news></url>"
            for n in self.site.newest(50)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
        )

    def pages_sitemap(self) -> str:
        paths = ["/", *(f"/{k}/" for k in SECTIONS), "/about/", "/contact/", "/archive/"]
        paths += [f"/video/{v}/tide-{v}-from-the-lighthouse/" for v in range(1, self.site.videos + 1)]
        entries = "".join(f"<url><loc>{self.site.url(p)}</loc></url>" for p in paths)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
        )

    # --- routing --------------------------------------------------------------------------------

    def answer(self, target: str) -> tuple[int, str, str]:
        """(status, content type, body) for a request target (path and query)."""
        html, xml = "text/html; charset=utf-8", "application/xml; charset=utf-8"
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        site = self.site
        page = int(query["page"][0]) if query.get("page", [""])[0].isdigit() else 1
        if path == "/" and "p" in query:
            number = site.paths.get(f"/?p={query['p'][0]}")
            return (200, html, self.story_page(number)) if number else (404, html, self.plain("Not found", "No."))
        if path == "/":
            return 200, html, self.homepage()
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", self.robots()
        feeds = {"/feed/": self.rss, "/feeds/atom.xml": self.atom, "/comments/feed/": self.comments_feed}
        if site.feeds and path in feeds:
            kind = "application/atom+xml" if path.endswith("atom.xml") else "application/rss+xml"
            return 200, f"{kind}; charset=utf-8", feeds[path]()
        if site.feeds and path == "/feed.json":
            return 200, "application/feed+json", self.json_feed()
        if site.sitemaps and path == "/sitemap_index.xml":
            return 200, xml, self.sitemap_index()
        if site.sitemaps and path.startswith("/sitemaps/"):
            name = path.rsplit("/", 1)[-1]
            body = None
            if name == "news.xml":
                body = self.news_sitemap()
            elif name == "pages.xml":
                body = self.pages_sitemap()
            elif name.startswith("posts-") and name[6:-4].isdigit():
                body = self.posts_sitemap(int(name[6:-4]))
            if body is not None:
                return 200, xml, body
        number = site.paths.get(target) or site.paths.get(path)
        if number:
            return 200, html, self.story_page(abs(number), alias=number < 0)
        segments = [s for s in path.split("/") if s]
        body: str | None = None
        if len(segments) in (1, 3) and segments[0] in SECTIONS and (len(segments) == 1 or segments[1] == "page"):
            number = int(segments[2]) if len(segments) == 3 and segments[2].isdigit() else page
            body = self.section(segments[0], number)
        elif segments[:1] == ["archive"]:
            if len(segments) == 1:
                body = self.archive_index()
            elif len(segments) == 3 and segments[1].isdigit() and segments[2].isdigit():
                body = self.archive(int(segments[1]), int(segments[2]), page)
        elif len(segments) == 2 and segments[0] in {"tag", "author"}:
            body = self.person_or_tag(segments[0], segments[1])
        elif len(segments) == 3 and segments[0] == "video" and segments[1].isdigit():
            body = self.video(int(segments[1]))
        elif len(segments) == 1 and segments[0] in {"about", "contact", "privacy", "login", "newsletter"}:
            body = self.plain(segments[0].title(), PLAIN[segments[0]])
        if body is None:
            return 404, html, self.plain("Page not found", "The page you asked for is not here.")
        return 200, html, body


PLAIN = {
    "about": "The Harbour Courier has reported on Port Haven and the coast since 1911. We are an independent "
    "newsroom of fourteen journalists, funded by our readers and a small number of local advertisers. Our "
    "reporters cover the harbour, the council, culture and sport, and we publish corrections openly.",
    "contact": "Write to the newsroom at Old Quay 4, Port Haven, or call the desk between nine and five.",
    "privacy": "We keep as little about our readers as we can. This page explains what we store and why.",
    "login": "Sign in to manage your subscription.",
    "newsletter": "Sign up for the morning briefing, sent at seven every weekday.",
}


class NewsSiteServer:
    """A :class:`NewsSite` served on 127.0.0.1 (port 0: any free port) from a background thread."""

    def __init__(self, site: NewsSite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.pages = Pages(site)
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "courier"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, kind, body = server.pages.answer(self.path)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # a crawl stopped early (CLOSESPIDER_ITEMCOUNT) drops its connections: not the site's fault
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self._server = Server((host, port), Handler)
        self._server.daemon_threads = True
        site.base = f"http://{host}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.site.base

    def start(self) -> NewsSiteServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="newssite", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> NewsSiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a generated news site on 127.0.0.1.")
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--sitemap-urls", type=int, default=None, help="list this many stories in the sitemaps")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    site = NewsSite(args.stories, seed=args.seed, sitemap_urls=args.sitemap_urls)
    server = NewsSiteServer(site, port=args.port)
    print(f"{site.count} stories at {server.base_url}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
