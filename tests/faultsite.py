"""A small hostile website on loopback: a fault server and its catalogue of broken responses.

:class:`FaultServer` is a raw-socket HTTP server (one thread per connection) that can do what real
servers and networks do to a crawler: send nothing, drip one byte at a time, cut a body short, reset
the connection, lie about the content type or the charset, inflate to gigabytes. It records every
connection and request, so a test can say what the crawler fetched and what it never touched.

:data:`CASES` is the catalogue: one :class:`Case` per fault, with the response it gets, the behaviour
the README documents for it (``Safety and failure behaviour``) and what a crawl's output, stats and log
must show. Three good stories are mixed in. Hosts: ``main`` (127.0.0.1), ``robots`` (127.0.0.3, with
a malformed robots.txt) and ``other`` (127.0.0.2: another host the crawl must never reach).

Written apart from the code under test: the expected behaviours come from what a browser and a
careful crawler do with each response, not from euspider's output.
"""

from __future__ import annotations

import gzip
import random
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import cache
from typing import Any

# --- the server ----------------------------------------------------------------------------------

REASONS = {
    200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 410: "Gone",
    429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
}  # fmt: skip


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]


class Exchange:
    """One request on one connection, and the means to answer it any way a server can."""

    def __init__(self, sock: socket.socket, method: str, path: str, headers: dict[str, str], server: FaultServer):
        self.sock = sock
        self.method = method
        self.path = path
        self.headers = headers
        self.server = server

    def head(self, status: int, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in {**headers, "Connection": "close"}.items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def respond(
        self, status: int, body: bytes = b"", content_type: str | None = "text/html; charset=utf-8", **extra: str
    ) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        headers |= {k.replace("_", "-"): v for k, v in extra.items()}
        headers.setdefault("Content-Length", str(len(body)))
        self.head(status, headers)
        self.send(body)

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client has gone away."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def stream(self, chunk: bytes, total: int, pause: float = 0.0) -> None:
        """Send ``chunk`` repeatedly up to ``total`` bytes, until the client hangs up or the server stops."""
        sent = 0
        while sent < total and not self.server.stopping.is_set():
            if not self.send(chunk):
                return
            sent += len(chunk)
            if pause:
                self.server.stopping.wait(pause)

    def reset(self) -> None:
        """Abort the connection with a TCP reset (RST), as a crashing server or a middlebox does."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def hold(self, seconds: float = 120.0) -> None:
        """Keep the connection open and say nothing."""
        self.server.stopping.wait(seconds)


Handler = Callable[[Exchange], None]


class FaultServer:
    """Serve ``routes`` (path -> handler) on ``host`` at an ephemeral port; 404 for anything else."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[Hit] = []
        self.connections = 0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, 0), Handler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]

    def hits_of(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def _handle(self, sock: socket.socket) -> None:
        with self._lock:
            self.connections += 1
        sock.settimeout(30)
        data = b""
        try:
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                data += chunk
        except OSError:
            return
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, path = [*head[0].split(" "), "", ""][:2]
        headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        with self._lock:
            self.hits.append(Hit(path, time.monotonic(), headers))
        exchange = Exchange(sock, method, path, headers, self)
        handler = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])  # a query string is ignored
        try:
            if handler is None:
                exchange.respond(404, b"<html><body><p>Not found</p></body></html>")
            else:
                handler(exchange)
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def start(self) -> FaultServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- page bodies ---------------------------------------------------------------------------------

PARAGRAPHS = [
    "Ministers from the member states met in Brussels on Monday to discuss the next long-term budget, "
    "and several of them said the talks would go on well into the summer.",
    "The commission's proposal would raise spending on research and on the energy grid, while cutting "
    "the share of farm subsidies for the first time in two decades.",
    "Diplomats said a compromise was possible before the end of the year, but only if the largest net "
    "contributors agreed to a slightly higher ceiling for the budget as a whole.",
    "Several smaller countries warned that cohesion funds must not be the price of that compromise, "
    "and asked for guarantees in writing before the next meeting in June.",
    "The parliament's negotiators, who must approve the final deal, said they would not accept cuts to "
    "the programmes that young people and researchers depend on.",
]


def story(title: str, *, head: str = "", body_extra: str = "", paragraphs: list[str] | None = None) -> str:
    """A plain news story page: headline, byline with a date, five paragraphs. Without paragraphs of
    its own, the story's first sentence names its headline: two stories are two texts (a crawl writes
    one record per text)."""
    lead = [] if paragraphs else [f"{title}: the full report from our correspondent, filed this morning."]
    text = "".join(f"<p>{p}</p>" for p in (lead + (paragraphs or PARAGRAPHS)))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><header><nav><a href='/'>Home</a> <a href='/world'>World</a></nav></header>"
        f"<article><h1>{title}</h1><p class='byline'>By Ana Costa</p>{text}</article>{body_extra}"
        "<footer><p>© The Fault Times</p></footer></body></html>"
    )


def _utf8(title: str, **kwargs: Any) -> bytes:
    return story(title, **kwargs).encode("utf-8")


ACCENTED = [
    "Les ministres se sont réunis à Bruxelles lundi pour discuter du budget européen à long terme, et "
    "plusieurs d’entre eux ont déclaré que les négociations se poursuivraient jusqu’à l’été.",
    "« Nous avons fait des progrès », a déclaré le président du Conseil, qui espère un accord avant "
    "la fin de l’année — peut-être dès le sommet de décembre à Bruxelles.",
    "Les pays les plus petits ont averti que les fonds de cohésion ne devaient pas être le prix de ce "
    "compromis, et ont demandé des garanties écrites avant la prochaine réunion.",
]
CHINESE = [
    "欧盟各成员国的部长们星期一在布鲁塞尔开会，讨论下一个长期预算，几位部长表示谈判将持续到夏天。",
    "欧盟委员会的提案将增加研究和能源电网方面的支出，同时二十年来首次削减农业补贴的比例。",
    "外交官们说，年底前有可能达成妥协，但前提是最大的净出资国同意略微提高整体预算上限。",
]


def french_story(edition: str = "") -> str:
    """The French story; ``edition`` adds a sentence naming the copy (one record per text)."""
    extra = [f"Édition « {edition} » de la dépêche, relue et corrigée à Bruxelles."] if edition else []
    return (
        story("Le budget européen : les négociations continuent", paragraphs=ACCENTED + extra)
        .replace("lang='en'", "lang='fr'")
        .replace("<meta charset='utf-8'>", "")
    )


def chinese_story() -> str:
    return (
        story("欧盟预算谈判将持续到夏天", paragraphs=CHINESE)
        .replace("lang='en'", "lang='zh'")
        .replace("<meta charset='utf-8'>", "")
    )


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@cache
def gzip_bomb() -> bytes:
    """100 MB of zeros in about 100 KB of gzip."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join([*(compressor.compress(zeros) for _ in range(100)), compressor.flush()])


@cache
def brotli_bomb() -> bytes:
    import brotli

    return brotli.compress(b"\0" * (100 << 20), quality=5)


def json_ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


ARTICLE_LD = '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "%s", "datePublished": "%s"}'
NOISE = random.Random(12).randbytes(20000)
PDF = b"%PDF-1.4\n1 0 obj << /Length 20000 /Filter /FlateDecode >>\nstream\n" + NOISE + b"\nendstream\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + NOISE
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
MALFORMED_ROBOTS = (
    b"<!DOCTYPE html><html><body><h1>Welcome!</h1>\x00\xff\xfe garbage User-agent *\n"
    b"Disallow /news\n\x89\x00 Allow\n" + NOISE[:300] + b"</body></html>"
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY passwd SYSTEM "file:///etc/passwd">'
    '<!ENTITY remote SYSTEM "{other}/xxe">]>\n'
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>\n"
)


def rss(items: str, prolog: str = '<?xml version="1.0"?>\n') -> bytes:
    return f'{prolog}<rss version="2.0"><channel><title>Fault Times</title>{items}</channel></rss>'.encode()


def sitemap(urls: str, prolog: str = '<?xml version="1.0"?>\n') -> bytes:
    return f'{prolog}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


# --- the catalogue -------------------------------------------------------------------------------


@dataclass
class Case:
    """One fault: where it is served, what it does, and what the crawl must show for it.

    ``outcome`` says what happens, in the words of the README table:

    - ``record``: a record is written (``body`` is the story the server sends, to compare with
      ``extract_article`` on the same bytes);
    - ``dropped:<reason>``: the page is dropped, counted as ``euspider/dropped/<reason>``;
    - ``download:<reason>``: the download fails, counted as ``euspider/download/<reason>``;
    - ``refused:<reason>``: the request is refused, counted as ``euspider/refused/<reason>``;
    - ``http:<status>``: an error status, counted by Scrapy (``httperror/...``), no record;
    - ``robots``: never requested (robots.txt), counted as ``robotstxt/forbidden``;
    - ``discovery``: a feed or sitemap (``-a start=``): the crawl goes on, nothing unsafe is fetched.
    """

    id: str
    path: str
    outcome: str
    behaviour: str
    handler: Handler | None = None
    body: bytes | None = None
    content_type: str = "text/html; charset=utf-8"
    host: str = "main"  # main, robots
    start: bool = False  # a discovery page given with -a start=, not a story URL
    #: Further URLs (query strings) of the same page in the URL file (tracking-parameter duplicates).
    variants: tuple[str, ...] = ()
    #: Extra checks on the crawl result: (result, case) -> None, raising AssertionError.
    checks: list[Callable[[Any, Case], None]] = field(default_factory=list)


def serve(case: Case) -> Handler:
    if case.handler is not None:
        return case.handler
    assert case.body is not None

    def handler(ex: Exchange) -> None:
        ex.respond(200, case.body or b"", case.content_type)

    return handler


def _status(status: int, **headers: str) -> Handler:
    def handler(ex: Exchange) -> None:
        ex.respond(status, f"<html><body><p>Error {status}</p></body></html>".encode(), **headers)

    return handler


def _redirect(location: str | Callable[[Exchange], str], status: int = 302) -> Handler:
    def handler(ex: Exchange) -> None:
        target = location(ex) if callable(location) else location
        ex.respond(status, b"", Location=target)

    return handler


def _retry_after_date(seconds: int) -> Handler:
    def handler(ex: Exchange) -> None:
        ex.respond(
            503, b"<html><body><p>Busy</p></body></html>", Retry_After=formatdate(time.time() + seconds, usegmt=True)
        )

    return handler


def _once_429_then(body: bytes) -> Handler:
    """429 with Retry-After: 1 on the first request, the story afterwards."""

    def handler(ex: Exchange) -> None:
        if len(ex.server.hits_of(ex.path)) == 1:
            ex.respond(429, b"<html><body><p>Slow down</p></body></html>", Retry_After="1")
        else:
            ex.respond(200, body)

    return handler


def _cut(body: bytes) -> Handler:
    """Content-Length says the whole body; half of it comes, then the server closes."""

    def handler(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})
        ex.send(body[: len(body) // 2])

    return handler


def _reset_mid_body(body: bytes) -> Handler:
    def handler(ex: Exchange) -> None:
        ex.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})
        ex.send(body[: len(body) // 2])
        time.sleep(0.05)
        ex.reset()

    return handler


def _compressed(data: bytes | Callable[[], bytes], encoding: str) -> Handler:
    """``data`` (or what ``data()`` makes, on the first request: bombs take a second to build)."""

    def handler(ex: Exchange) -> None:
        body = data() if callable(data) else data
        ex.respond(200, body, "text/html; charset=utf-8", Content_Encoding=encoding)

    return handler


def _big(total: int, sized: bool, content_type: str = "text/html; charset=utf-8", chunk: bytes = b"") -> Handler:
    filler = chunk or b"<p>" + b"padding " * 8000 + b"</p>\n"

    def handler(ex: Exchange) -> None:
        headers = {"Content-Type": content_type}
        if sized:
            headers["Content-Length"] = str(total)
        ex.head(200, headers)
        ex.stream(filler, total)

    return handler


def _never(ex: Exchange) -> None:
    ex.hold()


def _drip(ex: Exchange) -> None:
    ex.head(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": "100000"})
    ex.stream(b"<", 100000, pause=0.5)


def _xml(body: bytes | Callable[[Exchange], bytes], content_type: str = "application/xml") -> Handler:
    def handler(ex: Exchange) -> None:
        data = body(ex) if callable(body) else body
        ex.respond(200, data, content_type)

    return handler


def _other_base(ex: Exchange) -> str:
    return ex.server.other_base  # type: ignore[attr-defined]


def _main_base(ex: Exchange) -> str:
    return ex.server.base


GOOD_1 = "/news/2024/05/01/ministers-meet-on-the-budget"
GOOD_2 = "/news/2024/05/02/research-funds-rise-in-the-proposal"
GOOD_3 = "/news/2024/05/03/cohesion-funds-and-the-compromise"
TRACKED = "/news/2024/05/04/parliament-sets-its-red-lines"
BIG = 30_000_000
RATE_LIMITED = _utf8("A story behind a rate limit")


def _links_page(count: int) -> bytes:
    items = "".join(f"<li><a href=/i/{i}>Item {i}</a>" for i in range(count))  # 2.8 MB: under the size limit
    return f"<!DOCTYPE html><html><head><title>Links</title></head><body><ul>{items}</ul></body></html>".encode()


def _link_heavy() -> bytes:
    teasers = "".join(
        f"<li><a href='/news/2024/04/{i % 28 + 1:02d}/story-{i}'>Budget talks, day {i}: what the ministers said</a></li>"
        for i in range(300)
    )
    return story(
        "Latest news", paragraphs=["Our latest coverage of the budget talks."], body_extra=f"<ul>{teasers}</ul>"
    ).encode()


def _repeated() -> bytes:
    lines = [
        "Cheap watches and bags online today, free delivery on every order placed this week.",
        "Buy now and save big on all our brands, today only, while stocks last.",
    ]
    return story("Best deals", paragraphs=lines * 200).encode()


def _laughs_items() -> str:
    return "<item><title>&lol9;</title><link>{main}" + GOOD_1 + "</link></item>"


CASES: list[Case] = [
    # -- good stories -----------------------------------------------------------------------------
    Case("good_story_1", GOOD_1, "record", "written", body=_utf8("Ministers meet on the budget")),
    Case("good_story_2", GOOD_2, "record", "written", body=_utf8("Research funds rise in the proposal")),
    Case(
        "good_story_3_malformed_robots",
        GOOD_3,
        "record",
        "another host whose robots.txt is malformed (an HTML page with binary junk): read as allowing everything, "
        "the story is written",
        body=_utf8("Cohesion funds and the compromise"),
        host="robots",
    ),
    # -- bodies that are not pages ------------------------------------------------------------------
    Case("empty_body", "/news/2024/05/05/empty-body-page", "dropped:empty_body", "dropped as `empty_body`",
         body=b"  \n\n  \t\n"),
    Case("zero_byte_200", "/news/2024/05/05/zero-byte-page", "dropped:empty_body", "dropped as `empty_body`",
         body=b""),
    Case("html_as_octet_stream", "/news/2024/05/05/html-as-octet-stream", "dropped:not_html",
         "dropped as `not_html` (a browser downloads it rather than showing it)",
         body=_utf8("A story served as a download"), content_type="application/octet-stream"),
    Case("pdf_as_html", "/news/2024/05/05/pdf-as-html", "dropped:not_html",
         "dropped as `not_html`: the body is a PDF whatever its label", body=PDF),
    Case("image_as_html", "/news/2024/05/05/image-as-html", "dropped:not_html",
         "dropped as `not_html`: the body is a PNG image", body=PNG),
    Case("random_bytes_as_html", "/news/2024/05/05/random-bytes-as-html", "dropped:undecodable",
         "dropped as `undecodable`", body=NOISE),
    # -- charsets -----------------------------------------------------------------------------------
    Case("charset_cp1252_served_as_utf8", "/news/2024/05/06/budget-europeen-cp1252", "record",
         "written, decoded as windows-1252 (detected): no U+FFFD", body=french_story("cp1252").encode("cp1252")),
    Case("charset_utf8_served_as_latin1", "/news/2024/05/06/budget-europeen-utf8", "record",
         "written, decoded as UTF-8: no mojibake", body=french_story("utf-8").encode("utf-8"),
         content_type="text/html; charset=iso-8859-1"),
    Case("charset_utf8_served_as_gb2312", "/news/2024/05/06/budget-talks-chinese", "record",
         "written, decoded as UTF-8: no mojibake", body=chinese_story().encode("utf-8"),
         content_type="text/html; charset=gb2312"),
    # -- size and shape -----------------------------------------------------------------------------
    Case("page_30mb", "/news/2024/05/07/thirty-megabyte-page", "download:too_large",
         "aborted when its `Content-Length` exceeds `DOWNLOAD_MAXSIZE`", handler=_big(BIG, sized=True)),
    Case("page_30mb_unsized", "/news/2024/05/07/thirty-megabyte-stream", "download:too_large",
         "aborted while downloading, once past `DOWNLOAD_MAXSIZE`", handler=_big(BIG, sized=False)),
    Case("nesting_100000_deep", "/news/2024/05/07/deeply-nested-page", "record",
         "written: the parser caps the depth (255) and the story before the nesting is intact",
         body=_utf8("A story above deep nesting", body_extra="<div>" * 100_000 + "deep" + "</div>" * 100_000)),
    Case("only_scripts", "/news/2024/05/07/only-scripts", "dropped:no_main_text", "dropped as `no_main_text`",
         body=b"<html><head><title>App</title></head><body>" + b"<script>var x = 1;</script>" * 5000 + b"</body></html>"),
    Case("links_100000", "/news/2024/05/07/hundred-thousand-links", "dropped:listing",
         "dropped as `listing` before extraction (a list of links, not a story)", body=_links_page(100_000)),
    Case("mostly_link_text", "/news/2024/05/07/mostly-link-text", "dropped:listing",
         "dropped as `listing` (the text is mostly link text)", body=_link_heavy()),
    Case("repeated_lines", "/news/2024/05/07/repeated-lines", "dropped:repetitive",
         "dropped as `repetitive`", body=_repeated()),
    # -- cut-off and compressed bodies --------------------------------------------------------------
    Case("truncated_html", "/news/2024/05/08/truncated-html", "download:data_loss",
         "fewer bytes than `Content-Length`: retried, then counted; never a half story",
         handler=_cut(_utf8("A story cut in half"))),
    Case("truncated_gzip", "/news/2024/05/08/truncated-gzip", "download:truncated",
         "a gzip stream without its end: dropped before decompression; never a half story",
         handler=_compressed(gzipped(_utf8("A gzipped story cut short"))[:-400], "gzip")),
    Case("gzip_bomb", "/news/2024/05/08/gzip-bomb", "download:too_large",
         "100 MB of zeros in 100 KB of gzip: dropped once it inflates past `DOWNLOAD_MAXSIZE`, never inflated in memory",
         handler=_compressed(gzip_bomb, "gzip")),
    Case("brotli_bomb", "/news/2024/05/08/brotli-bomb", "download:too_large",
         "100 MB of zeros in brotli: as the gzip bomb",
         handler=_compressed(brotli_bomb, "br")),
    # -- redirects ----------------------------------------------------------------------------------
    Case("redirect_loop", "/news/2024/05/09/redirect-loop-a", "refused:redirect_loop",
         "refused when the chain comes back to a URL it has seen",
         handler=_redirect("/news/2024/05/09/redirect-loop-b")),
    Case("redirect_chain_too_long", "/news/2024/05/09/redirect-chain-0", "refused:redirect_limit",
         "refused after `REDIRECT_MAX_TIMES` (5) redirects",
         handler=_redirect("/news/2024/05/09/redirect-chain-1")),
    Case("redirect_to_other_host", "/news/2024/05/09/redirect-elsewhere", "refused:offsite",
         "refused: the target host is outside the allowed domains (nothing is sent to it)",
         handler=_redirect(lambda ex: _other_base(ex) + "/stolen")),
    Case("redirect_to_file_url", "/news/2024/05/09/redirect-to-file", "refused:scheme",
         "refused: only http and https are ever fetched", handler=_redirect("file:///etc/passwd")),
    # -- error statuses -----------------------------------------------------------------------------
    Case("status_404", "/news/2024/05/10/status-404", "http:404", "not retried; counted by Scrapy", handler=_status(404)),
    Case("status_410", "/news/2024/05/10/status-410", "http:410", "not retried; counted by Scrapy", handler=_status(410)),
    Case("status_429", "/news/2024/05/10/status-429", "http:429", "retried twice at once, then counted",
         handler=_status(429)),
    Case("status_429_retry_after", "/news/2024/05/10/status-429-retry-after", "record",
         "waits the 1 s `Retry-After` asks, then the retry gets the story: written",
         body=RATE_LIMITED, handler=_once_429_then(RATE_LIMITED)),
    Case("status_500", "/news/2024/05/10/status-500", "http:500", "retried twice, then counted", handler=_status(500)),
    Case("status_503", "/news/2024/05/10/status-503", "http:503", "retried twice, then counted", handler=_status(503)),
    Case("status_503_retry_after_long", "/news/2024/05/10/status-503-retry-after-hour", "http:503",
         "`Retry-After: 3600` is longer than `EUSPIDER_RETRY_AFTER_MAX`: given up at once, no retry",
         handler=_status(503, Retry_After="3600")),
    Case("status_503_retry_after_date", "/news/2024/05/10/status-503-retry-after-date", "http:503",
         "`Retry-After` as an HTTP date 2 s ahead: each retry waits until then; counted after two",
         handler=_retry_after_date(2)),
    # -- the network --------------------------------------------------------------------------------
    Case("connection_reset_mid_body", "/news/2024/05/11/connection-reset", "download:data_loss",
         "TCP reset half-way through the body: retried, then counted; never a half story",
         handler=_reset_mid_body(_utf8("A story the network cut"))),
    Case("server_never_answers", "/news/2024/05/11/never-answers", "download:timeout",
         "timed out after `DOWNLOAD_TIMEOUT`, retried twice, then counted", handler=_never),
    Case("slow_drip", "/news/2024/05/11/slow-drip", "download:timeout",
         "one byte every half second: timed out after `DOWNLOAD_TIMEOUT` (a whole-response limit)",
         handler=_drip),
    Case("robots_disallowed", "/private/2024/05/11/disallowed-story", "robots",
         "never requested: robots.txt disallows it", body=_utf8("A story robots.txt forbids")),
    # -- feeds and sitemaps (discovery) -------------------------------------------------------------
    Case("feed_malformed", "/feed/malformed.rss", "discovery", "not XML: counted (`euspider/discovery/bad_feed`) "
         "or read as far as it parses; the crawl goes on", start=True,
         handler=_xml(b'<rss><channel><item><title>Broken & <link>' + NOISE[:500], "application/rss+xml")),
    Case("feed_huge", "/feed/huge.rss", "download:too_large", "an 8 MB feed: aborted past `DOWNLOAD_MAXSIZE`",
         start=True, handler=_big(8_000_000, sized=False, content_type="application/rss+xml",
                                  chunk=b"<item><title>x</title><link>/x</link></item>" * 1000)),
    Case("feed_xxe", "/feed/xxe.rss", "discovery", "external entities are never resolved: no file is read and "
         "no other host is contacted; the feed's links are read", start=True,
         handler=_xml(lambda ex: rss(
             "<item><title>&passwd;&remote;</title><link>" + ex.server.base + GOOD_1 + "</link></item>",
             XXE.format(other=_other_base(ex))), "application/rss+xml")),
    Case("feed_billion_laughs", "/feed/laughs.rss", "discovery", "entities are never expanded: bounded time "
         "and memory", start=True,
         handler=_xml(lambda ex: rss(_laughs_items().format(main=ex.server.base), LAUGHS), "application/rss+xml")),
    Case("sitemap_malformed", "/sitemap-malformed.xml", "discovery", "not XML: counted "
         "(`euspider/discovery/bad_sitemap`) or read as far as it parses", start=True,
         handler=_xml(b"<urlset><url><loc>\x00\xff" + NOISE[:500])),
    Case("sitemap_huge", "/sitemap-huge.xml", "download:too_large",
         "a 60 MB sitemap: aborted past `EUSPIDER_MAX_SITEMAP_BYTES` (50 MiB)", start=True,
         handler=_big(60_000_000, sized=False, content_type="application/xml",
                      chunk=b"<url><loc>http://127.0.0.1/x</loc></url>" * 1000)),
    Case("sitemap_xxe", "/sitemap-xxe.xml", "discovery", "external entities are never resolved", start=True,
         handler=_xml(lambda ex: sitemap(
             "<url><loc>&remote;</loc></url><url><loc>" + ex.server.base + GOOD_2 + "</loc></url>",
             XXE.format(other=_other_base(ex))))),
    Case("sitemap_billion_laughs", "/sitemap-laughs.xml", "discovery", "entities are never expanded", start=True,
         handler=_xml(lambda ex: sitemap(f"<url><loc>{ex.server.base}{GOOD_2}</loc><news>&lol9;</news></url>",
                                         LAUGHS))),
    # -- JSON-LD and dates: the story survives a broken part ------------------------------------------
    Case("json_ld_invalid", "/news/2024/05/12/invalid-json-ld", "record",
         "written; the block is skipped with its reason in `date_evidence`",
         body=_utf8("A story with broken JSON-LD", head=json_ld('{"@type": "NewsArticle", "datePublished": '))),
    Case("json_ld_huge", "/news/2024/05/12/huge-json-ld", "record",
         "written; a block over 1,000,000 characters is skipped with its reason",
         body=_utf8("A story with huge JSON-LD", head=json_ld(
             '{"@type": "NewsArticle", "datePublished": "2024-05-12", "x": "' + "a" * 1_200_000 + '"}'))),
    Case("json_ld_nested_10000", "/news/2024/05/12/nested-json-ld", "record",
         "written (once lost to a `RecursionError`); the block is skipped with its reason",
         body=_utf8("A story with nested JSON-LD", head=json_ld('{"a":' * 10_000 + "1" + "}" * 10_000))),
    Case("date_year_0", "/news/2024/05/13/year-zero", "record",
         "written; the date is rejected with its reason",
         body=_utf8("A story dated year zero", head=json_ld(ARTICLE_LD % ("A story dated year zero", "0000-01-01")))),
    Case("date_year_9999", "/news/2024/05/13/year-9999", "record", "written; the date is rejected with its reason",
         body=_utf8("A story dated 9999", head='<meta property="article:published_time" content="9999-12-31T23:59:59-12:00">')),
    Case("date_epoch_13_digits", "/news/2024/05/13/epoch-milliseconds", "record",
         "written; the 13-digit number is not read as a date",
         body=_utf8("A story with a millisecond epoch", head='<meta property="article:published_time" content="1715000000000">')),
    Case("date_broken_time", "/news/2024/05/13/broken-time", "record",
         "written; the `<time>` is kept in the evidence as unparseable",
         body=_utf8("A story with a broken time", body_extra="")
         .replace(b"<p class='byline'>By Ana Costa</p>", b"<p class='byline'>By Ana Costa <time datetime='2024-13-45T99:99'>someday</time></p>")),
    # -- duplicates -----------------------------------------------------------------------------------
    Case("tracking_parameter_duplicates", TRACKED, "record",
         "one record for the story, whatever tracking parameters its URLs carry",
         body=_utf8("Parliament sets its red lines"),
         variants=("?utm_source=newsletter&utm_medium=email", "?fbclid=IwAR0abc123", "?gclid=xyz&utm_campaign=may")),
]  # fmt: skip


def chain_handlers(length: int = 10) -> dict[str, Handler]:
    """The rest of the redirect loop and chain."""
    routes: dict[str, Handler] = {"/news/2024/05/09/redirect-loop-b": _redirect("/news/2024/05/09/redirect-loop-a")}
    for step in range(1, length):
        routes[f"/news/2024/05/09/redirect-chain-{step}"] = _redirect(f"/news/2024/05/09/redirect-chain-{step + 1}")
    return routes


class FaultSite:
    """The catalogue served: ``main`` on 127.0.0.1, ``robots`` on 127.0.0.3, ``other`` on 127.0.0.2."""

    def __init__(self, cases: list[Case] = CASES) -> None:
        self.cases = cases
        self.main = FaultServer("127.0.0.1")
        self.robots = FaultServer("127.0.0.3")
        self.other = FaultServer("127.0.0.2")
        for server in (self.main, self.robots):
            server.other_base = self.other.base  # type: ignore[attr-defined]
        self.main.routes["/robots.txt"] = lambda ex: ex.respond(200, ROBOTS, "text/plain")
        self.robots.routes["/robots.txt"] = lambda ex: ex.respond(200, MALFORMED_ROBOTS, "text/plain")
        self.main.routes.update(chain_handlers())
        for case in cases:
            self.server(case).routes[case.path] = serve(case)

    def server(self, case: Case) -> FaultServer:
        return self.robots if case.host == "robots" else self.main

    def url(self, case: Case, variant: str = "") -> str:
        return self.server(case).url(case.path + variant)

    def story_urls(self) -> list[str]:
        urls = []
        for case in self.cases:
            if not case.start:
                urls += [self.url(case)] + [self.url(case, v) for v in case.variants]
        return urls

    def start_urls(self) -> list[str]:
        return [self.url(case) for case in self.cases if case.start]

    def __enter__(self) -> FaultSite:
        for server in (self.main, self.robots, self.other):
            server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self.main, self.robots, self.other):
            server.stop()
