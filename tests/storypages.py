"""Story pages built the way current publishers build them, with the story known, for extraction tests.

Each page wraps a story of :mod:`tests.newssite` (its own prose, headline, author and publication
time) in a template whose parts vary by seed, as publishers' templates differ:

- the body's markup: ``<p>`` paragraphs, paragraphs split into ``<span>`` runs, ``<div>`` paragraphs,
  or text separated by ``<br><br>``; wrapped in zero to six ``<div>`` levels with hashed class names;
- the chrome around it, each part present or not: a mega menu of 1,200 links, a cookie banner,
  breadcrumbs, an "Exclusive" badge, a share bar of icons, advertising slots between paragraphs, an
  inline "Read more:" link, a newsletter box with a form, a picture with a credited caption, a video
  player's controls, a topics line, an author's biography, a "More stories" block whose cards carry a
  paragraph of summary each, a grid of cards with no heading, a comments section, a footer of links with a copyright line, a
  ``__NEXT_DATA__`` script holding the story again, a picture in ``<noscript>``;
- the second half of the story hidden until a script decides (a metered paywall), by a stylesheet
  rule or by the ``hidden`` attribute, with the paywall's prompt after it;
- the byline (a linked name, a name in a classed ``<span>``, two linked names, a name with the writer's
  role, ``rel=author``, schema.org microdata, a name linked to the writer's profile page and nothing
  else, or no byline and the name in JSON-LD or ``<meta>`` only);
- the dates (``article:published_time`` and ``<time>``, JSON-LD only, a visible "Published" line only,
  or ``<time>`` only) and the title (``og:title`` as the headline, ``og:title`` and ``<title>`` with the
  site's name after it, or ``<title>`` alone).

What the page must give is known from the story itself: its paragraphs in order and nothing else,
its headline, its author and its day of publication (never from the extractor under test).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from .newssite import NewsSite, Story

PARTS = (
    "mega_menu",
    "cookie_banner",
    "breadcrumbs",
    "badge",
    "share_bar",
    "ad_slots",
    "read_more",
    "newsletter",
    "figure",
    "video_player",
    "topics",
    "author_bio",
    "more_stories",
    "card_grid",
    "comments",
    "footer",
    "next_data",
    "noscript_picture",
    "paywall",
)
BODIES = ("p", "spans", "divs", "br")
BYLINES = ("link", "span", "two", "role", "rel_author", "microdata", "profile", "json_ld", "meta")
DATINGS = ("meta_and_time", "json_ld", "visible", "time")
TITLINGS = ("og_title", "site_suffix", "title_only")


@dataclass(frozen=True)
class StoryPage:
    html: str
    url: str
    story: Story
    body: str
    parts: frozenset[str]
    byline: str
    dating: str
    titling: str
    authors: tuple[str, ...]


class StoryPages:
    """Pages of the stories of a generated site: ``page(seed)`` is the same page for the same seed."""

    def __init__(self, site: NewsSite | None = None) -> None:
        self.site = site or NewsSite(400, seed=5)

    def page(self, seed: int) -> StoryPage:
        rng = random.Random(seed)
        story = self.site.story(rng.randint(1, self.site.count))
        parts = frozenset(part for part in PARTS if rng.random() < 0.45)
        body = rng.choice(BODIES)
        if body == "br" and len({p[:60] for p in story.paragraphs}) < len(story.paragraphs):
            body = "p"  # text between breaks is told apart by its opening words: keep those distinct
        byline, dating, titling = rng.choice(BYLINES), rng.choice(DATINGS), rng.choice(TITLINGS)
        second = self._other(rng).author
        authors = (story.author, second) if byline == "two" and second != story.author else (story.author,)
        html = self._html(rng, story, body, parts, (byline, dating, titling), authors)
        return StoryPage(
            html, "https://courier.example" + story.path, story, body, parts, byline, dating, titling, authors
        )

    def _other(self, rng: random.Random) -> Story:
        return self.site.story(rng.randint(1, self.site.count))

    def _paragraph(self, rng: random.Random, text: str, body: str) -> str:
        if body == "spans":
            half = len(text) // 2
            block = (
                f"<p><span class='{_hashed(rng)}'>{escape(text[:half])}</span><span>{escape(text[half:])}</span></p>"
            )
        elif body == "divs":
            block = f"<div class='paragraph {_hashed(rng)}'>{escape(text)}</div>"
        else:
            block = f"<p class='{_hashed(rng)}'>{escape(text)}</p>"
        return _wrapped(rng, block, rng.randint(0, 3))

    def _blocks(self, rng: random.Random, story: Story, body: str, parts: frozenset[str]) -> list[str]:
        """The story's paragraphs with what templates set between them."""
        paragraphs = list(story.paragraphs)
        if body == "br":
            blocks = ["<div class='entry'>" + "<br><br>".join(escape(p) for p in paragraphs) + "</div>"]
        else:
            blocks = [self._paragraph(rng, text, body) for text in paragraphs]
        extras: dict[int, str] = {}
        if "video_player" in parts:
            extras[0] = (
                "<div class='video-player'><div class='vjs-control-bar'><button>Play</button>"
                "<span>Current Time 0:00</span><span>Duration 2:31</span></div></div>"
            )
        if "figure" in parts:
            caption = escape(self._other(rng).title)
            extras[1] = (
                "<figure><picture><source srcset='/i/1.webp'><img src='/i/1.jpg' alt=''></picture>"
                f"<figcaption>{caption}. Photo: Jane Doe/Reuters</figcaption></figure>"
            )
        if "read_more" in parts:
            other = self._other(rng)
            extras[2] = (
                f"<aside class='{_hashed(rng)}'><span>Read more:</span> <a href='/{other.slug}'>{escape(other.title)}</a></aside>"
            )
        if "newsletter" in parts:
            extras[3] = (
                "<div class='newsletter-signup'><h3>Get our morning briefing</h3><p>Sign up for our newsletter"
                " to get the top stories delivered to your inbox.</p><form><input type='email'"
                " placeholder='Your email'><button>Sign up</button></form></div>"
            )
        if "noscript_picture" in parts:
            extras[4] = "<noscript><img src='/i/2.jpg' alt='The harbour at dawn'></noscript>"
        if body == "br":
            return blocks + [extra for _, extra in sorted(extras.items())]
        out = []
        for index, block in enumerate(blocks):
            out.append(block)
            if "ad_slots" in parts and index % 3 == 1:
                out.append(
                    f"<div class='ad-slot {_hashed(rng)}'><span class='ad-label'>Advertisement</span>"
                    f"<div id='gpt-{index}'></div></div>"
                )
            if index in extras:
                out.append(extras[index])
        return out

    def _html(
        self,
        rng: random.Random,
        story: Story,
        body: str,
        parts: frozenset[str],
        kinds: tuple[str, str, str],
        authors: tuple[str, ...],
    ) -> str:
        byline, dating, titling = kinds
        blocks = self._blocks(rng, story, body, parts)
        when = story.published.isoformat()
        title = escape(story.title, quote=True)
        head = {
            "og_title": f"<title>{title} | The Harbour Courier</title><meta property='og:title' content='{title}'>",
            "site_suffix": f"<title>{title} | Courier</title><meta property='og:title' content='{title} | The Harbour Courier'>",
            "title_only": f"<title>{title} - The Harbour Courier</title>",
        }[titling]
        json_ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title}
        if dating == "meta_and_time":
            head += f"<meta property='article:published_time' content='{when}'>"
        elif dating == "json_ld":
            json_ld["datePublished"] = when
        if byline == "json_ld":
            json_ld["author"] = [{"@type": "Person", "name": story.author}]
        elif byline == "meta":
            head += f"<meta name='author' content='{escape(story.author, quote=True)}'>"
        head += (
            "<script type='application/ld+json'>"
            + json.dumps(json_ld)
            + "</script><style>"
            + "".join(f".{_hashed(rng)}{{margin:{rng.randint(0, 9)}px}}" for _ in range(100))
            + "</style>"
        )
        if "paywall" in parts and body != "br":
            cut = len(blocks) // 2
            if rng.random() < 0.5:
                head += "<style>.paywall-content{display:none}</style>"
                hidden = "<div class='paywall-content'>"
            else:
                hidden = "<div class='article-rest' hidden>"
            blocks = [
                *blocks[:cut],
                hidden + "".join(blocks[cut:]) + "</div>",
                "<div class='paywall-prompt'><p>Subscribe to continue reading. Already a subscriber? Log in.</p></div>",
            ]
        sub_links = 40 if "mega_menu" in parts else 0
        menu = "".join(
            f"<li><a href='/s/{k}'>Section {k}</a>"
            + (
                "<ul>" + "".join(f"<li><a href='/s/{k}/{j}'>Topic {k}.{j}</a></li>" for j in range(sub_links)) + "</ul>"
                if sub_links
                else ""
            )
            + "</li>"
            for k in range(30)
        )
        top = f"<header>{_wrapped(rng, f'<nav><ul>{menu}</ul></nav>', rng.randint(1, 4))}</header>"
        if "breadcrumbs" in parts:
            top += "<ol class='breadcrumb'><li><a href='/'>Home</a></li><li><a href='/harbour'>Harbour</a></li></ol>"
        if "cookie_banner" in parts:
            top += (
                "<div class='cookie-banner' role='dialog'><p>We use cookies to improve your experience. By continuing"
                " you agree to our use of cookies.</p><button>Accept</button><button>Manage settings</button></div>"
            )
        article = "<span class='badge'>Exclusive</span>" if "badge" in parts else ""
        names = [escape(name) for name in authors]
        article += (
            f"<h1>{escape(story.title)}</h1>"
            + {
                "link": f"<div class='byline'>By <a href='/author/1'>{names[0]}</a></div>",
                "span": f"<div class='meta'><span class='author-name'>{names[0]}</span></div>",
                "two": "<div class='byline'>By "
                + " and ".join(f"<a href='/author/{i}'>{n}</a>" for i, n in enumerate(names))
                + "</div>",
                "role": f"<p class='byline'>By {names[0]}, Staff Writer</p>",
                "rel_author": f"<p>By <a rel='author' href='/author/1'>{names[0]}</a></p>",
                "microdata": "<div itemprop='author' itemscope itemtype='https://schema.org/Person'>"
                f"<span itemprop='name'>{names[0]}</span></div>",
                "profile": f"<div class='{_hashed(rng)}'><a href='/profile/{rng.randint(1, 99)}'>{names[0]}</a>"
                " · 4 min read</div>",
                "json_ld": "",
                "meta": "",
            }[byline]
        )
        article += {
            "meta_and_time": f"<time datetime='{when}'>{story.published:%B %d, %Y}</time>",
            "json_ld": "",
            "visible": f"<p class='date'>Published {story.published:%d %B %Y, %H:%M}</p>",
            "time": f"<time datetime='{when}'>{story.published:%d.%m.%Y}</time>",
        }[dating]
        if "share_bar" in parts:
            icon = "<svg viewBox='0 0 24 24' aria-hidden='true'><path d='M1 2L3 4z'/></svg>"
            article += (
                f"<div class='share-bar'><a href='#' aria-label='Share on Facebook'>{icon}</a>"
                f"<a href='#' aria-label='Share on X'>{icon}</a><button>Copy link</button></div>"
            )
        article += "".join(blocks)
        if "topics" in parts:
            article += (
                "<div class='tags'><span>Topics:</span> "
                + " ".join(f"<a href='/tag/{t}'>{t}</a>" for t in story.tags)
                + "</div>"
            )
        if "author_bio" in parts:
            article += (
                f"<div class='author-bio'><p>{escape(story.author)} is a reporter covering the harbour and the"
                " council. She joined the paper in 2019.</p></div>"
            )
        after = ""
        if "more_stories" in parts:  # a paragraph of summary under each headline, a heading over them
            cards = self._cards(rng, 6, "<article class='card'>", "h3", lambda other: other.paragraphs[0])
            after += f"<section class='more-stories'><h2>More from the Courier</h2>{cards}</section>"
        if "card_grid" in parts:  # a sentence under each headline, no heading
            cards = self._cards(rng, 4, f"<div class='{_hashed(rng)}'>", "h4", lambda other: other.dek)
            after += f"<div class='{_hashed(rng)}'>{cards}</div>"
        if "comments" in parts:
            after += "<section id='comments'><h2>Comments (12)</h2><div id='disqus_thread'></div><p>Comments are closed.</p></section>"
        if "footer" in parts:
            links = "".join(f"<li><a href='/f/{k}'>Footer link {k}</a></li>" for k in range(80))
            after += f"<footer><ul>{links}</ul><p>© 2024 The Harbour Courier. All rights reserved.</p></footer>"
        if "next_data" in parts:
            data = json.dumps({"props": {"article": {"body": list(story.paragraphs)}}})
            after += f"<script id='__NEXT_DATA__' type='application/json'>{data}</script>"
        main = _wrapped(rng, f"<article>{article}</article>", rng.randint(1, 6))
        return (
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head>"
            f"<body>{top}<main>{main}{after}</main></body></html>"
        )

    def section_page(self, seed: int) -> tuple[str, str]:
        """A section page in a current template, ``(html, url)``: a grid of 4 to 24 cards of other
        stories (each ``<article>``, ``<div>`` or ``<li>``; a headline link, then no summary, a
        sentence or a paragraph; dated or not; a byline), under the site's menu and a section title,
        perhaps with an intro. It is no story: what a crawl of a site without a profile should skip."""
        rng = random.Random(seed)
        wrap = rng.choice(("article", "div", "li"))
        summary = rng.choice(("none", "sentence", "paragraph"))
        dated = rng.random() < 0.5
        cards = []
        for _ in range(rng.randint(4, 24)):
            story = self._other(rng)
            text = {"none": "", "sentence": story.dek, "paragraph": story.paragraphs[0]}[summary]
            when = f"<time datetime='{story.published.isoformat()}'>{story.published:%d %b %Y}</time>" if dated else ""
            inner = (
                f"<a href='{story.path}'><img src='/i/{story.id}.jpg' alt=''><h3>{escape(story.title)}</h3></a>"
                + (f"<p>{escape(text)}</p>" if text else "")
                + f"{when}<span class='author'>{escape(story.author)}</span>"
            )
            cards.append(f"<{wrap} class='card'>{inner}</{wrap}>")
        grid = "".join(cards) if wrap != "li" else "<ul>" + "".join(cards) + "</ul>"
        intro = "<p class='intro'>The latest news from the harbour and the docks.</p>" if rng.random() < 0.3 else ""
        menu = "".join(f"<a href='/s/{k}'>Section {k}</a>" for k in range(10))
        html = (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Harbour | The Harbour Courier</title>"
            f"</head><body><header><nav>{menu}</nav></header><main><h1>Harbour</h1>{intro}"
            f"<section class='grid'>{grid}</section><nav class='pagination'><a href='?page=2'>Next</a></nav></main>"
            "<footer><p>© 2024 The Harbour Courier</p></footer></body></html>"
        )
        return html, f"https://courier.example/harbour/page/{seed}/"

    def _cards(
        self, rng: random.Random, count: int, opening: str, heading: str, summary: Callable[[Story], str]
    ) -> str:
        """``count`` cards of other stories: ``opening`` tag, the headline linked in a ``heading``, then
        ``summary(story)`` in a paragraph."""
        closing = "</" + opening[1:].split(None, 1)[0].rstrip(">") + ">"
        return "".join(
            f"{opening}<a href='/r/{k}'><{heading}>{escape(self._other(rng).title)}</{heading}></a>"
            f"<p>{escape(summary(self._other(rng)))}</p>{closing}"
            for k in range(count)
        )


def _hashed(rng: random.Random) -> str:
    """A class name as CSS-in-JS tools make them."""
    return f"css-{rng.randrange(16**6):06x}"


def _wrapped(rng: random.Random, inner: str, depth: int) -> str:
    for _ in range(depth):
        inner = f"<div class='{_hashed(rng)}'>{inner}</div>"
    return inner
