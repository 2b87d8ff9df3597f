"""Site profiles: what a site's pages look like, as data (TOML files beside this module).

A profile names the hosts it covers, where the story body is, which page parts are boilerplate
(selector lists by kind), where the site shows a date banner, where a paywall cuts the story, how its
URLs are shaped (articles, listings, ordered numeric IDs) and where a crawl starts. Sites without a
profile get the generic rules only. More profiles can be loaded from files (``EUSPIDER_PROFILES``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Profile:
    name: str
    hosts: tuple[str, ...]
    body: tuple[str, ...] = ()
    remove: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stamp: tuple[str, ...] = ()
    paywall_cut: tuple[str, ...] = ()
    paywall_markers: tuple[str, ...] = ()
    id_pattern: str | None = None
    article_urls: tuple[re.Pattern[str], ...] = ()
    listing_urls: tuple[re.Pattern[str], ...] = ()
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()

    def covers(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    @staticmethod
    def _path(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def is_article_url(self, url: str) -> bool:
        path = self._path(url)
        return any(p.search(path) for p in self.article_urls)

    def is_listing_url(self, url: str) -> bool:
        path = self._path(url)
        return any(p.search(path) for p in self.listing_urls)

    def article_id(self, url: str) -> int | None:
        if not self.id_pattern:
            return None
        match = re.search(self.id_pattern, self._path(url))
        return int(match["id"]) if match else None


def _strings(data: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{source}: {key!r} must be a string or a list of strings, got {value!r}")
    return tuple(value)


def _regexes(values: Iterable[str], key: str, source: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for value in values:
        try:
            out.append(re.compile(value))
        except re.error as err:
            raise ProfileError(f"{source}: bad regular expression in {key!r}: {value!r} ({err})") from err
    return tuple(out)


def parse_profile(data: Mapping[str, Any], source: str) -> Profile:
    """Build a :class:`Profile` from parsed TOML, checking every field."""
    if not isinstance(data.get("name"), str) or not data.get("hosts"):
        raise ProfileError(f"{source}: a profile needs 'name' and 'hosts'")
    article = data.get("article", {})
    dates = data.get("dates", {})
    paywall = data.get("paywall", {})
    urls = data.get("urls", {})
    remove = data.get("remove", {})
    if not isinstance(remove, Mapping):
        raise ProfileError(f"{source}: [remove] must map a kind to selectors")
    id_pattern = dates.get("id_pattern")
    if id_pattern is not None:
        try:
            if "id" not in re.compile(id_pattern).groupindex:
                raise ProfileError(f"{source}: dates.id_pattern needs a named group 'id': {id_pattern!r}")
        except re.error as err:
            raise ProfileError(f"{source}: bad dates.id_pattern {id_pattern!r} ({err})") from err
    return Profile(
        name=data["name"],
        hosts=tuple(h.lower() for h in _strings(data, "hosts", source)),
        body=_strings(article, "body", source),
        remove={kind: _strings(remove, kind, source) for kind in remove},
        stamp=_strings(dates, "stamp", source),
        paywall_cut=_strings(paywall, "cut", source),
        paywall_markers=_strings(paywall, "markers", source),
        id_pattern=id_pattern,
        article_urls=_regexes(_strings(urls, "article", source), "urls.article", source),
        listing_urls=_regexes(_strings(urls, "listing", source), "urls.listing", source),
        start_urls=_strings(urls, "start", source),
        feeds=_strings(urls, "feeds", source),
    )


def load_profile_file(path: str | Path) -> Profile:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ProfileError(f"{path}: cannot read site profile: {err}") from err
    return parse_profile(data, str(path))


@cache
def builtin_profiles() -> tuple[Profile, ...]:
    """The profiles shipped in this package."""
    profiles = []
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            profiles.append(parse_profile(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name))
    return tuple(profiles)


def profile_for(url: str, profiles: Iterable[Profile] | None = None) -> Profile | None:
    """The first profile covering ``url``'s host, or None (generic rules only)."""
    for profile in builtin_profiles() if profiles is None else profiles:
        if profile.covers(url):
            return profile
    return None


def get_profile(name: str, profiles: Iterable[Profile] | None = None) -> Profile:
    for profile in builtin_profiles() if profiles is None else profiles:
        if profile.name == name:
            return profile
    raise KeyError(f"no site profile named {name!r}")
