"""Parse one date string into a value with a precision, or say why it cannot be used.

Pure and total: :func:`parse_date` never raises. It returns ``(ParsedDate, "")`` or
``(None, reason)``; the reason lands in the record's evidence table, so a reader can see why a date
on the page was not used.

What is refused, and why:
- two-digit years (``4/2/23``): the century is a guess;
- impossible days (``2023-02-30``);
- day/month orders that cannot be told apart (``04/02/2023``);
- month names in a language this module does not know;
- years outside 1000-2999 (``0000-01-01``, ``0001-01-01`` zero dates, ``9999-12-31`` "never"
  placeholders): no web page was published then, and such values break date arithmetic;
- 13-digit numbers (millisecond timestamps from scripts): too easily a counter or an ID.

A datetime without a timezone keeps only its day (precision ``day``): the hour is meaningless without
an offset, but the day almost never moves by more than one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

#: Month names and abbreviations, lower case, accents kept; several languages share a table.
MONTHS: dict[str, int] = {}
_MONTH_NAMES = {
    # English
    1: "january jan",
    2: "february feb",
    3: "march mar",
    4: "april apr",
    5: "may",
    6: "june jun",
    7: "july jul",
    8: "august aug",
    9: "september sep sept",
    10: "october oct",
    11: "november nov",
    12: "december dec",
}
_MONTH_NAMES_OTHER = {
    # German, French, Spanish, Italian, Dutch, Portuguese (full names and common abbreviations)
    1: "januar jänner janvier janv enero ene gennaio gen januari janeiro",
    2: "februar feber février févr fevrier febrero febbraio februari fevereiro fev",
    3: "märz maerz mars marzo maart março marco",
    4: "avril abril aprile",
    5: "mai mayo maggio mei maio",
    6: "juni juin junio giugno junho",
    7: "juli juillet juil julio luglio julho",
    8: "août aout agosto augustus",
    9: "septembre septiembre settembre setembro",
    10: "oktober octobre octubre ottobre okt outubro out",
    11: "novembre noviembre novembro",
    12: "dezember décembre decembre diciembre dicembre dezembro dez",
}
for _table in (_MONTH_NAMES, _MONTH_NAMES_OTHER):
    for _num, _names in _table.items():
        for _name in _names.split():
            MONTHS.setdefault(_name, _num)

WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WORD = r"[^\W\d_]+"  # a run of letters in any script

ISO_RE = re.compile(
    r"^(?P<y>\d{4})-?(?P<m>\d{2})(?:-?(?P<d>\d{2}))?"
    r"(?:[T ](?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?$"
)
YEAR_MONTH_RE = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$")
# "4th Feb 2023", "14 May 2024", "4. Februar 2023", "4 de febrero de 2023", "Saturday, 4 February 2023"
DMY_TEXT_RE = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e|º|\.)?\s*(?:de\s+)?(?P<mon>{_WORD})\.?,?\s+(?:de\s+)?(?P<y>\d{{2,4}})\b(?!:)",
    re.IGNORECASE,
)
# "May 14, 2024", "Feb 4th 2023", "February 4 2023"
MDY_TEXT_RE = re.compile(
    rf"\b(?P<mon>{_WORD})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{2,4}})\b(?!:)", re.IGNORECASE
)
NUMERIC_RE = re.compile(r"(?<!\d)(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4})(?!\d)")


# C and Java style, as some CMSs print dates: "Tue Jan 28 15:28:56 CET 2020", "Tue Jan 28 15:28:56 2020"
CTIME_RE = re.compile(
    r"^(?:[A-Za-z]{3},? )?(?P<mon>[A-Za-z]{3}) +(?P<d>\d{1,2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
    r"(?: (?P<tz>[A-Z]{2,5}|[+-]\d{4}))? (?P<y>\d{4})$"
)
# JavaScript's Date.toString(), as pages that render dates with a script print them:
# "Tue Aug 25 2020 00:23:33 GMT+0000 (Coordinated Universal Time)"
JS_DATE_RE = re.compile(
    r"^(?:[A-Za-z]{3},? )?(?P<mon>[A-Za-z]{3}) (?P<d>\d{1,2}) (?P<y>\d{4}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})"
    r" GMT(?P<tz>[+-]\d{4})(?: \([^)]*\))?$"
)
#: Common time zone abbreviations; an unknown one keeps only the day.
TZ_ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "MET": 1, "MEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip


#: Years a date may have at all (publication bounds proper are the resolver's, from the capture time).
MIN_YEAR, MAX_YEAR = 1000, 2999


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: an aware datetime (precision ``datetime``) or a calendar date."""

    value: datetime | date
    precision: str  # datetime | day | month | year

    @property
    def day(self) -> date:
        """The calendar day in the publisher's own offset (what a reader of the page sees)."""
        return self.value.date() if isinstance(self.value, datetime) else self.value

    def iso(self) -> str:
        """ISO 8601 text at this precision: datetime with offset, ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
        if isinstance(self.value, datetime):
            return iso_datetime(self.value)
        if self.precision == "month":
            return self.value.strftime("%Y-%m")
        if self.precision == "year":
            return f"{self.value.year:04d}"
        return self.value.isoformat()

    @property
    def instant(self) -> datetime:
        """A comparable aware datetime: the value itself, or the start of its day in UTC."""
        if isinstance(self.value, datetime):
            return self.value
        return datetime(self.value.year, self.value.month, self.value.day, tzinfo=UTC)


def iso_datetime(value: datetime) -> str:
    """ISO 8601 for an aware datetime, ``Z`` for UTC, no microseconds."""
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(y: int, m: int, d: int | None) -> tuple[ParsedDate | None, str]:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None, f"year {y} is out of range ({MIN_YEAR}-{MAX_YEAR}): a placeholder, not a date"
    if not 1 <= m <= 12:
        return None, f"impossible month {m}"
    if d is None:
        return ParsedDate(date(y, m, 1), "month"), ""
    try:
        return ParsedDate(date(y, m, d), "day"), ""
    except ValueError:
        return None, f"impossible day {y:04d}-{m:02d}-{d:02d}"


def _parse_iso(match: re.Match[str]) -> tuple[ParsedDate | None, str]:
    y, m = int(match["y"]), int(match["m"])
    d = int(match["d"]) if match["d"] else None
    day, reason = _build(y, m, d)
    if day is None or match["H"] is None or d is None:
        return day, reason
    try:
        tz = _tz(match["tz"])
    except ValueError:
        return None, f"impossible timezone offset {match['tz']}"
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"] or 0)
    if hour > 23 or minute > 59 or second > 60:
        return None, "impossible time of day"
    if tz is None:
        return day, ""  # no offset: keep the day only (see module docstring)
    return ParsedDate(datetime(y, m, d, hour, minute, min(second, 59), tzinfo=tz), "datetime"), ""


def _parse_ctime(match: re.Match[str]) -> tuple[ParsedDate | None, str]:
    month = MONTHS.get(match["mon"].lower())
    if month is None:
        return None, f"unknown month name {match['mon']!r}"
    day, reason = _build(int(match["y"]), month, int(match["d"]))
    if day is None:
        return None, reason
    zone = match["tz"]
    if zone and zone[0] in "+-":
        offset: timezone | None = _tz(zone)
    elif zone in TZ_ABBREVIATIONS:
        offset = timezone(timedelta(hours=TZ_ABBREVIATIONS[zone]))
    else:
        return day, ""
    hour, minute, second = int(match["H"]), int(match["M"]), int(match["S"])
    if hour > 23 or minute > 59 or second > 59:
        return None, "impossible time of day"
    value = datetime(day.day.year, day.day.month, day.day.day, hour, minute, second, tzinfo=offset)
    return ParsedDate(value, "datetime"), ""


def _year(text: str) -> tuple[int | None, str]:
    if len(text) == 4:
        return int(text), ""
    if len(text) == 2:
        return None, f"two-digit year {text!r}: the century is a guess"
    return None, f"unreadable year {text!r}"


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")
    return MONTHS.get(key)


def _parse_textual(text: str) -> tuple[ParsedDate | None, str] | None:
    """A day + month name + year anywhere in ``text``; None when no such pattern occurs."""
    unknown: str | None = None
    for regex in (DMY_TEXT_RE, MDY_TEXT_RE):
        for match in regex.finditer(text):
            month = _month(match["mon"])
            if month is None:
                if match["mon"].lower() not in WEEKDAYS and unknown is None:
                    unknown = match["mon"]
                continue
            year, reason = _year(match["y"])
            if year is None:
                return None, reason
            day, reason = _build(year, month, int(match["d"]))
            if day is None:
                return None, reason
            return day, ""
    if unknown is not None:
        return None, f"unknown month name {unknown!r}"
    return None


def _parse_numeric(text: str) -> tuple[ParsedDate | None, str] | None:
    match = NUMERIC_RE.search(text)
    if match is None:
        return None
    a, b, c, sep = match["a"], match["b"], match["c"], match["sep"]
    if len(a) == 4:  # 2023/02/04, 2023.02.04
        return _build(int(a), int(b), int(c))
    year, reason = _year(c)
    if year is None:
        return None, reason
    first, second = int(a), int(b)
    if sep == "." or first > 12:  # 04.02.2023 is day-first wherever dots are used
        return _build(year, second, first)
    if second > 12:  # 02/14/2023
        return _build(year, first, second)
    if first == second:
        return _build(year, first, second)
    return None, f"day and month order unknown in {match.group(0)!r}"


def parse_date(raw: object) -> tuple[ParsedDate | None, str]:
    """Parse ``raw`` (a string from a page, a header or a feed) into a :class:`ParsedDate`.

    Returns ``(parsed, "")`` or ``(None, reason)``; never raises. Bounds (too old, in the future)
    are not checked here: they depend on the capture time, which the resolver knows.
    """
    if isinstance(raw, datetime):
        if raw.tzinfo is None:
            return _in_range(ParsedDate(raw.date(), "day"), "")
        return _in_range(ParsedDate(raw, "datetime"), "")
    if isinstance(raw, date):
        return _in_range(ParsedDate(raw, "day"), "")
    if not isinstance(raw, str):
        return None, f"not a date string: {type(raw).__name__}"
    text = " ".join(raw.split())
    if not text:
        return None, "empty"
    if len(text) > 300:
        return None, "too long to be a date"
    try:
        return _in_range(*_parse(text))
    except (ValueError, OverflowError) as err:  # defensive: a malformed value never escapes
        return None, f"unparseable: {err}"


def _in_range(parsed: ParsedDate | None, reason: str) -> tuple[ParsedDate | None, str]:
    """Refuse a parsed date whose year no web page can have (see :data:`MIN_YEAR`)."""
    if parsed is not None and not MIN_YEAR <= parsed.value.year <= MAX_YEAR:
        return None, f"year {parsed.value.year} is out of range ({MIN_YEAR}-{MAX_YEAR}): a placeholder, not a date"
    return parsed, reason


_YEAR_ONLY = re.compile(r"\d{4}")
_UNIX_SECONDS = re.compile(r"\d{9,10}(?:\.\d+)?")
_LONG_NUMBER = re.compile(r"\d{11,}(?:\.\d+)?")
_RFC822 = re.compile(r"\d{1,2}\s+\w{3}\s+\d{4}\s+\d{2}:\d{2}")


def _parse(text: str) -> tuple[ParsedDate | None, str]:
    match = ISO_RE.match(text)
    if match:
        return _parse_iso(match)
    if _YEAR_ONLY.fullmatch(text):
        year = int(text)
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None, f"year {year} is out of range ({MIN_YEAR}-{MAX_YEAR}): a placeholder, not a date"
        return ParsedDate(date(year, 1, 1), "year"), ""
    if _UNIX_SECONDS.fullmatch(text):  # Unix timestamp in seconds
        return ParsedDate(datetime.fromtimestamp(float(text), UTC), "datetime"), ""
    if _LONG_NUMBER.fullmatch(text):
        digits = len(text.split(".", maxsplit=1)[0])
        return None, f"a {digits}-digit number: a millisecond timestamp or an ID, not read as a date"
    match = YEAR_MONTH_RE.match(text)
    if match:
        return _build(int(match["y"]), int(match["m"]), None)
    match = CTIME_RE.match(text) or JS_DATE_RE.match(text)
    if match:
        return _parse_ctime(match)
    if "," in text[:5] and _RFC822.search(text):
        try:  # RFC 822 / 1123 (feeds, HTTP headers)
            stamp = parsedate_to_datetime(text)
            if stamp.tzinfo is not None:
                return ParsedDate(stamp, "datetime"), ""
            return ParsedDate(stamp.date(), "day"), ""
        except (TypeError, ValueError, IndexError):
            pass
    textual = _parse_textual(text)
    if textual is not None:
        return textual
    numeric = _parse_numeric(text)
    if numeric is not None:
        return numeric
    return None, "no date found in text"
