"""parse_date: every format it reads, and every bad date it refuses without raising."""

from __future__ import annotations

import pytest

from euspider.dates.parse import parse_date

GOOD = [
    ("iso-offset", "2024-05-14T07:45:00+02:00", "2024-05-14T07:45:00+02:00", "datetime"),
    ("iso-z", "2024-05-14T07:45:00Z", "2024-05-14T07:45:00Z", "datetime"),
    ("iso-fraction-compact-offset", "2024-05-14T07:45:00.123+0000", "2024-05-14T07:45:00Z", "datetime"),
    ("iso-date", "2024-05-14", "2024-05-14", "day"),
    ("year-month", "2008-09", "2008-09", "month"),
    ("year", "2008", "2008", "year"),
    ("rfc822-feed", "Fri, 03 Feb 2023 14:05:00 +0100", "2023-02-03T14:05:00+01:00", "datetime"),
    ("rfc1123-http", "Thu, 02 Feb 2023 10:00:00 GMT", "2023-02-02T10:00:00Z", "datetime"),
    ("ordinal-banner", "Saturday 4th Feb 2023", "2023-02-04", "day"),
    ("us-order", "May 14, 2024", "2024-05-14", "day"),
    ("byline", "By Jane Doe · 17 Jan 2025", "2025-01-17", "day"),
    ("german", "4. Februar 2023", "2023-02-04", "day"),
    ("french", "4 février 2023", "2023-02-04", "day"),
    ("spanish", "4 de febrero de 2023", "2023-02-04", "day"),
    ("dotted-day-first", "04.02.2023", "2023-02-04", "day"),
    ("slashed-unambiguous", "14/02/2023", "2023-02-14", "day"),
    ("unix-seconds", "1699999999", "2023-11-14T22:13:19Z", "datetime"),
    # what a page's script prints with Date.toString()
    (
        "javascript-date",
        "Tue Aug 25 2020 00:23:33 GMT+0000 (Coordinated Universal Time)",
        "2020-08-25T00:23:33Z",
        "datetime",
    ),
    ("javascript-date-offset", "Mon Aug 24 2020 20:23:33 GMT-0400 (EDT)", "2020-08-24T20:23:33-04:00", "datetime"),
]

BAD = [
    ("unparseable", "sometime last spring", "no date"),
    ("empty", "   ", "empty"),
    ("two-digit-year", "4/2/23", "two-digit year"),
    ("impossible-day", "2023-02-30", "impossible day"),
    ("impossible-month", "2019-13-01", "impossible month"),
    ("impossible-time", "2024-05-14T25:00:00Z", "impossible time"),
    ("impossible-offset", "2024-05-14T07:45:00+99:00", "impossible timezone"),
    ("ambiguous-order", "04/02/2023", "order unknown"),
    ("unknown-month-name", "12 Smarch 2023", "unknown month name"),
    ("no-year", "16. Mar, 17:55", "no date"),
    ("not-a-string", 12.5, "not a date string"),
    ("too-long", "x" * 400, "too long"),
]


@pytest.mark.parametrize(("raw", "iso", "precision"), [g[1:] for g in GOOD], ids=[g[0] for g in GOOD])
def test_reads(raw, iso, precision):
    parsed, reason = parse_date(raw)
    assert reason == ""
    assert parsed is not None
    assert parsed.iso() == iso
    assert parsed.precision == precision


@pytest.mark.parametrize(("raw", "why"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_refuses_with_a_reason(raw, why):
    parsed, reason = parse_date(raw)
    assert parsed is None
    assert why in reason


def test_timezone_less_datetime_keeps_only_the_day():
    parsed, reason = parse_date("2024-05-14T23:30:00")
    assert reason == ""
    assert parsed.precision == "day"
    assert parsed.iso() == "2024-05-14"
