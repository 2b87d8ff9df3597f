"""Estimate a publication date when the page itself carries none.

Two kinds of evidence, each weak alone, combined:

- **ID bracket.** Sites that number stories with one counter (EUobserver's legacy ``/<section>/<id>``)
  give a story an ID between the IDs of stories written just before and after it. With (id, date)
  pairs seen elsewhere in the same crawl (listing pages, feeds, other articles), the nearest lower and
  upper IDs bracket the date. IDs are assigned at draft time, so the order is rough: the bracket is
  widened by a margin of days on each side.
- **Weekday phrases.** "on Saturday (27 September)" names a weekday and a day of a month but no year.
  Only some years put 27 September on a Saturday; a news story is published within days of the event
  it dates this way (after it in past tense, before it in future tense).

A bracket and a phrase together usually leave a window of a few days. A phrase alone leaves one window
per fitting year, which is not an estimate; but it can still show that a page's displayed date is not
the story's date (no year near the stamp fits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .parse import MONTHS, WEEKDAYS

#: Days a story is published after (past tense) or before (future tense) an event it names by weekday.
AFTER_EVENT_DAYS = 7
BEFORE_EVENT_DAYS = 14

_ENGLISH_MONTHS = "january february march april may june july august september october november december".split()
_MONTH_RE = "|".join(
    [*_ENGLISH_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec"]
)
_WEEKDAY_RE = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# "on Saturday (27 September)", "Saturday, 27 September", "Saturday (September 27)", "Saturday 27th Sept."
WEEKDAY_PHRASE_RE = re.compile(
    rf"\b(?P<wd>{_WEEKDAY_RE})\s*[(,]?\s*"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH_RE})\.?"
    rf"|(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)\b\)?"
    rf"(?!,?\s*\d{{4}})",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(will|shall|is due|are due|is set to|are set to|is expected to|are expected to|is to|are to|"
    r"next|upcoming|scheduled|plans? to|is planning|are planning)\b",
    re.IGNORECASE,
)
_PAST = re.compile(
    r"\b(said|says|told|was|were|had|did|agreed|announced|claimed|added|argued|reported|met|voted|"
    r"adopted|signed|rejected|approved|held|took|came|went|won|lost|\w+ed)\b",
    re.IGNORECASE,
)
_RELATIVE_MONTH_RE = re.compile(rf"\b(?P<rel>last|in|since|this|earlier this)\s+(?P<m>{_MONTH_RE})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Anchor:
    """A story ID with a known date, from elsewhere in the crawl."""

    id: int
    day: date
    source: str


@dataclass(frozen=True)
class Window:
    """An inclusive range of days and how it was found."""

    earliest: date
    latest: date
    detail: str

    @property
    def width(self) -> int:
        return (self.latest - self.earliest).days + 1

    def intersect(self, other: Window) -> Window | None:
        lo, hi = max(self.earliest, other.earliest), min(self.latest, other.latest)
        if lo > hi:
            return None
        return Window(lo, hi, f"{self.detail}; {other.detail}")


@dataclass(frozen=True)
class WeekdayPhrase:
    """ "Saturday (27 September)" as found in the text, with the tense of its sentence."""

    raw: str
    weekday: int
    month: int
    day: int
    tense: str  # past | future | unknown

    def fitting_years(self, first: int, last: int) -> list[int]:
        years = []
        for year in range(first, last + 1):
            try:
                if date(year, self.month, self.day).weekday() == self.weekday:
                    years.append(year)
            except ValueError:  # 29 February in a common year
                continue
        return years

    def window(self, year: int) -> Window:
        """Days on which a story naming this event in this year could have been published."""
        event = date(year, self.month, self.day)
        before = 0 if self.tense == "past" else BEFORE_EVENT_DAYS
        after = 0 if self.tense == "future" else AFTER_EVENT_DAYS
        return Window(
            event - timedelta(days=before),
            event + timedelta(days=after),
            f"{self.raw!r} is {event:%A %d %B %Y} ({self.tense} tense)",
        )


def id_bracket(article_id: int, anchors: Iterable[Anchor], margin_days: int) -> Window | None:
    """The days between the nearest lower and upper anchors of ``article_id``, plus a margin.

    None unless anchors exist on both sides: one side alone bounds nothing useful. An anchor with the
    same ID dates the story itself and is not an estimate; callers pass link dates for that.
    """
    lower = upper = None
    for anchor in anchors:
        if anchor.id < article_id and (lower is None or anchor.id > lower.id):
            lower = anchor
        elif anchor.id > article_id and (upper is None or anchor.id < upper.id):
            upper = anchor
    if lower is None or upper is None:
        return None
    first, last = sorted((lower.day, upper.day))  # IDs are only roughly ordered: allow inversions
    margin = timedelta(days=margin_days)
    return Window(
        first - margin,
        last + margin,
        f"ID {article_id} between {lower.id} ({lower.day}) and {upper.id} ({upper.day}) ±{margin_days} days "
        f"[{lower.source}; {upper.source}]",
    )


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right]


def _tense(sentence: str, phrase: str) -> str:
    rest = sentence.replace(phrase, " ")
    if _FUTURE.search(rest):
        return "future"
    if _PAST.search(rest):
        return "past"
    return "unknown"


def weekday_phrases(text: str, limit: int = 10) -> list[WeekdayPhrase]:
    """Weekday + day + month phrases without a year, in order of appearance (English prose)."""
    found: list[WeekdayPhrase] = []
    for match in WEEKDAY_PHRASE_RE.finditer(text):
        month_name = (match["m1"] or match["m2"]).lower().rstrip(".")
        day_text = match["d1"] or match["d2"]
        month = MONTHS.get(month_name)
        if month is None:
            continue
        sentence = _sentence_around(text, match.start(), match.end())
        found.append(
            WeekdayPhrase(
                raw=match.group(0).strip(),
                weekday=WEEKDAYS[match["wd"].lower()],
                month=month,
                day=int(day_text),
                tense=_tense(sentence, match.group(0)),
            )
        )
        if len(found) >= limit:
            break
    return found


def narrow_by_phrases(window: Window, phrases: Sequence[WeekdayPhrase]) -> tuple[Window, list[str]]:
    """Intersect ``window`` with each phrase's window for the years that fit inside it.

    A phrase that fits no year inside the window is reported and ignored (the phrase may date an
    event far from publication); a phrase that fits several years leaves the window as it is.
    Returns the narrowed window and one note per phrase.
    """
    notes = []
    for phrase in phrases:
        fits = []
        for year in phrase.fitting_years(window.earliest.year - 1, window.latest.year + 1):
            narrowed = window.intersect(phrase.window(year))
            if narrowed is not None:
                fits.append(narrowed)
        if len(fits) == 1:
            window = fits[0]
            notes.append(f"{phrase.raw!r} narrows the window to {window.earliest}..{window.latest}")
        elif not fits:
            notes.append(f"{phrase.raw!r} fits no year in {window.earliest}..{window.latest}: ignored")
        else:
            notes.append(f"{phrase.raw!r} fits several years: no narrowing")
    return window, notes


def phrases_contradict(day: date, phrases: Sequence[WeekdayPhrase]) -> WeekdayPhrase | None:
    """The first phrase that cannot be dated near ``day`` (within the year before it, or weeks after).

    "Saturday (27 September)" in a story dated 4 Feb 2023 would be 27 Sept 2022 at the latest; that
    was a Tuesday, and 27 Sept 2023 is too far ahead, so a story with that phrase is not from that day.
    """
    for phrase in phrases:
        years = phrase.fitting_years(day.year - 1, day.year + 1)
        near = [
            year
            for year in years
            if day - timedelta(days=366) <= date(year, phrase.month, phrase.day) <= day + timedelta(days=60)
        ]
        if not near:
            return phrase
    return None


def relative_months(text: str, year_window: Window) -> list[tuple[str, str]]:
    """Resolve "last August", "in June" against a fixed publication window: (raw, YYYY-MM) pairs.

    Only meaningful once the publication year is known; used as supporting evidence (each resolved
    month precedes publication), never to move the estimate.
    """
    resolved = []
    pub = year_window.earliest
    for match in _RELATIVE_MONTH_RE.finditer(text):
        month = MONTHS.get(match["m"].lower())
        if month is None or (match["m"].lower() == "may" and match["rel"].lower() == "in"):
            continue  # "in may" is too often the verb
        year = pub.year if month <= pub.month else pub.year - 1
        if match["rel"].lower() == "last" and month >= pub.month:
            year = pub.year - 1
        resolved.append((match.group(0), f"{year:04d}-{month:02d}"))
        if len(resolved) >= 5:
            break
    return resolved
