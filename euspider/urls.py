"""What a URL probably is, for sites without a profile (pure): a guess that orders, never decides.

The crawl fetches every same-site page and lets the extractor say whether it is a story. The URL only
sets the order: feeds and sitemaps by their usual names; listing-shaped pages (the homepage, a short
section path, pagination, a date folder) before story-shaped ones, which rank by how much they look
like news (:func:`story_score`: a date in the path, a numeric ID, ``?p=<id>``, a slug, ``.html``, an
opaque hash). Only what is never a story is skipped unfetched (:func:`skip_reason`): assets and clear
site furniture (tag, author, login, search, share, print and account pages, legal pages). A site
profile's URL patterns, when there is one, replace these guesses.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from .dates.evidence import URL_DATE_RE

ASSET_EXTENSIONS = {
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "avif", "pdf", "zip", "gz", "rar",
    "mp3", "mp4", "m4a", "wav", "ogg", "webm", "mov", "avi", "css", "js", "json", "woff", "woff2", "ttf", "eot",
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "csv", "txt", "exe", "dmg", "apk", "epub", "mobi", "ics", "vcf",
}  # fmt: skip
#: Path segments of pages that are never stories: skipped unfetched.
FURNITURE_SEGMENTS = {
    "tag", "tags", "author", "authors", "search", "login", "logout", "signin", "sign-in", "signup", "sign-up",
    "register", "account", "accounts", "my-account", "subscribe", "subscription", "newsletter", "newsletters",
    "share", "sharer", "print", "about", "about-us", "contact", "contact-us", "privacy", "privacy-policy", "terms",
    "imprint", "impressum", "cookies", "cookie-policy", "wp-admin", "wp-login.php", "wp-json", "xmlrpc.php", "cart",
    "checkout", "comments", "cdn-cgi",
}  # fmt: skip
#: Query parameters of furniture: WordPress search (``?s=``), share and print views, reply forms.
FURNITURE_PARAMETERS = {"s", "share", "print", "replytocom", "like_comment", "redirect_to", "action", "output"}
#: Segments that announce a listing of stories rather than a story.
LISTING_SEGMENTS = {"category", "categories", "section", "sections", "topic", "topics", "archive", "archives", "page"}
HTML_EXTENSIONS = {"html", "htm", "shtml", "php", "asp", "aspx", "cms", "jsp"}

_FEED = re.compile(
    r"(^|/)(feed|feeds|rss|atom)(/|\.xml|\.rss|\.atom|\.json|$)|\.(rss|atom)$|(rss|atom|feed)\.xml$", re.IGNORECASE
)
_SITEMAP = re.compile(r"sitemap[\w.-]*\.xml(\.gz)?$|/sitemap/?$", re.IGNORECASE)
_ID = re.compile(r"(?<![a-z])\d{3,}(?![a-z])", re.IGNORECASE)
_PAGINATION_PATH = re.compile(r"/page/\d+/?$|/p\d+/?$", re.IGNORECASE)
_PAGINATION_PARAMETERS = {"page", "paged", "pg", "pagenum", "start", "offset"}
_DATE_FOLDER = re.compile(r"^/(?:19|20)\d{2}(?:/(?:0?[1-9]|1[0-2]))?(?:/(?:0?[1-9]|[12]\d|3[01]))?/?$")
_HASH = re.compile(r"^(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{8,}$|^[0-9a-f]{8,}$", re.IGNORECASE)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def looks_like_feed(url: str) -> bool:
    return bool(_FEED.search(urlsplit(url).path))


def looks_like_sitemap(url: str) -> bool:
    return bool(_SITEMAP.search(urlsplit(url).path))


def looks_like_robots(url: str) -> bool:
    return urlsplit(url).path.lower() == "/robots.txt"


def skip_reason(url: str) -> str | None:
    """Why ``url`` is never fetched as a page (``not_http``, ``asset``, ``furniture``), or None.

    Feeds, sitemaps and robots.txt are not skipped: they are read for links."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "not_http"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "not_http"
    if looks_like_feed(url) or looks_like_sitemap(url) or looks_like_robots(url):
        return "furniture" if "comments" in parts.path.lower().split("/") else None
    segments = [s.lower() for s in _segments(parts.path)]
    last = segments[-1] if segments else ""
    extension = last.rsplit(".", 1)[-1] if "." in last else ""
    if extension in ASSET_EXTENSIONS:
        return "asset"
    if any(s in FURNITURE_SEGMENTS for s in segments):
        return "furniture"
    if any(key.lower() in FURNITURE_PARAMETERS for key, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return "furniture"
    return None


def is_pagination(url: str) -> bool:
    """Page 2, 3, ... of a listing (``/page/2/``, ``?page=2``, ``?paged=2``)."""
    parts = urlsplit(url)
    if _PAGINATION_PATH.search(parts.path):
        return True
    return any(k.lower() in _PAGINATION_PARAMETERS and v.isdigit() for k, v in parse_qsl(parts.query))


def looks_like_listing(url: str) -> bool:
    """The homepage, a section (one short path segment), pagination, a date folder, a category."""
    parts = urlsplit(url)
    if is_pagination(url):
        return True
    segments = _segments(parts.path)
    query = dict(parse_qsl(parts.query))
    if "p" in query or "id" in query:
        return False
    if not segments:
        return True
    if _DATE_FOLDER.match(parts.path):
        return True
    if segments[0].lower() in LISTING_SEGMENTS and len(segments) <= 3 and not _ID.search(segments[-1]):
        return True
    if len(segments) == 1:
        word = segments[0].lower()
        stem = word.rsplit(".", 1)[0] if word.rsplit(".", 1)[-1] in HTML_EXTENSIONS else word
        return stem.count("-") <= 2 and not any(ch.isdigit() for ch in stem) and stem == word
    return False


def story_score(url: str) -> int:
    """How much a URL looks like a story's, 0 to 5: a date in the path, a numeric ID or ``?p=<id>``,
    a hyphenated slug (longer is likelier), an ``.html`` page, an opaque hash."""
    parts = urlsplit(url)
    segments = _segments(parts.path)
    query = dict(parse_qsl(parts.query))
    score = 0
    if URL_DATE_RE.search(parts.path) and not _DATE_FOLDER.match(parts.path):
        score += 2
    if any(k in query and query[k].isdigit() for k in ("p", "id", "aid", "story", "article")):
        score += 3
    last = segments[-1].lower() if segments else ""
    extension = last.rsplit(".", 1)[-1] if "." in last else ""
    stem = last.rsplit(".", 1)[0] if extension in HTML_EXTENSIONS else last
    if extension in HTML_EXTENSIONS:
        score += 1
    if _ID.search(stem) or (len(segments) >= 2 and stem.isdigit()):
        score += 2
    hyphens = stem.count("-")
    score += 2 if hyphens >= 3 else 1 if hyphens >= 1 else 0
    if _HASH.match(stem) and not stem.isdigit():
        score += 1
    return min(score, 5)


def looks_like_article(url: str) -> bool:
    """A story-shaped URL that is not skipped and not listing-shaped (an ordering hint only)."""
    return skip_reason(url) is None and not looks_like_listing(url) and story_score(url) > 0
