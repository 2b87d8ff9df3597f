"""Resolve a page's dates from its evidence, and judge whether they disagree.

Precedence for ``published`` (first tier with an acceptable candidate wins; see
:mod:`euspider.dates.evidence` for the tiers):

1. structured article metadata, 2. byline and link context, 3. URL path, 4. htmldate's search
over the page without its chrome, 5. estimates (ID bracket narrowed by weekday phrases).

Within a tier, candidates that agree (within ``mismatch_days``) give the most precise value; when
they disagree, the earliest wins, since updates and migrations move dates later, never earlier. Across
tiers 1-3, a candidate more than ``migration_days`` earlier than the winner replaces it: a site
migration rewrites metadata dates, while the byline, the URL and the linking page keep the original.

Always refused as ``published``: anything after the capture (``future_date_rejected``), before
``min_date``, the page's own date stamp, HTTP ``Date``/``Last-Modified`` and the capture time; and a
weak (tier 4) candidate on the capture day or the stamp day that no other source confirms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from ..items import DateEvidence, DateMismatch
from .estimate import WeekdayPhrase, Window, narrow_by_phrases, phrases_contradict, relative_months
from .evidence import Candidate
from .parse import ParsedDate, iso_datetime


@dataclass(frozen=True)
class DateSettings:
    """Thresholds of the resolver; the `EUSPIDER_*` date settings map onto these (see config.py)."""

    #: Days by which two dates may differ and still count as the same (time zones, late edits).
    mismatch_days: int = 2
    #: A story older than this at capture is ``archival``.
    archival_days: int = 365
    #: Days added on both sides of an ID bracket (IDs are only roughly ordered by date).
    id_margin_days: int = 3
    #: A visible byline date this many days before what the other sources agree on replaces it.
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
    return cand.parsed.day


def _latest_day(cand: Candidate) -> date:
    assert cand.parsed is not None
    if cand.latest is not None:
        return cand.latest
    if cand.parsed.precision == "month":
        nxt = cand.parsed.day.replace(day=28) + timedelta(days=4)
        return nxt - timedelta(days=nxt.day)
    if cand.parsed.precision == "year":
        return cand.parsed.day.replace(month=12, day=31)
    return cand.parsed.day


_PRECISION_RANK = {"datetime": 0, "day": 1, "month": 2, "year": 3}


#: Families of sources: each family votes once for a day. Order breaks ties.
FAMILY_ORDER = ("visible", "url", "structured", "meta", "link", "page-ld", "htmldate", "page")
FAMILY_WEIGHT = {"page": 0.5}


def family(source: str) -> str:
    if source.startswith("json-ld:webpage"):
        return "page-ld"
    if source.startswith("json-ld"):
        return "structured"
    if source.startswith("meta:"):
        return "meta"
    if source in {"byline", "time:article"}:
        return "visible"
    if source.startswith("link:"):
        return "link"
    if source == "time:page":
        return "page"
    if source.startswith("estimate"):
        return "estimate"
    return source


def _local_offset(cands: Sequence[Candidate]) -> timezone | None:
    """The publisher's UTC offset, when some datetime on the page states a non-zero one."""
    offsets = Counter(
        c.parsed.value.utcoffset()
        for c in cands
        if c.parsed is not None and isinstance(c.parsed.value, datetime) and c.parsed.value.utcoffset()
    )
    if not offsets:
        return None
    return timezone(offsets.most_common(1)[0][0])  # type: ignore[arg-type]


def _days_supported(cand: Candidate, offset: timezone | None) -> list[tuple[date, float]]:
    """The local day(s) a candidate supports, with a weight.

    A datetime in UTC is moved to the page's own offset when the page states one. Without it, a UTC
    instant far from noon may fall on the neighbouring local day (18:25 on the 24th in New York is
    02:25Z on the 25th): it supports that day too, a little less.
    """
    assert cand.parsed is not None
    value = cand.parsed.value
    if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
        if offset is not None:
            return [(value.astimezone(offset).date(), 1.0)]
        if value.hour < 10:
            return [(value.date(), 1.0), (value.date() - timedelta(days=1), 0.9)]
        if value.hour >= 14:
            return [(value.date(), 1.0), (value.date() + timedelta(days=1), 0.9)]
    return [(cand.parsed.day, 1.0)]


def vote(published: list[Candidate], tolerance: int, migration_days: int) -> tuple[Candidate | None, str]:
    """Pick the publication day most sources agree on, and the candidate that states it best.

    Each family of sources (the article's visible byline, the URL, JSON-LD, meta tags, the linking
    page, htmldate, a ``<time>`` elsewhere on the page) votes once, for the day of its first candidate;
    a family whose members disagree among themselves votes at half weight. Day-precision values only;
    month or year values are used when nothing more precise exists. A visible date in the article's
    header more than ``migration_days`` earlier than the winner replaces it: migrations and
    republications rewrite metadata dates, and the byline keeps the original.
    """
    precise = [c for c in published if c.parsed is not None and c.parsed.precision in {"datetime", "day"}]
    if not precise:
        coarse = [c for c in published if c.parsed is not None and c.tier <= 4]
        if not coarse:
            return None, ""
        best = min(coarse, key=lambda c: (c.tier, _PRECISION_RANK[c.parsed.precision]))  # type: ignore[union-attr]
        return best, "the only dates found are a month or a year"
    offset = _local_offset(precise)
    families: dict[str, list[Candidate]] = {}
    for cand in precise:
        families.setdefault(family(cand.source), []).append(cand)
    scores: Counter[date] = Counter()
    voters: dict[date, list[str]] = {}
    for name, members in families.items():
        first = members[0]
        days = {c.parsed.day for c in members}  # type: ignore[union-attr]
        split = (max(days) - min(days)).days > tolerance
        weight = FAMILY_WEIGHT.get(name, 1.0) * (0.5 if split else 1.0)
        for day, share in _days_supported(first, offset):
            scores[day] += weight * share
            voters.setdefault(day, []).append(name)
    rank = {name: i for i, name in enumerate(FAMILY_ORDER)}
    best_day = max(scores, key=lambda d: (scores[d], -min(rank.get(f, 99) for f in voters[d])))
    supporters = [c for c in precise if any(day == best_day for day, _ in _days_supported(c, offset))]
    chosen = min(
        supporters,
        key=lambda c: (
            0
            if isinstance(c.parsed.value, datetime) and c.parsed.value.utcoffset()
            else 1
            if isinstance(c.parsed.value, datetime)
            else 2,  # type: ignore[union-attr]
            rank.get(family(c.source), 99),
        ),
    )
    names = sorted(set(voters[best_day]), key=lambda f: rank.get(f, 99))
    why = f"{best_day} is supported by {', '.join(names)}"
    others = {d: v for d, v in voters.items() if d != best_day and scores[d] > 0}
    if others:
        why += "; against " + ", ".join(f"{d} ({', '.join(sorted(set(v)))})" for d, v in sorted(others.items()))
    visible = families.get("visible", [])
    if visible:
        head = visible[0]
        if (
            _earliest_day(head) < best_day - timedelta(days=migration_days)
            and len({c.parsed.day for c in visible}) == 1
        ):  # type: ignore[union-attr]
            return head, (
                f"the article shows {head.parsed.day} to readers, {(best_day - _earliest_day(head)).days} days before "  # type: ignore[union-attr]
                f"the other sources' {best_day}: metadata rewritten later (a migration or republication)"
            )
    if chosen.parsed.day != best_day:  # type: ignore[union-attr]
        # a UTC instant that falls on this local day: say the day, keep the instant in the evidence
        local = Candidate(chosen.source, "published", chosen.raw, ParsedDate(best_day, "day"), "", chosen.tier)
        local.extra["instead_of"] = chosen
        return local, why + f" (the UTC instant {chosen.parsed.iso()} read as a local day)"  # type: ignore[union-attr]
    return chosen, why


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
) -> DateResult:
    """Decide ``published``, ``modified``, the stamp and the mismatch from collected candidates.

    ``bound`` is the capture time (or, when unknown, the time of the call); nothing published may be
    later. ``estimate`` is the ID-bracket window when the crawl could compute one; ``phrases`` are the
    weekday phrases of the story text.
    """
    result = DateResult(crawled_at=iso_datetime(crawled_at.astimezone(UTC)) if crawled_at else None)
    bound_day = bound.astimezone(UTC).date()
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

    future_rejected: list[Candidate] = []
    published: list[Candidate] = []
    for cand in cands:
        if cand.role != "published" or cand.parsed is None:
            continue
        day = cand.parsed.day
        if cand.parsed.instant > bound + timedelta(hours=14) and day > bound_day:
            _reject(cand, f"after the capture ({bound_day}): a date cannot be later than the page it is read from")
            if cand.tier <= 3:
                future_rejected.append(cand)
            continue
        if isinstance(cand.parsed.value, datetime) and cand.parsed.instant > bound:
            # a few hours after the capture: the day may be right (a clock ahead, local time labelled
            # UTC), the instant cannot be; keep the day only if it had begun at the capture, so
            # published is never after crawled_at
            if datetime(day.year, day.month, day.day, tzinfo=cand.parsed.value.tzinfo) > bound:
                _reject(cand, f"after the capture ({bound_day}): a date cannot be later than the page it is read from")
                if cand.tier <= 3:
                    future_rejected.append(cand)
                continue
            cand.parsed = ParsedDate(day, "day")
        if day < settings.min_date:
            _reject(cand, f"before {settings.min_date}: a placeholder or a misparse")
            continue
        if cand.tier >= 4 and stamp is not None and day == stamp.parsed.day:  # type: ignore[union-attr]
            _reject(cand, "same day as the page's date stamp, which is not the story's date")
            continue
        published.append(cand)

    # weak candidates need a second, independent source when they fall on the capture day or on a
    # day the page gives as a modification date (heuristics fall back to both)
    strong_days = {c.parsed.day for c in published if c.tier <= 3}  # type: ignore[union-attr]
    modified_days = {c.parsed.day for c in cands if c.role == "modified" and c.parsed is not None}
    only_modified: list[Candidate] = []
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
            only_modified.append(cand)

    chosen, why = vote(published, tolerance, settings.migration_days)

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

    if chosen is None and only_modified:
        # the page dates only an update: the story was published that day or before. Say so (the
        # mismatch kind modified_not_published), and give that day as the latest possible one.
        chosen = only_modified[0]
        chosen.extra["only_modified"] = True
        published.append(chosen)
        why = "the page gives only a modification date: the story was published that day or earlier"

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
        stated.accepted, stated.reason = True, why
        parsed = chosen.parsed
        assert parsed is not None
        result.published = parsed.iso()
        result.published_source = chosen.source
        result.published_earliest = None if chosen.extra.get("only_modified") else _earliest_day(chosen).isoformat()
        # a month or a year ends after a capture made during it: the story came before the capture
        latest = min(_latest_day(chosen), max(bound_day, _earliest_day(chosen)))
        result.published_latest = latest.isoformat()
        result.published_precision = "range" if chosen.latest is not None else parsed.precision

    # modified: stated by the page, after publication, not after capture
    pub_day = _earliest_day(chosen) if chosen is not None else None
    modified = [c for c in cands if c.role == "modified" and c.parsed is not None]
    valid_modified = []
    for cand in modified:
        day = cand.parsed.day  # type: ignore[union-attr]
        if day > bound_day:
            _reject(cand, f"after the capture ({bound_day})")
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
    if modified is not None and (chosen is None or chosen.extra.get("only_modified")):
        kinds.append("modified_not_published")
        details.append(
            f"the page states only a modification date ({modified}), not when the story was first published"
            + ("; published is that day, the latest possible" if chosen is not None else "")
        )
    if latest is not None and capture_day is not None and (capture_day - latest).days > settings.archival_days:
        kinds.append("archival")
        details.append(f"captured {capture_day}, {(capture_day - latest).days} days after publication")
    if not kinds:
        return None
    reference = stamp_day or capture_day
    start = earliest if chosen is None or not chosen.extra.get("only_modified") else latest
    gap = (reference - start).days if reference is not None and start is not None else None
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
