"""Hypothesis strategies for generated news pages and date strings (shared by tests/test_properties.py;
bench/fuzz.py draws its inputs from its own seeded generator, in the same spirit).

Pages vary what real pages vary: where the dates are (JSON-LD, meta tags, ``<time>``, the byline, the
URL), how they are written (ISO with any offset, RFC 822, day-month-year in words, numbers, epochs,
nonsense), how close they are to the capture (minutes either side, across midnight and time zones),
and what is broken (JSON-LD, nesting, charsets, link lists).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import strategies as st

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
WORDS = ("budget council ministers talks summit vote parliament commission energy grid farmers research "
         "brussels treaty reform deal crisis report agency court ruling election").split()  # fmt: skip

crawled_ats = st.datetimes(
    min_value=datetime(1995, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))


def format_date(moment: datetime, style: int) -> str:
    """``moment`` (aware) written the way some page writes dates."""
    if style == 0:
        return moment.isoformat()
    if style == 1:
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if moment.utcoffset() == timedelta(0) else "")
    if style == 2:
        return moment.strftime("%Y-%m-%d")
    if style == 3:
        return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if style == 4:
        return f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year}"
    if style == 5:
        return moment.strftime("%a, %d %b %Y %H:%M:%S %z")
    if style == 6:
        return str(int(moment.timestamp()))
    if style == 7:
        return moment.strftime("%d.%m.%Y")
    return moment.strftime("%Y/%m/%d %H:%M")


@st.composite
def date_near(draw: st.DrawFn, crawled_at: datetime) -> str:
    """A date string near the capture (minutes to days either side) or anywhere in time."""
    if draw(st.booleans()):
        delta = timedelta(minutes=draw(st.integers(min_value=-4 * 24 * 60, max_value=4 * 24 * 60)))
    else:
        delta = timedelta(days=draw(st.integers(min_value=-12000, max_value=3000)))
    try:
        moment = (crawled_at + delta).astimezone(draw(offsets))
    except OverflowError:
        moment = crawled_at
    return format_date(moment, draw(st.integers(min_value=0, max_value=8)))


junk_dates = st.one_of(
    st.sampled_from([
        "0000-00-00", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
        "1715000000000", "2024-13-45T99:99", "2024-02-30", "31/31/2024", "yesterday", "", "NaN", "1e308",
        "2024-05-01T10:00:00+99:00", "Mon, 32 Foo 2024 25:61:61 +0000", "10000-01-01", "-2024-05-01",
    ]),
    st.text(max_size=40),
)  # fmt: skip


def dates_for(crawled_at: datetime) -> st.SearchStrategy[str]:
    return st.one_of(date_near(crawled_at), junk_dates)


@st.composite
def pages(draw: st.DrawFn) -> tuple[bytes, str, datetime, dict[str, str]]:
    """(body, url, crawled_at, headers) of a generated news page."""
    crawled_at = draw(crawled_ats)
    dates = dates_for(crawled_at)
    title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=8))).capitalize()
    head = [f"<title>{title}</title>"]
    if draw(st.booleans()):
        node = {"@context": "https://schema.org", "@type": draw(st.sampled_from(["NewsArticle", "WebPage", "Article"])),
                "headline": title, "datePublished": draw(dates)}  # fmt: skip
        if draw(st.booleans()):
            node["dateModified"] = draw(dates)
        text = json.dumps(node)
        broken = draw(st.integers(min_value=0, max_value=4))
        if broken == 1:
            text = text[: len(text) // 2]
        elif broken == 2:
            text = '{"a":' * draw(st.integers(min_value=50, max_value=3000)) + "1" + "}" * 10
        head.append(f'<script type="application/ld+json">{text}</script>')
    for name in draw(st.lists(st.sampled_from(["article:published_time", "article:modified_time", "date",
                                                "og:updated_time", "dc.date"]), max_size=3)):  # fmt: skip
        head.append(f'<meta property="{name}" content="{draw(dates)}">')
    paragraphs = draw(
        st.lists(
            st.lists(st.sampled_from(WORDS), min_size=3, max_size=40).map(lambda w: " ".join(w).capitalize() + "."),
            min_size=0,
            max_size=12,
        )
    )
    body = [f"<h1>{title}</h1>"]
    if draw(st.booleans()):
        body.append(f"<p class='byline'>By Ana Costa, {draw(dates)}</p>")
    if draw(st.booleans()):
        body.append(f"<time datetime='{draw(dates)}'>{draw(dates)}</time>")
    body += [f"<p>{p}</p>" for p in paragraphs]
    links = draw(st.integers(min_value=0, max_value=60))
    side = "".join(
        f"<li><a href='/news/{i}/other-story-{i}'>{' '.join(WORDS[(i + j) % len(WORDS)] for j in range(6))}</a>"
        f"<time datetime='{draw(dates)}'></time></li>"
        for i in range(links)
    )
    nesting = draw(st.integers(min_value=0, max_value=400))
    html = (
        f"<!DOCTYPE html><html lang='en'><head>{''.join(head)}</head><body><header><div class='date'>"
        f"{draw(dates)}</div></header><article>{''.join(body)}</article><aside><ul>{side}</ul></aside>"
        f"{'<div>' * nesting}x{'</div>' * nesting}</body></html>"
    )
    charset = draw(st.sampled_from(["utf-8", "cp1252", "iso-8859-1", "gb2312"]))
    encoded = html.encode("utf-8") if charset == "gb2312" else html.encode(charset, "replace")
    declared = draw(st.sampled_from(["utf-8", "iso-8859-1", "gb2312", "windows-1252", ""]))
    headers = {"Content-Type": "text/html" + (f"; charset={declared}" if declared else "")}
    url_date = draw(dates) if draw(st.booleans()) else ""
    path = "/" + "/".join(p for p in url_date.replace(" ", "-").replace(":", "").split("/") if p)[:20]
    url = f"https://news.example{path if url_date else ''}/story-{draw(st.integers(0, 10**6))}"
    return encoded, url, crawled_at, headers
