"""What a URL probably points at, for sites without a profile (pure).

Feeds and sitemaps by their usual names; articles by the shapes news URLs take (a date in the path,
a numeric story ID, a long hyphenated slug); never assets or site furniture (tags, authors, search,
accounts). A site profile's URL patterns, when there is one, replace these guesses.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .dates.evidence import URL_DATE_RE

ASSET_EXTENSIONS = {
    "jpg", "jpeg", "png", "gif", "webp", "svg", "ico", "bmp", "tif", "tiff", "avif", "pdf", "zip", "gz", "rar",
    "mp3", "mp4", "m4a", "wav", "ogg", "webm", "mov", "avi", "css", "js", "json", "woff", "woff2", "ttf", "eot",
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "csv", "txt", "exe", "dmg", "apk",
}  # fmt: skip
FURNITURE_SEGMENTS = {
    "tag", "tags", "category", "categories", "author", "authors", "topic", "topics", "search", "login", "logout",
    "account", "accounts", "register", "subscribe", "subscription", "newsletter", "newsletters", "about", "contact",
    "privacy", "terms", "imprint", "impressum", "cookies", "feed", "rss", "wp-admin", "wp-login.php", "cart", "shop",
    "page", "archive", "archives", "video", "videos", "gallery", "galleries", "live", "podcast", "podcasts",
}  # fmt: skip
_FEED = re.compile(r"(^|/)(feed|feeds|rss|atom)(/|\.xml|\.rss|$)|\.(rss|atom)$|rss\.xml$|atom\.xml$", re.IGNORECASE)
_SITEMAP = re.compile(r"sitemap[\w.-]*\.xml(\.gz)?$|/sitemap/?$", re.IGNORECASE)
_ID = re.compile(r"(?<![a-z])\d{4,}(?![a-z])", re.IGNORECASE)


def _segments(url: str) -> list[str]:
    return [s for s in urlsplit(url).path.split("/") if s]


def looks_like_feed(url: str) -> bool:
    return bool(_FEED.search(urlsplit(url).path))


def looks_like_sitemap(url: str) -> bool:
    return bool(_SITEMAP.search(urlsplit(url).path))


def looks_like_article(url: str) -> bool:
    """A guess from the URL alone; errs on the side of not fetching."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        return False
    segments = _segments(url)
    if not segments:
        return False
    last = segments[-1].lower()
    extension = last.rsplit(".", 1)[-1] if "." in last else ""
    if extension in ASSET_EXTENSIONS or looks_like_feed(url) or looks_like_sitemap(url):
        return False
    if any(s.lower() in FURNITURE_SEGMENTS for s in segments[:-1]) or last in FURNITURE_SEGMENTS:
        return False
    stem = last.rsplit(".", 1)[0] if extension in {"html", "htm", "shtml", "php", "aspx", "cms"} else last
    if URL_DATE_RE.search(parts.path) and len(segments) >= 2:
        return True
    if _ID.search(stem) and len(segments) >= 2:
        return True
    return stem.count("-") >= 3
