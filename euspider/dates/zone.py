"""The publisher's likely time zone, for reading a UTC instant as the day the publisher's readers saw.

Many pages give their dates as UTC instants (``2020-08-25T00:23:33Z``). The story's calendar day is
the publisher's: 20:23 on 24 August in Ottawa. When the page states no offset for that date, the
zone is inferred, most direct evidence first:

1. an offset stated by other dates on the same page (``+01:00`` on a modification time, a side
   list's ``<time>``): the publisher's clock, DST included when a zone of the site's country matches;
2. the site's country-code domain (``.ca``, ``.de``), except those sold as generic names (``.io``,
   ``.tv``, ``.co``);
3. the region of the page's declared locale (``og:locale`` ``fr_CA``, ``<html lang="en-AU">``), except
   ``en_US``, which content systems declare by default wherever the site is;
4. a language spoken mostly in one time zone (``de``, ``ja``; never ``en``, ``es``, ``pt``, ``ar``).

Countries that span several zones get the zone where most of their newsrooms are (New York for the
US, Toronto for Canada, Sydney for Australia). The inference is a guess and is recorded as one in the
evidence: the reason of the date it moved says which zone and why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

#: Country (ISO 3166-1 alpha-2, lower case) -> the IANA zone most of its publishers work in.
COUNTRY_ZONES: dict[str, str] = {
    # Europe
    "gb": "Europe/London", "uk": "Europe/London", "ie": "Europe/Dublin", "pt": "Europe/Lisbon",
    "is": "Atlantic/Reykjavik", "es": "Europe/Madrid", "fr": "Europe/Paris", "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam", "lu": "Europe/Luxembourg", "de": "Europe/Berlin", "at": "Europe/Vienna",
    "ch": "Europe/Zurich", "it": "Europe/Rome", "mt": "Europe/Malta", "dk": "Europe/Copenhagen",
    "no": "Europe/Oslo", "se": "Europe/Stockholm", "fi": "Europe/Helsinki", "ee": "Europe/Tallinn",
    "lv": "Europe/Riga", "lt": "Europe/Vilnius", "pl": "Europe/Warsaw", "cz": "Europe/Prague",
    "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "si": "Europe/Ljubljana", "hr": "Europe/Zagreb",
    "ba": "Europe/Sarajevo", "rs": "Europe/Belgrade", "mk": "Europe/Skopje", "al": "Europe/Tirane",
    "gr": "Europe/Athens", "cy": "Asia/Nicosia", "bg": "Europe/Sofia", "ro": "Europe/Bucharest",
    "md": "Europe/Chisinau", "ua": "Europe/Kyiv", "by": "Europe/Minsk", "ru": "Europe/Moscow",
    "tr": "Europe/Istanbul",
    # the Americas
    "us": "America/New_York", "ca": "America/Toronto", "mx": "America/Mexico_City",
    "gt": "America/Guatemala", "cr": "America/Costa_Rica", "pa": "America/Panama", "cu": "America/Havana",
    "do": "America/Santo_Domingo", "pr": "America/Puerto_Rico", "jm": "America/Jamaica",
    "ve": "America/Caracas", "pe": "America/Lima", "ec": "America/Guayaquil", "bo": "America/La_Paz",
    "cl": "America/Santiago", "ar": "America/Argentina/Buenos_Aires", "uy": "America/Montevideo",
    "py": "America/Asuncion", "br": "America/Sao_Paulo",
    # Africa and the Middle East
    "ma": "Africa/Casablanca", "dz": "Africa/Algiers", "tn": "Africa/Tunis", "eg": "Africa/Cairo",
    "ng": "Africa/Lagos", "gh": "Africa/Accra", "ke": "Africa/Nairobi", "et": "Africa/Addis_Ababa",
    "ug": "Africa/Kampala", "tz": "Africa/Dar_es_Salaam", "za": "Africa/Johannesburg", "zw": "Africa/Harare",
    "il": "Asia/Jerusalem", "lb": "Asia/Beirut", "jo": "Asia/Amman", "sa": "Asia/Riyadh", "ae": "Asia/Dubai",
    "qa": "Asia/Qatar", "kw": "Asia/Kuwait", "ir": "Asia/Tehran", "iq": "Asia/Baghdad",
    # Asia and Oceania
    "pk": "Asia/Karachi", "in": "Asia/Kolkata", "lk": "Asia/Colombo", "np": "Asia/Kathmandu",
    "bd": "Asia/Dhaka", "th": "Asia/Bangkok", "vn": "Asia/Ho_Chi_Minh", "my": "Asia/Kuala_Lumpur",
    "sg": "Asia/Singapore", "id": "Asia/Jakarta", "ph": "Asia/Manila", "cn": "Asia/Shanghai",
    "hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "kr": "Asia/Seoul", "jp": "Asia/Tokyo",
    "au": "Australia/Sydney", "nz": "Pacific/Auckland", "kz": "Asia/Almaty",
}  # fmt: skip

#: Country-code domains sold as generic names: they say nothing about where the publisher is.
GENERIC_CCTLDS = frozenset({"io", "co", "tv", "me", "fm", "ai", "ly", "cc", "ws", "to", "gg", "la", "am", "sh", "nu"})

#: Locales that content systems declare by default (WordPress, most themes and CMS templates ship
#: ``en_US``): sites everywhere carry them, so they say nothing about where the publisher is.
DEFAULT_LOCALES = frozenset({"en_us"})

#: Languages whose publishers are almost all in one zone (or in zones with the same offset).
LANGUAGE_ZONES: dict[str, str] = {
    "de": "Europe/Berlin", "fr": "Europe/Paris", "it": "Europe/Rome", "nl": "Europe/Amsterdam",
    "pl": "Europe/Warsaw", "cs": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest",
    "sl": "Europe/Ljubljana", "hr": "Europe/Zagreb", "bs": "Europe/Sarajevo", "sr": "Europe/Belgrade",
    "da": "Europe/Copenhagen", "sv": "Europe/Stockholm", "nb": "Europe/Oslo", "nn": "Europe/Oslo",
    "no": "Europe/Oslo", "fi": "Europe/Helsinki", "et": "Europe/Tallinn", "lv": "Europe/Riga",
    "lt": "Europe/Vilnius", "el": "Europe/Athens", "bg": "Europe/Sofia", "ro": "Europe/Bucharest",
    "uk": "Europe/Kyiv", "ru": "Europe/Moscow", "tr": "Europe/Istanbul", "ca": "Europe/Madrid",
    "eu": "Europe/Madrid", "gl": "Europe/Madrid", "is": "Atlantic/Reykjavik", "he": "Asia/Jerusalem",
    "fa": "Asia/Tehran", "hi": "Asia/Kolkata", "mr": "Asia/Kolkata", "te": "Asia/Kolkata",
    "ml": "Asia/Kolkata", "kn": "Asia/Kolkata", "gu": "Asia/Kolkata", "ur": "Asia/Karachi",
    "th": "Asia/Bangkok", "vi": "Asia/Ho_Chi_Minh", "id": "Asia/Jakarta", "ms": "Asia/Kuala_Lumpur",
    "zh": "Asia/Shanghai", "ko": "Asia/Seoul", "ja": "Asia/Tokyo",
}  # fmt: skip


@dataclass(frozen=True)
class Zone:
    """An inferred publisher time zone, and why it was chosen."""

    tz: tzinfo
    name: str  # an IANA name, or the offset (``+01:00``) when only an offset is known
    why: str
    #: True when the page itself states the offset (not a guess from the domain or the language).
    stated: bool = False

    def day_of(self, instant: datetime) -> datetime:
        """``instant`` on the publisher's clock."""
        return instant.astimezone(self.tz)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _region(value: str | None) -> tuple[str | None, str | None]:
    """(language, region) of a locale or language tag: ``fr_CA`` -> (fr, ca), ``de`` -> (de, None)."""
    if not value:
        return None, None
    parts = [p for p in re.split(r"[-_]", value.strip().lower()) if p]
    if not parts or not re.fullmatch(r"[a-z]{2,3}", parts[0]):
        return None, None
    region = next((p for p in parts[1:] if re.fullmatch(r"[a-z]{2}", p)), None)
    return parts[0], region


def infer_zone(url: str, locales: Iterable[str | None], stated: Iterable[datetime]) -> Zone | None:
    """The publisher's likely zone (see the module docstring), or None when nothing hints at one.

    ``locales`` are the page's declared locales and languages, most specific first (``og:locale``,
    ``<html lang>``, ``Content-Language``); ``stated`` are aware datetimes found on the page.
    """
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    tld = host.rsplit(".", 1)[-1] if "." in host else ""
    guess: tuple[str, str] | None = None
    if tld in COUNTRY_ZONES and tld not in GENERIC_CCTLDS:
        guess = (COUNTRY_ZONES[tld], f"the site's .{tld} domain")
    language: str | None = None
    if guess is None:
        for value in locales:
            lang, region = _region(value)
            language = language or lang
            if region and region in COUNTRY_ZONES and f"{lang}_{region}" not in DEFAULT_LOCALES:
                guess = (COUNTRY_ZONES[region], f"the page's locale {value!r}")
                break
    if guess is None and language in LANGUAGE_ZONES:
        guess = (LANGUAGE_ZONES[language], f"the page's language {language!r}")

    offsets = Counter(value.utcoffset() for value in stated if value.utcoffset())
    if offsets:
        offset, count = offsets.most_common(1)[0]
        assert offset is not None
        text = _offset_text(offset)
        if guess is not None:
            zone = _zone(guess[0])
            if any(value.astimezone(zone).utcoffset() == value.utcoffset() for value in stated if value.utcoffset()):
                return Zone(zone, guess[0], f"{count} date(s) on the page state {text}, as {guess[0]} does", True)
        return Zone(timezone(offset), text, f"{count} date(s) on the page state {text}", True)
    if guess is None:
        return None
    return Zone(_zone(guess[0]), guess[0], guess[1])
