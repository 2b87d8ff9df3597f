"""Serve a folder of captured pages over HTTP on loopback, as a web-archive replay server does.

A mirror folder holds the captured files and a ``captures.json`` manifest: one object per URL with
``url``, ``file``, ``captured_at``, ``content_type`` and optionally ``last_modified`` and ``status``.
The server answers ``GET /<host><path>`` (e.g. ``/euobserver.com/world/26823``) with the capture of
``https://<host><path>``, and sends what replay servers send (RFC 7089): ``Memento-Datetime`` (the
capture time) and ``Link: <original>; rel="original"``, plus ``ETag``/``Last-Modified`` with
conditional requests answered ``304 Not Modified``. Its own ``Date`` header is the time of serving.

No Scrapy here; the Scrapy side is :class:`euspider.middlewares.MirrorMiddleware`.
Run one by hand: ``python -m euspider.mirror fixtures/euobserver --port 8000``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml.html import document_fromstring

from .discovery import Discovery, StoryLead
from .links import FeedError, links_from_feed, links_from_html
from .sites import Profile, builtin_profiles, profile_for


class MirrorError(ValueError):
    """A mirror folder that cannot be served; the message says which file and why."""


@dataclass(frozen=True)
class Capture:
    url: str
    path: Path
    captured_at: datetime
    content_type: str
    status: int = 200
    last_modified: datetime | None = None

    def body(self) -> bytes:
        return self.path.read_bytes()


def _when(value: Any, field: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as err:
        raise MirrorError(f"{where}: {field} is not an ISO 8601 datetime: {value!r}") from err
    if parsed.tzinfo is None:
        raise MirrorError(f"{where}: {field} has no timezone: {value!r}")
    return parsed.astimezone(UTC)


def replay_path(url: str) -> str:
    """``https://host/path?q`` → ``/host/path?q``: where the mirror serves a URL."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"/{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


class Mirror:
    """The captures of one mirror folder, by URL."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        manifest = self.root / "captures.json"
        try:
            entries = json.loads(manifest.read_text(encoding="utf-8"))
        except FileNotFoundError as err:
            raise MirrorError(f"{self.root} is not a mirror: {manifest.name} is missing") from err
        except (OSError, ValueError) as err:
            raise MirrorError(f"{manifest}: cannot read the manifest: {err}") from err
        if not isinstance(entries, list):
            raise MirrorError(f"{manifest}: expected a JSON array of captures")
        self.captures: dict[str, Capture] = {}
        for index, entry in enumerate(entries):
            where = f"{manifest} entry {index}"
            try:
                url, file = entry["url"], entry["file"]
                captured_at = _when(entry["captured_at"], "captured_at", where)
                content_type = entry["content_type"]
            except (KeyError, TypeError) as err:
                raise MirrorError(f"{where}: needs url, file, captured_at and content_type ({err})") from err
            path = self.root / file
            if not path.is_file():
                raise MirrorError(f"{where}: file {file!r} does not exist")
            last_modified = entry.get("last_modified")
            self.captures[replay_path(url)] = Capture(
                url=url,
                path=path,
                captured_at=captured_at,
                content_type=content_type,
                status=int(entry.get("status", 200)),
                last_modified=_when(last_modified, "last_modified", where) if last_modified else None,
            )

    def lookup(self, path: str) -> Capture | None:
        capture = self.captures.get(path)
        if capture is None and path.count("/") == 1:  # "/euobserver.com" means the host's root
            capture = self.captures.get(path + "/")
        return capture

    @property
    def hosts(self) -> set[str]:
        return {urlsplit(c.url).netloc.lower() for c in self.captures.values()}


def _handler(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "euspider-mirror"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass  # quiet: the crawl logs its requests

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _serve(self, head: bool) -> None:
            capture = mirror.lookup(self.path)
            if capture is None:
                body = b"not in this mirror\n"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)
                return
            body = capture.body()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'  # noqa: S324 - an ETag, not security
            if self._not_modified(etag, capture.last_modified):
                self.send_response(304)
                self._capture_headers(capture, etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(capture.status)
            self.send_header("Content-Type", capture.content_type)
            self.send_header("Content-Length", str(len(body)))
            self._capture_headers(capture, etag)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _capture_headers(self, capture: Capture, etag: str) -> None:
            self.send_header("Memento-Datetime", format_datetime(capture.captured_at, usegmt=True))
            self.send_header("Link", f'<{capture.url}>; rel="original"')
            self.send_header("ETag", etag)
            if capture.last_modified is not None:
                self.send_header("Last-Modified", format_datetime(capture.last_modified, usegmt=True))

        def _not_modified(self, etag: str, last_modified: datetime | None) -> bool:
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match.strip() == "*"
            since = self.headers.get("If-Modified-Since")
            if since and last_modified is not None:
                try:
                    return last_modified <= parsedate_to_datetime(since)
                except (TypeError, ValueError):
                    return False
            return False

    return Handler


class MirrorServer:
    """A :class:`Mirror` served on ``host:port`` (port 0: any free port) from a background thread."""

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.mirror = Mirror(root)
        self._server = ThreadingHTTPServer((host, port), _handler(self.mirror))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def replay_url(self, url: str) -> str:
        return self.base_url + replay_path(url)

    def start(self) -> MirrorServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="euspider-mirror", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def offline_leads(mirror: Mirror, profiles: Iterable[Profile] | None = None) -> dict[str, StoryLead]:
    """What a crawl of the mirror learns before fetching stories, without a crawl.

    Reads the mirror's feeds and listing pages (by the site profiles' URL patterns) with the code the
    spiders use, and returns every linked story with its link context and ID anchors. Tests and tools
    use it to date a mirror page exactly as the crawl does.
    """
    profiles = tuple(profiles) if profiles is not None else builtin_profiles()
    discovery = Discovery()
    for capture in mirror.captures.values():
        profile = profile_for(capture.url, profiles)
        is_feed = "xml" in capture.content_type or (profile is not None and capture.url in profile.feeds)
        if is_feed:
            try:
                links = links_from_feed(capture.body(), capture.url)
            except FeedError:
                continue
        elif profile is not None and profile.is_listing_url(capture.url) and "html" in capture.content_type:
            links = links_from_html(document_fromstring(capture.body()), capture.url)
        else:
            continue
        for link in links:
            target = profile_for(link.url, profiles)
            if target is not None and target.is_article_url(link.url):
                discovery.discover(link.url, link.context, target)
    return {lead.url: lead for lead in discovery.release(lambda url: profile_for(url, profiles))}


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a mirror folder on loopback.")
    parser.add_argument("root", help="mirror folder with captures.json")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    server = MirrorServer(args.root, args.host, args.port)
    print(
        f"serving {len(server.mirror.captures)} captures of {', '.join(sorted(server.mirror.hosts))} "
        f"at {server.base_url}/<host>/<path>"
    )
    try:
        server._server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
