"""Resolve a page's dates from its evidence, and judge whether they disagree.

Sources are grouped in families (the article's visible byline and ``<time>``, the URL, JSON-LD,
meta tags, the linking pages, htmldate, a ``<time>`` elsewhere on the page); each family votes once
for a day and the day most families support wins (:func:`vote`). A day two or more families agree on
is *agreed*; a day only one family gives is that family's *guess*, and the two are treated apart:

- **Migrations.** When sources disagree by more than ``migration_days``, the earliest
  *well-attested* day wins: one the article shows to readers (byline, ``<time>``), one in the URL
  path, or one two families agree on. Migrations and re-saves rewrite metadata dates; the URL and
  the byline keep the original, and a first publication is never later than a re-publication.
- **Guesses.** A day only htmldate proposes, after a stronger source on the page was refused (a
  date after the capture, a placeholder, a modification time under a publication label), is reported
  as its month, not as a day.
- **Time zones.** A UTC instant becomes a day in the publisher's time zone: an offset stated on the
  page, else one inferred from the domain, the locale or the language (:mod:`euspider.dates.zone`);
  the inference is written in the reason of the date it moved.

Always refused as ``published``: anything later than the capture (an instant after the capture
instant; a date, month or year that starts after the capture day), before ``min_date``, the page's
own date stamp, HTTP ``Date``/``Last-Modified`` and the capture time; a publication-labelled time that
is exactly the page's modification time while an earlier publication date exists; and a weak (tier
4) candidate on the capture day, the stamp day or the modification day that no other source
confirms. A page that states only a modification date gets no ``published``: the story appeared on
or before that day, so that day is ``published_latest`` and ``date_mismatch`` says
``modified_not_published``. A month stays a month: a day htmldate fills in (the 1st) for a month the
page states is not a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ..items import DateEvidence, DateMismatch
from .estimate import WeekdayPhrase, Window, narrow_by_phrases, phrases_contradict, relative_months
from .evidence import Candidate
from .parse import ParsedDate, iso_datetime
from .zone import Zone


@dataclass(frozen=True)
class DateSettings:
    """Thresholds of the resolver; the `EUSPIDER_*` date settings map onto these (see config.py)."""

    #: Days by which two dates may differ and still count as the same (time zones, late edits).
    mismatch_days: int = 2
    #: A story older than this at capture is ``archival``.
    archival_days: int = 365
    #: Days added on both sides of an ID bracket (IDs are only roughly ordered by date).
    id_margin_days: int = 3
    #: Sources disagreeing by more than this many days: the earliest well-attested day wins.
    migration_days: int = 365
    #: Dates before this are placeholders or misparses.
    min_date: date = date(1990, 1, 1)
    #: An estimate wider than this many days is not a publication date (kept as a bound).
    estimate_max_days: int = 31


@dataclass
class DateResult:
    published: str | None = None
    published_precision: str | None = None
    published_earliest: str | None = None
    published_latest: str | None = None
    published_source: str | None = None
    modified: str | None = None
    page_date_stamp: str | None = None
    crawled_at: str | None = None
    date_mismatch: DateMismatch | None = None
    evidence: list[DateEvidence] = field(default_factory=list)


def _reject(cand: Candidate, reason: str) -> None:
    cand.accepted = False
    cand.reason = reason


def _earliest_day(cand: Candidate) -> date:
    assert cand.parsed is not None
    return cand.extra.get("local_day", cand.parsed.day)


def _month_end(day: date) -> date:
    nxt = day.replace(day=28) + timedelta(days=4)
    return nxt - timedelta(days=nxt.day)


def _latest_day(cand: Candidate) -> date:
    assert cand.parsed is not None
    if cand.latest is not None:
        return cand.latest
    if cand.parsed.precision == "month":
        return _month_end(cand.parsed.day)
    if cand.parsed.precision == "year":
        return cand.parsed.day.replace(month=12, day=31)
    return _earliest_day(cand)


_PRECISION_RANK = {"datetime": 0, "day": 1, "month": 2, "year": 3}


#: Families of sources: each family votes once for a day. Order breaks ties.
FAMILY_ORDER = ("visible", "url", "structured", "meta", "link", "page-ld", "htmldate", "page")
FAMILY_WEIGHT = {"page": 0.5}
#: Families whose date a reader of the page sees or that names the page: a day they give is attested.
ATTESTING = {"visible", "url"}
#: Families that only guess (heuristic searches, dates somewhere in the chrome).
GUESSING = {"htmldate", "page"}


def family(source: str) -> str:
    if source.startswith("json-ld:webpage"):
        return "page-ld"
    if source.startswith("json-ld"):
        return "structured"
    if source.startswith("meta:"):
        return "meta"
    if source in {"byline", "time:article", "dateline"}:
        return "visible"
    if source.startswith("link:"):
        return "link"
    if source == "time:page":
        return "page"
    if source.startswith("htmldate"):
        return "htmldate"
    if source.startswith("estimate"):
        return "estimate"
    return source


def _is_utc_instant(cand: Candidate) -> bool:
    value = cand.parsed.value if cand.parsed is not None else None
    return isinstance(value, datetime) and value.utcoffset() == timedelta(0)


def _localise(published: list[Candidate], zone: Zone | None) -> None:
    """Give each UTC instant the day it was in the publisher's zone (``extra["local_day"]``), and let
    htmldate follow: a day htmldate gives that is the UTC day of such an instant was read from it."""
    moved: dict[date, date] = {}
    for cand in published:
        shown = cand.extra.get("shown_day")
        if shown is not None and _is_utc_instant(cand) and abs((shown - cand.parsed.day).days) <= 1:  # type: ignore[union-attr]
            # the page prints this instant's day itself: that is the publisher's day, whatever the zone
            cand.extra["local_day"] = shown
            cand.extra["printed"] = True
            if shown != cand.parsed.day:  # type: ignore[union-attr]
                moved.setdefault(cand.parsed.day, shown)  # type: ignore[union-attr]
    if zone is None and not moved:
        return
    for cand in published:
        if zone is not None and _is_utc_instant(cand) and not cand.extra.get("printed"):
            assert cand.parsed is not None
            local = zone.day_of(cand.parsed.value).date()  # type: ignore[arg-type]
            if local != cand.parsed.day:
                cand.extra["local_day"] = local
                moved.setdefault(cand.parsed.day, local)
    for cand in published:
        if family(cand.source) == "htmldate" and cand.parsed is not None and cand.parsed.precision == "day":
            local = moved.get(cand.parsed.day)
            if local is not None:
                cand.extra["local_day"] = local
                cand.extra["followed"] = True


def _days_supported(cand: Candidate, zone: Zone | None) -> list[tuple[date, float]]:
    """The local day(s) a candidate supports, with a weight.

    A UTC instant is read in the publisher's zone (:func:`_localise`); when that zone is only a
    guess, the UTC day keeps half a vote. Without any zone, a UTC instant far from noon may fall on
    the neighbouring local day (18:25 on the 24th in New York is 02:25Z on the 25th): it supports
    that day too, a little less.
    """
    assert cand.parsed is not None
    local = cand.extra.get("local_day")
    if cand.extra.get("printed"):
        return [(local, 1.0)]
    if local is not None:
        if zone is not None and not zone.stated and not cand.extra.get("followed"):
            return [(local, 1.0), (cand.parsed.day, 0.5)]
        return [(local, 1.0)]
    value = cand.parsed.value
    if _is_utc_instant(cand) and zone is None:
        assert isinstance(value, datetime)
        if value.hour < 10:
            return [(value.date(), 1.0), (value.date() - timedelta(days=1), 0.9)]
        if value.hour >= 14:
            return [(value.date(), 1.0), (value.date() + timedelta(days=1), 0.9)]
    return [(cand.parsed.day, 1.0)]


def _family_votes(name: str, members: list[Candidate], tolerance: int) -> tuple[list[Candidate], float]:
    """Which members of a family vote, and with what weight.

    A family whose members agree votes once, with its first member (the most precise is chosen
    later). A family whose members disagree votes at half weight: htmldate's two searches each for
    their own day (the whole page first), a page's chrome with its first date, the article's visible
    dates with the first one shown, and metadata with its most specific tag (tier) and then the
    earliest date, since updates move dates later, never earlier.
    """
    days = {_earliest_day(c) for c in members}
    weight = FAMILY_WEIGHT.get(name, 1.0)
    if (max(days) - min(days)).days <= tolerance:
        return [members[0]], weight
    if name == "htmldate":
        ordered = sorted(members, key=lambda c: c.source != "htmldate:whole")
        return ordered, weight * 0.5
    if name in {"page", "visible"}:
        return [members[0]], weight * 0.5
    best_tier = min(c.tier for c in members)
    return [min((c for c in members if c.tier == best_tier), key=_earliest_day)], weight * 0.5


@dataclass
class Vote:
    """The outcome of :func:`vote`."""

    chosen: Candidate | None
    why: str = ""
    #: Families supporting the chosen day.
    supporters: list[str] = field(default_factory=list)


def vote(published: list[Candidate], tolerance: int, migration_days: int, zone: Zone | None = None) -> Vote:
    """Pick the publication day most sources agree on, and the candidate that states it best.

    Each family votes once (see :func:`_family_votes`). Day-precision values only; month or year
    values are used when nothing more precise exists. When the sources disagree by more than
    ``migration_days``, the earliest well-attested day wins (see the module docstring).
    """
    precise = [c for c in published if c.parsed is not None and c.parsed.precision in {"datetime", "day"}]
    if not precise:
        coarse = [c for c in published if c.parsed is not None and c.tier <= 4]
        if not coarse:
            return Vote(None)
        best = min(coarse, key=lambda c: (c.tier, _PRECISION_RANK[c.parsed.precision]))  # type: ignore[union-attr]
        return Vote(best, "the only dates found are a month or a year", [family(best.source)])
    families: dict[str, list[Candidate]] = {}
    for cand in precise:
        families.setdefault(family(cand.source), []).append(cand)
    scores: Counter[date] = Counter()
    voters: dict[date, list[str]] = {}
    for name, members in families.items():
        ballots, weight = _family_votes(name, members, tolerance)
        for ballot in ballots:
            for day, share in _days_supported(ballot, zone):
                scores[day] += weight * share
                voters.setdefault(day, []).append(name)
    rank = {name: i for i, name in enumerate(FAMILY_ORDER)}

    def order(day: date) -> tuple[float, int, int]:
        whole_first = 0 if any(c.source == "htmldate:whole" and _earliest_day(c) == day for c in precise) else 1
        return scores[day], -min(rank.get(f, 99) for f in voters[day]), -whole_first

    best_day = max(scores, key=order)
    names = sorted(set(voters[best_day]), key=lambda f: rank.get(f, 99))
    why = (
        f"{best_day} is agreed by {', '.join(names)}" if len(names) > 1 else f"{best_day} is given by {names[0]} alone"
    )
    others = {d: v for d, v in voters.items() if d != best_day and scores[d] > 0}
    if others:
        why += "; against " + ", ".join(f"{d} ({', '.join(sorted(set(v)))})" for d, v in sorted(others.items()))

    # the earliest well-attested day, when the sources are a migration apart
    attested: list[tuple[date, str]] = []
    for name in ATTESTING:
        members = families.get(name, [])
        if members and len({_earliest_day(c) for c in members}) == 1:
            attested.append((_earliest_day(members[0]), name))
    for day, names_for_day in voters.items():
        if len(set(names_for_day)) >= 2:
            attested.append((day, "+".join(sorted(set(names_for_day), key=lambda f: rank.get(f, 99)))))
    early = [(d, n) for d, n in attested if d < best_day - timedelta(days=migration_days)]
    if early:
        day, by = min(early)
        head = next(c for c in precise if _earliest_day(c) == day and (family(c.source) in by.split("+")))
        return Vote(
            _stated_on(head, day),
            f"{by} shows {day}, {(best_day - day).days} days before the other sources' {best_day}: metadata "
            "rewritten later (a migration or republication); the first publication is the earliest well-attested date",
            [n for n in by.split("+")],
        )
    supporters = [c for c in precise if any(d == best_day for d, _ in _days_supported(c, zone))]
    chosen = min(
        supporters,
        key=lambda c: (
            0
            if isinstance(c.parsed.value, datetime) and (c.parsed.value.utcoffset() or zone is not None)
            else 1
            if isinstance(c.parsed.value, datetime)
            else 2,  # type: ignore[union-attr]
            rank.get(family(c.source), 99),
        ),
    )
    return Vote(_stated_on(chosen, best_day), why, names)


def _stated_on(chosen: Candidate, day: date) -> Candidate:
    """``chosen``, or a stand-in stating ``day`` when the candidate's own day differs (a UTC instant
    on a neighbouring local day, read without a known zone): the day is said, the instant kept."""
    if _earliest_day(chosen) == day:
        return chosen
    local = Candidate(chosen.source, "published", chosen.raw, ParsedDate(day, "day"), "", chosen.tier)
    local.extra["instead_of"] = chosen
    local.extra["read_as_local_day"] = True
    return local


def _after(parsed: ParsedDate, bound: datetime, local_bound_day: date) -> bool:
    """True when ``parsed`` is later than the capture: an instant after the capture instant, or a
    date (month, year) that starts after the capture day in the publisher's zone."""
    if isinstance(parsed.value, datetime):
        return parsed.value > bound
    return parsed.day > local_bound_day


def resolve(
    cands: list[Candidate],
    *,
    crawled_at: datetime | None,
    bound: datetime,
    settings: DateSettings,
    phrases: Sequence[WeekdayPhrase] = (),
    estimate: Window | None = None,
    estimate_source: str = "",
    text: str = "",
    zone: Zone | None = None,
) -> DateResult:
    """Decide ``published``, ``modified``, the stamp and the mismatch from collected candidates.

    ``bound`` is the capture time (or, when unknown, the time of the call); nothing published may be
    later. ``estimate`` is the ID-bracket window when the crawl could compute one; ``phrases`` are the
    weekday phrases of the story text; ``zone`` the publisher's likely time zone.
    """
    result = DateResult(crawled_at=iso_datetime(crawled_at.astimezone(UTC)) if crawled_at else None)
    bound_day = bound.astimezone(UTC).date()
    local_bound_day = zone.day_of(bound).date() if zone is not None else bound_day
    tolerance = settings.mismatch_days

    # the stamp first: several rules compare with it
    stamp_cands = [c for c in cands if c.role == "stamp" and c.parsed is not None]
    stamp = stamp_cands[0] if stamp_cands else None
    for cand in cands:
        if cand.role == "stamp":
            if cand is stamp:
                cand.accepted, cand.reason = (
                    True,
                    (cand.reason or "the page's date stamp") + ": kept as page_date_stamp, never as the story's date",
                )
            elif cand.parsed is not None:
                _reject(cand, "a second stamp; the first is kept")
    if stamp is not None:
        result.page_date_stamp = stamp.parsed.day.isoformat()  # type: ignore[union-attr]

    modified_cands = [c for c in cands if c.role == "modified" and c.parsed is not None]
    modified_instants = {
        c.parsed.value
        for c in modified_cands
        if isinstance(c.parsed.value, datetime)  # type: ignore[union-attr]
    }
    future_rejected: list[Candidate] = []
    strong_rejected: list[Candidate] = []
    published: list[Candidate] = []
    for cand in cands:
        if cand.role != "published" or cand.parsed is None:
            continue
        day = cand.parsed.day
        if _after(cand.parsed, bound, local_bound_day):
            _reject(
                cand,
                f"after the capture ({iso_datetime(bound.astimezone(UTC))}): no date can be later than its page",
            )
            if cand.tier <= 3:
                future_rejected.append(cand)
                strong_rejected.append(cand)
            continue
        if day < settings.min_date:
            _reject(cand, f"before {settings.min_date}: a placeholder or a misparse")
            if cand.tier <= 3:
                strong_rejected.append(cand)
            continue
        if (
            cand.tier >= 4
            and stamp is not None
            and day == stamp.parsed.day  # type: ignore[union-attr]
            and not (cand.source == "htmldate" and stamp.extra.get("pruned"))
        ):
            # a search that could see the stamp probably read it; one on the page without it did not
            _reject(cand, "same day as the page's date stamp, which is not the story's date")
            continue
        published.append(cand)

    # a publication label on the exact modification instant, beside an earlier publication date:
    # the CMS copied the update time into it
    originals = [
        c for c in published if c.tier <= 3 and c.parsed is not None and c.parsed.value not in modified_instants
    ]
    for cand in list(published):
        value = cand.parsed.value  # type: ignore[union-attr]
        if not isinstance(value, datetime) or value not in modified_instants:
            continue
        earlier = [
            c
            for c in originals
            if (c.parsed.value < value if isinstance(c.parsed.value, datetime) else c.parsed.day < value.date())  # type: ignore[union-attr,operator]
        ]
        if earlier:
            _reject(
                cand,
                f"the page's modification time under a publication label ({earlier[0].source} gives the "
                f"earlier {earlier[0].parsed.iso()})",  # type: ignore[union-attr]
            )
            published.remove(cand)
            if cand.tier <= 3:
                strong_rejected.append(cand)

    # htmldate on the whole page also reads the side lists: its day, when it is one of theirs and the
    # search without the chrome does not find it, is another story's
    other_days: set[date] = set()
    for cand in cands:
        other_days |= cand.extra.get("days", set())
    pruned_days = {c.parsed.day for c in published if c.source == "htmldate"}  # type: ignore[union-attr]
    for cand in list(published):
        if cand.source == "htmldate:whole" and cand.parsed.day in other_days - pruned_days:  # type: ignore[union-attr]
            _reject(cand, "a date of another story linked from this page (the search without the chrome misses it)")
            published.remove(cand)

    # a month stays a month: for a month the page states without a day, htmldate fills in the 1st
    # or the day of the month it runs on (the capture day, in a crawl); no evidence of a day
    months = {c.parsed.day for c in published if c.parsed is not None and c.parsed.precision == "month"}
    days_given = {
        c.parsed.day
        for c in published
        if c.parsed is not None and c.parsed.precision in {"day", "datetime"} and family(c.source) != "htmldate"
    }
    for cand in published:
        if family(cand.source) == "htmldate" and cand.parsed is not None and cand.parsed.precision == "day":
            day = cand.parsed.day
            if day.replace(day=1) in months and day.day in {1, bound_day.day} and day not in days_given:
                cand.parsed = ParsedDate(day.replace(day=1), "month")
                cand.reason = f"{day}: htmldate's day for a month the page states without one, kept as the month"

    # weak candidates need a second, independent source when they fall on the capture day or on a
    # day the page gives as a modification date (heuristics fall back to both)
    strong_days = {c.parsed.day for c in published if c.tier <= 3}  # type: ignore[union-attr]
    modified_days = {c.parsed.day for c in modified_cands}  # type: ignore[union-attr]
    for cand in list(published):
        day = cand.parsed.day  # type: ignore[union-attr]
        if cand.tier < 4 or day in strong_days:
            continue
        if crawled_at is not None and day == bound_day:
            _reject(cand, "the capture day, and no other source agrees")
            published.remove(cand)
        elif day in modified_days:
            _reject(cand, "the page's modification date, and no publication source agrees")
            published.remove(cand)

    _localise(published, zone)
    outcome = vote(published, tolerance, settings.migration_days, zone)
    chosen, why = outcome.chosen, outcome.why

    if chosen is not None and strong_rejected and set(outcome.supporters) <= {"htmldate"}:
        # a guess after the page's own date was refused: the month is as far as it goes
        day = _earliest_day(chosen)
        month = Candidate(chosen.source, "published", chosen.raw, ParsedDate(day.replace(day=1), "month"), "", 4)
        month.extra["instead_of"] = chosen.extra.get("instead_of", chosen)
        why = (
            f"{day} is htmldate's guess alone, after the page's {strong_rejected[0].source} was refused: "
            "reported as its month, not as a day"
        )
        chosen = month

    if chosen is None and estimate is not None:
        window, notes = narrow_by_phrases(estimate, phrases)
        latest = min(window.latest, bound_day)
        width = (latest - window.earliest).days + 1
        if window.earliest <= latest and width > settings.estimate_max_days:
            cands.append(
                Candidate(
                    "estimate:id-bracket", "bound", window.detail[:200], ParsedDate(window.earliest, "day"),
                    f"{width} days wide: too wide to date the story (limit {settings.estimate_max_days})",
                    5,
                    latest=latest,
                )
            )  # fmt: skip
        elif window.earliest <= latest:
            chosen = Candidate(
                estimate_source + ("+weekday" if any("narrows" in n for n in notes) else ""),
                "published",
                window.detail[:200],
                ParsedDate(window.earliest, "day"),
                "; ".join(notes),
                5,
                latest=latest,
            )
            cands.append(chosen)
            published.append(chosen)
            why = "no date on the page or from linking pages: estimated" + (
                f" ({chosen.reason})" if chosen.reason else ""
            )
            for raw, month in relative_months(text, Window(window.earliest, latest, "")):
                cands.append(
                    Candidate(
                        "estimate:relative-month",
                        "bound",
                        raw,
                        ParsedDate(date.fromisoformat(month + "-01"), "month"),
                        f"resolves to {month}, before publication: consistent",
                        5,
                        accepted=True,
                    )
                )

    stated = chosen.extra.get("instead_of", chosen) if chosen is not None else None
    for cand in published:
        if cand is stated:
            continue
        same = chosen is not None and abs((_earliest_day(cand) - _earliest_day(chosen)).days) <= tolerance
        cand.accepted = False
        cand.reason = (
            ("agrees with the chosen date" if same else f"outvoted: {why}") if chosen is not None else "not used"
        )

    if chosen is not None and stated is not None:
        parsed = chosen.parsed
        assert parsed is not None
        if chosen.extra.get("printed") and chosen.extra["local_day"] != chosen.parsed.day:  # type: ignore[union-attr]
            parsed = ParsedDate(chosen.extra["local_day"], "day")
            why += f" (the UTC instant {chosen.parsed.iso()} is printed on the page as {parsed.day})"  # type: ignore[union-attr]
        elif (
            zone is not None
            and _is_utc_instant(chosen)
            and chosen.extra.get("local_day") is not None
            and not chosen.extra.get("printed")
        ):
            # the instant on the publisher's clock: the same moment, on the day its readers saw
            parsed = ParsedDate(zone.day_of(parsed.value), "datetime")  # type: ignore[arg-type]
            why += f" (the UTC instant {chosen.parsed.iso()} read in {zone.name}, inferred from {zone.why})"  # type: ignore[union-attr]
        elif chosen.extra.get("read_as_local_day"):
            why += f" (the UTC instant {stated.parsed.iso()} read as a local day)"  # type: ignore[union-attr]
        stated.accepted, stated.reason = True, why
        result.published = parsed.iso()
        result.published_source = chosen.source
        result.published_earliest = _earliest_day(chosen).isoformat()
        # a month or a year ends after a capture made during it: the story came before the capture
        latest = min(_latest_day(chosen), max(local_bound_day, _earliest_day(chosen)))
        result.published_latest = latest.isoformat()
        result.published_precision = "range" if chosen.latest is not None else parsed.precision

    # modified: stated by the page, after publication, not after capture
    pub_day = _earliest_day(chosen) if chosen is not None else None
    valid_modified = []
    for cand in modified_cands:
        day = cand.parsed.day  # type: ignore[union-attr]
        if _after(cand.parsed, bound, local_bound_day):  # type: ignore[arg-type]
            _reject(cand, f"after the capture ({iso_datetime(bound.astimezone(UTC))})")
        elif pub_day is not None and day < pub_day:
            _reject(cand, "before the publication date")
        elif day < settings.min_date:
            _reject(cand, f"before {settings.min_date}")
        else:
            valid_modified.append(cand)
    if valid_modified:
        best_tier = min(c.tier for c in valid_modified)
        best = max((c for c in valid_modified if c.tier == best_tier), key=lambda c: c.parsed.instant)  # type: ignore[union-attr]
        best.accepted, best.reason = True, "latest modification date the page states"
        result.modified = best.parsed.iso()  # type: ignore[union-attr]
        for cand in valid_modified:
            if cand is not best:
                cand.accepted, cand.reason = False, f"outranked by {best.source}"
        if chosen is None:
            # only an update is dated: the story was published that day or before, not known when
            first = min(valid_modified, key=lambda c: c.parsed.instant)  # type: ignore[union-attr]
            latest = first.parsed.day  # type: ignore[union-attr]
            if zone is not None and _is_utc_instant(first):
                latest = zone.day_of(first.parsed.value).date()  # type: ignore[union-attr,arg-type]
            result.published_latest = latest.isoformat()
            cands.append(
                Candidate(
                    first.source, "bound", first.raw, ParsedDate(latest, "day"),
                    "the page dates only an update: the story was published on or before this day (published_latest)",
                    9, latest=latest, accepted=True,
                )
            )  # fmt: skip

    for cand in cands:
        if cand.role in {"capture", "bound"} and not cand.reason:
            cand.reason = (
                "capture time: bounds every date, never a publication date"
                if cand.role == "capture"
                else "a limit, not a date"
            )
        if cand.role == "capture" and cand.source == "capture":
            cand.accepted = True
        if cand.parsed is None and not cand.reason:
            cand.reason = "unparseable"
        if not cand.reason:
            cand.reason = "not used"

    result.date_mismatch = judge(
        result, stamp=stamp, chosen=chosen, crawled_at=crawled_at, settings=settings,
        phrases=phrases, future_rejected=future_rejected, modified=result.modified,
    )  # fmt: skip
    result.evidence = [to_evidence(c) for c in cands]
    return result


def to_evidence(cand: Candidate) -> DateEvidence:
    return DateEvidence(
        source=cand.source,
        role=cand.role,
        raw=cand.raw,
        value=cand.parsed.iso() if cand.parsed else None,
        accepted=cand.accepted,
        reason=cand.reason,
        latest=cand.latest.isoformat() if cand.latest else None,
    )


def judge(
    result: DateResult,
    *,
    stamp: Candidate | None,
    chosen: Candidate | None,
    crawled_at: datetime | None,
    settings: DateSettings,
    phrases: Sequence[WeekdayPhrase],
    future_rejected: Sequence[Candidate],
    modified: str | None,
) -> DateMismatch | None:
    """Compare the three dates (capture, stamp, publication); None when they agree."""
    kinds: list[str] = []
    details: list[str] = []
    stamp_day = stamp.parsed.day if stamp is not None and stamp.parsed is not None else None
    capture_day = crawled_at.astimezone(UTC).date() if crawled_at else None
    earliest = _earliest_day(chosen) if chosen else None
    latest = _latest_day(chosen) if chosen else None
    tolerance = timedelta(days=settings.mismatch_days)

    if stamp_day is not None:
        if earliest is not None and latest is not None:
            if not earliest - tolerance <= stamp_day <= latest + tolerance:
                kinds.append("stamp_not_publication")
                details.append(f"the page displays {stamp_day}, but the story was published {_describe(chosen)}")
        else:
            contradiction = phrases_contradict(stamp_day, phrases)
            if contradiction is not None:
                kinds.append("stamp_not_publication")
                details.append(
                    f"the page displays {stamp_day}, but the story mentions {contradiction.raw!r}, "
                    f"which fits no day near {stamp_day}; publication date unknown"
                )
    if future_rejected:
        kinds.append("future_date_rejected")
        first = future_rejected[0]
        details.append(f"{first.source} gives {first.parsed.iso() if first.parsed else first.raw}, after the capture")
    only_bound = chosen is None and result.published_latest is not None
    if modified is not None and chosen is None:
        kinds.append("modified_not_published")
        details.append(
            f"the page states only a modification date ({modified}), not when the story was first published"
            + (f"; it was published on or before {result.published_latest}" if only_bound else "")
        )
    if latest is None and only_bound:
        latest = date.fromisoformat(result.published_latest)  # type: ignore[arg-type]
    if latest is not None and capture_day is not None and (capture_day - latest).days > settings.archival_days:
        kinds.append("archival")
        details.append(
            f"captured {capture_day}, {'at least ' if only_bound else ''}{(capture_day - latest).days} days "
            "after publication"
        )
    if not kinds:
        return None
    reference = stamp_day or capture_day
    gap = (reference - earliest).days if reference is not None and earliest is not None else None
    return DateMismatch(
        kind=kinds[0],
        kinds=kinds,
        stamp=stamp_day.isoformat() if stamp_day else None,
        published=result.published,
        crawled_at=result.crawled_at,
        gap_days=gap,
        detail=_sentence("; ".join(details)),
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _describe(chosen: Candidate | None) -> str:
    if chosen is None or chosen.parsed is None:
        return "on an unknown day"
    if chosen.latest is not None:
        return f"between {chosen.parsed.day} and {chosen.latest} (estimated)"
    return f"on {chosen.parsed.iso()} ({chosen.source})"
