"""A small news site served on 127.0.0.1 that behaves the way live servers do: validators and
``304 Not Modified``, ``503`` before a page comes up, permanent redirects from old addresses, gzip
for clients that accept it. Its pages vary what real news pages vary (length, where the date is, side
lists with other stories' dates, language, charset declaration). Every request is logged, so a test
can see what the crawler sent."""

from __future__ import annotations

import gzip
import hashlib
import html
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SECTIONS = ("politics", "economy", "world", "climate", "opinion")
WORDS = (
    "council ministers parliament budget proposal talks agreement summit commission member states vote "
    "reform energy prices inflation migration border court ruling treaty negotiators delegates report "
    "committee amendment deadline compromise coalition opposition election campaign policy funding"
).split()


@dataclass
class Page:
    path: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    last_modified: datetime | None = None
    #: answer 503 this many times before the page comes up
    fail_first: int = 0
    #: an old address answering 301 to ``path``
    old_path: str | None = None
    published: date | None = None


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class NewsServer:
    """``with NewsServer(pages) as server: server.url(path)``."""

    pages: dict[str, Page]
    log: list[Logged] = field(default_factory=list)
    _failures: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._aliases = {p.old_path: p.path for p in self.pages.values() if p.old_path}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests_for(self, path: str) -> list[Logged]:
        return [entry for entry in self.log if entry.path == path]

    def __enter__(self) -> NewsServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        if path in self._aliases:
            return 301, [("Location", self.url(self._aliases[path])), ("Content-Length", "0")], b""
        page = self.pages.get(path)
        if page is None:
            return 404, [("Content-Type", "text/plain"), ("Content-Length", "10")], b"not found\n"
        with self._lock:
            failed = self._failures.get(path, 0)
            if failed < page.fail_first:
                self._failures[path] = failed + 1
                body = b"<html><body><h1>Service Unavailable</h1><p>Try again later.</p></body></html>"
                return (
                    503,
                    [("Content-Type", "text/html"), ("Retry-After", "0"), ("Content-Length", str(len(body)))],
                    body,
                )
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:20] + '"'
        common = [("ETag", etag), ("Date", format_datetime(datetime.now(UTC), usegmt=True))]
        if page.last_modified is not None:
            common.append(("Last-Modified", format_datetime(page.last_modified, usegmt=True)))
        if headers.get("if-none-match") == etag:
            return 304, common, b""
        body = page.body
        out = [("Content-Type", page.content_type), *common]
        if "gzip" in headers.get("accept-encoding", "") and len(body) % 3 == 0:  # some answers compressed
            body = gzip.compress(body, mtime=0)
            out.append(("Content-Encoding", "gzip"))
        out.append(("Content-Length", str(len(body))))
        return 200, out, body


def _handler(site: NewsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, out, body = site.answer(self.path, headers)
            site.log.append(Logged("GET", self.path, headers, status))
            self.send_response(status)
            for name, value in out:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


# --- pages -------------------------------------------------------------------------------------


def _sentence(rng: random.Random, index: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 26))]
    return f"Story {index}: " + " ".join(words).capitalize() + "."


def story_page(rng: random.Random, index: int, published: date, path: str, others: list[tuple[str, date]]) -> bytes:
    """One story page; where its date shows varies from page to page, as it does between sites."""
    style = index % 6
    lang = ("en", "en", "en", "fr", "de", "en")[index % 6]
    title = f"Story {index}: " + " ".join(rng.choice(WORDS) for _ in range(6))
    paragraphs = "".join(f"<p>{html.escape(_sentence(rng, index))}</p>" for _ in range(rng.randint(4, 18)))
    head = f"<title>{html.escape(title)}</title>"
    byline = ""
    when = datetime(published.year, published.month, published.day, rng.randint(6, 20), rng.randint(0, 59), tzinfo=UTC)
    if style == 0:
        byline = f'<p class="byline">By A. Writer, <time datetime="{when.isoformat()}">{published:%d %B %Y}</time></p>'
    elif style == 1:
        head += f'<meta property="article:published_time" content="{when.isoformat()}">'
    elif style == 2:
        head += (
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            f'"headline": "{title}", "datePublished": "{when.isoformat()}"}}</script>'
        )
    elif style == 3:
        byline = f'<p class="byline">Published {published:%d.%m.%Y}</p>'
    # styles 4 and 5: the date is only in the URL, or nowhere on the page
    banner = f'<div class="today">{(published + timedelta(days=400)):%A %d %B %Y}</div>' if index % 7 == 0 else ""
    side = "".join(
        f'<li><time datetime="{day.isoformat()}">{day:%d %b}</time> <a href="{link}">Another story</a></li>'
        for link, day in others
    )
    charset = '<meta charset="utf-8">' if index % 5 else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{charset}{head}</head><body>{banner}'
        f"<nav><a href='/'>Home</a> <a href='/politics'>Politics</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{byline}{paragraphs}</article>"
        f"<aside><h2>Latest news</h2><ul>{side}</ul></aside>"
        f"<footer><p>Subscribe to our newsletter for the day's news.</p></footer></body></html>"
    ).encode()


def news_site(count: int, seed: int = 20231128, *, failing: int = 0, moved: int = 0) -> dict[str, Page]:
    """``count`` story pages; the first ``failing`` answer 503 once or twice before they come up, the
    next ``moved`` are linked under an old address that redirects to them."""
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    days = [start + timedelta(days=rng.randint(0, 1800)) for _ in range(count)]
    paths = []
    for index, day in enumerate(days):
        section = SECTIONS[index % len(SECTIONS)]
        slug = "-".join(rng.choice(WORDS) for _ in range(5))
        if index % 6 == 4:
            paths.append(f"/{section}/{day:%Y/%m/%d}/{slug}")
        else:
            paths.append(f"/{section}/{100000 + index}/{slug}")
    pages = {}
    for index, (path, day) in enumerate(zip(paths, days, strict=True)):
        others = [(paths[j], days[j]) for j in rng.sample(range(count), k=min(4, count))]
        page = Page(path, story_page(rng, index, day, path, others), published=day)
        if index % 4 == 1:
            page.last_modified = datetime(day.year, day.month, day.day, 23, 0, tzinfo=UTC)
        if index % 8 == 3:
            page.content_type = "text/html"  # charset left to the page (or to the guess)
        if index < failing:
            page.fail_first = 1 + index % 2
        elif index < failing + moved:
            page.old_path = f"/old/{index}"
        pages[path] = page
    return pages


def start_urls(server: NewsServer) -> list[str]:
    """The address a crawl is given for each story: the old one where the story moved."""
    return [server.url(p.old_path or p.path) for p in server.pages.values()]
