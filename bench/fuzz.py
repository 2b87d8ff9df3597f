"""Fuzz the pure code a hostile web reaches: generated and mutated inputs, properties checked on each.

    python bench/fuzz.py [--inputs 100000] [--seed 1] [--workers 2] [--timeout 20]
    python bench/fuzz.py --replay page:1:4711          # re-run one input and show the failure

Targets, in these shares of ``--inputs``:

- ``date`` (55%): :func:`euspider.dates.parse.parse_date` on date strings near a capture time (every
  offset, format and precision), nonsense and random text. Never raises; a value is in 1000-2999,
  prints as ISO 8601 and compares with an aware datetime.
- ``url`` (15%): :func:`euspider.urlfilter.refusal` on URLs of every scheme and host spelling.
  Never raises; a refusal is a documented reason.
- ``jsonld`` (10%): :func:`euspider.dates.evidence.load_json_ld` on JSON-LD blocks, cut, nested,
  mangled. Never raises; data or a reason.
- ``decode`` (15%): :func:`euspider.extract.decode` on bodies in every charset under every label, binary
  formats and noise. Never raises; text without replacement-character floods, or a skip reason.
- ``page`` (5%): :meth:`euspider.extract.ArticleExtractor.extract` on generated news pages (dates in
  JSON-LD, meta tags, ``<time>``, the byline, the URL; broken JSON-LD; deep nesting; link lists;
  charsets), half of them mutated byte by byte. Never raises; a record is valid against the shipped JSON
  Schema and its ``published`` is never after ``crawled_at``.

Every input is a pure function of (target, seed, index): a failure is reported with the command that
replays it, and the input is written to ``--failures`` (default ``output/fuzz``). Inputs run in worker
processes, each bounded by ``--timeout`` seconds (a hang is a failure too). The last line is one JSON
object with the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
SHARES = {"date": 0.55, "url": 0.15, "jsonld": 0.10, "decode": 0.15, "page": 0.05}
#: The earliest offset on earth is UTC+14: a day has begun somewhere once UTC reaches 10:00 the day before.
LATEST_OFFSET = timedelta(hours=14)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
WORDS = ("budget council ministers talks summit vote parliament commission energy grid farmers research "
         "brussels treaty reform deal crisis report agency court ruling election été négociations "
         "预算 谈判 Брюссель переговоры").split()  # fmt: skip
JUNK = ["0000-00-00", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
        "1715000000000", "2024-13-45T99:99", "2024-02-30", "31/31/2024", "yesterday", "", "NaN", "1e308",
        "2024-05-01T10:00:00+99:00", "Mon, 32 Foo 2024 25:61:61 +0000", "10000-01-01", "-2024-05-01",
        "99999999999", "2024-05-01T24:00:00Z", "2024-W18-3", "２０２４年５月１日",
        "2024-05-01T10:00:00.123456789Z"]  # fmt: skip
TOKENS = ["<", ">", "</div>", "<div>", "<script>", "</script>", "<!--", "-->", "]]>", "<![CDATA[", "&", "&#0;",
          "&#x110000;", "\x00", "\ufffd", "\xff\xfe", '"', "'", "{", "}", "[", "]", "<time datetime='", "<a href='",
          "<meta charset='utf-16'>", "<html>", "</body>", "\u202e", "\ud800"]  # fmt: skip
CHARSETS = ["utf-8", "cp1252", "iso-8859-1", "iso-8859-15", "gb2312", "gbk", "shift_jis", "koi8-r", "windows-1251",
            "utf-16", "utf-16le", "bogus-charset", ""]  # fmt: skip


# --- generators: each a pure function of a seeded Random ------------------------------------------


def crawl_time(rng: random.Random) -> datetime:
    start = datetime(1995, 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.randrange(0, 36 * 365 * 86400))


def format_date(moment: datetime, style: int) -> str:
    formats = [
        lambda m: m.isoformat(),
        lambda m: m.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if m.utcoffset() == timedelta(0) else ""),
        lambda m: m.strftime("%Y-%m-%d"),
        lambda m: f"{m.day} {MONTHS[m.month - 1]} {m.year}",
        lambda m: f"{MONTHS[m.month - 1]} {m.day}, {m.year}",
        lambda m: m.strftime("%a, %d %b %Y %H:%M:%S %z"),
        lambda m: str(int(m.timestamp())),
        lambda m: m.strftime("%d.%m.%Y"),
        lambda m: m.strftime("%Y/%m/%d %H:%M"),
        lambda m: m.strftime("%m/%d/%Y"),
        lambda m: m.strftime("%Y-%m"),
        lambda m: m.strftime("%Y"),
        lambda m: f"{m.strftime('%A')}, {m.day}. {MONTHS[m.month - 1]} {m.year} um {m.strftime('%H:%M')}",
    ]
    return formats[style % len(formats)](moment)


def date_string(rng: random.Random, crawled_at: datetime) -> str:
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(JUNK)
    if roll < 0.15:
        return "".join(rng.choice("0123456789-:T+Z./ ") for _ in range(rng.randrange(0, 30)))
    if roll < 0.55:
        delta = timedelta(minutes=rng.randrange(-4 * 24 * 60, 4 * 24 * 60))
    else:
        delta = timedelta(days=rng.randrange(-20000, 400000))
    offset = timezone(timedelta(minutes=15 * rng.randrange(-48, 57)))
    try:
        moment = (crawled_at + delta).astimezone(offset)
    except (OverflowError, ValueError):
        moment = crawled_at
    return format_date(moment, rng.randrange(100))


def gen_date(rng: random.Random) -> dict[str, Any]:
    return {"raw": date_string(rng, crawl_time(rng))}


def gen_url(rng: random.Random) -> dict[str, Any]:
    scheme = rng.choice(["http", "https", "HTTP", "file", "data", "ftp", "javascript", "gopher", "", "hTtPs"])
    host = rng.choice([
        "euobserver.com", "news.example", "127.0.0.1", "2130706433", "0x7f.1", "0177.0.0.1", "[::1]",
        "[::ffff:127.0.0.1]", "169.254.169.254", "10.0.0.1", "192.168.1.1", "localhost", "printer.local", "intranet",
        "8.8.8.8", "[2001:db8::1]", "[fe80::1%25eth0]", "bücher.example", "exa mple.org", "", "user:pw@site.example",
        "site.example:99999", "site.example:80", "[::1", "0x", "1.2.3.4.5", "256.256.256.256", "%00", "a" * 300,
    ])  # fmt: skip
    path = "/" + "/".join(rng.choice([*WORDS, "..", "%2e%2e", "?q=1", "#x"]) for _ in range(rng.randrange(0, 5)))
    if rng.random() < 0.9:
        url = f"{scheme}://{host}{path}"
    else:
        url = "".join(rng.choice([*TOKENS, "/", ":"]) for _ in range(8))
    allowed = rng.sample(["euobserver.com", "news.example", "127.0.0.1", ""], rng.randrange(0, 3))
    trusted = rng.sample(["127.0.0.1", "localhost", "intranet"], rng.randrange(0, 2))
    return {"url": url, "allowed": allowed, "trusted": trusted}


def json_ld_text(rng: random.Random, crawled_at: datetime) -> str:
    node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": rng.choice(["NewsArticle", "WebPage", "Article", ["NewsArticle", "Thing"], 7, None]),
        "headline": " ".join(rng.choice(WORDS) for _ in range(5)),
        "datePublished": rng.choice([date_string(rng, crawled_at), 20240501, None, [date_string(rng, crawled_at)]]),
    }
    if rng.random() < 0.5:
        node["dateModified"] = date_string(rng, crawled_at)
    data: Any = node if rng.random() < 0.6 else {"@graph": [node, {"@type": "WebPage", "datePublished": "x"}]}
    text = json.dumps(data, ensure_ascii=rng.random() < 0.5)
    roll = rng.random()
    if roll < 0.15:
        text = text[: rng.randrange(len(text))]
    elif roll < 0.25:
        depth = rng.choice([10, 63, 64, 65, 200, 999, 1000, 1001, 5000, 20000])
        opener = rng.choice(['{"a":', "[", '{"@graph":['])
        closer = {"{": "}", "[": "]"}[opener[0]] if opener != '{"@graph":[' else "]}"
        text = opener * depth + "1" + closer * (depth if rng.random() < 0.5 else rng.randrange(depth + 1))
    elif roll < 0.3:
        text = text[:-1] + ',"x":"' + "a" * rng.choice([1000, 999_990, 1_000_001, 1_500_000]) + '"}'
    elif roll < 0.4:
        text = "<!--" + text.replace("}", ",}", 1) + "-->"
    return mutate_text(rng, text) if rng.random() < 0.2 else text


def gen_jsonld(rng: random.Random) -> dict[str, Any]:
    return {"text": json_ld_text(rng, crawl_time(rng))}


def page_html(rng: random.Random, crawled_at: datetime) -> str:
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 9)))
    head = [f"<title>{title}</title>"]
    for _ in range(rng.randrange(0, 3)):
        head.append(f'<script type="application/ld+json">{json_ld_text(rng, crawled_at)}</script>')
    for _ in range(rng.randrange(0, 4)):
        name = rng.choice(["article:published_time", "article:modified_time", "date", "og:updated_time", "dc.date",
                           "parsely-pub-date", "sailthru.date", "parsely-page"])  # fmt: skip
        content = date_string(rng, crawled_at) if name != "parsely-page" else json_ld_text(rng, crawled_at)
        head.append(f"<meta property=\"{name}\" content='{content}'>")
    paragraphs = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 60))).capitalize() + "."
        for _ in range(rng.randrange(0, 15))
    ]
    if rng.random() < 0.1:
        paragraphs = paragraphs[:2] * rng.randrange(5, 60)
    body = [f"<h1>{title}</h1>"]
    if rng.random() < 0.5:
        body.append(f"<p class='byline'>By Ana Costa, {date_string(rng, crawled_at)}</p>")
    if rng.random() < 0.5:
        body.append(f"<time datetime='{date_string(rng, crawled_at)}'>{date_string(rng, crawled_at)}</time>")
    body += [f"<p>{p}</p>" for p in paragraphs]
    links = rng.choice([0, 0, 3, 12, 60, 400, 1500])
    side = "".join(
        f"<li><a href='/news/{rng.randrange(10**6)}/story'>"
        f"{' '.join(rng.choice(WORDS) for _ in range(rng.randrange(1, 9)))}</a>"
        f"{'<time>' + date_string(rng, crawled_at) + '</time>' if rng.random() < 0.5 else ''}</li>"
        for _ in range(links)
    )
    nesting = rng.choice([0, 0, 0, 10, 300, 3000])
    return (
        f"<!DOCTYPE html><html lang='{rng.choice(['en', 'fr', 'zh', 'ru', ''])}'><head>{''.join(head)}</head>"
        f"<body><header><div class='date'>{date_string(rng, crawled_at)}</div><nav><a href='/'>Home</a></nav>"
        f"</header><article>{''.join(body)}</article><aside><ul>{side}</ul></aside>"
        f"{'<div>' * nesting}x{'</div>' * nesting}<footer>© News</footer></body></html>"
    )


def mutate_text(rng: random.Random, text: str) -> str:
    for _ in range(rng.randrange(1, 6)):
        if not text:
            break
        at = rng.randrange(len(text))
        roll = rng.random()
        if roll < 0.3:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif roll < 0.6:
            text = text[:at] + text[at + rng.randrange(1, 200) :]
        elif roll < 0.8:
            end = min(len(text), at + rng.randrange(1, 300))
            text = text[:end] + text[at:end] * rng.randrange(1, 4) + text[end:]
        else:
            text = text[:at]
    return text


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    buffer = bytearray(data)
    for _ in range(rng.randrange(1, 20)):
        if not buffer:
            break
        at = rng.randrange(len(buffer))
        roll = rng.random()
        if roll < 0.5:
            buffer[at] = rng.randrange(256)
        elif roll < 0.75:
            del buffer[at : at + rng.randrange(1, 100)]
        else:
            buffer[at:at] = rng.choice(TOKENS).encode("utf-8", "surrogatepass")
    return bytes(buffer)


def body_bytes(rng: random.Random, html: str) -> tuple[bytes, dict[str, str]]:
    charset = rng.choice(CHARSETS)
    try:
        body = html.encode(charset or "utf-8", "replace")
    except LookupError:
        body = html.encode("utf-8", "surrogatepass")  # a lone surrogate becomes invalid UTF-8: fine here
    roll = rng.random()
    if roll < 0.05:
        body = rng.choice([b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"PK\x03\x04", b""]) + rng.randbytes(2000)
    elif roll < 0.1:
        body = rng.randbytes(rng.randrange(0, 5000))
    elif roll < 0.6:
        body = mutate_bytes(rng, body)
    declared = rng.choice([*CHARSETS, "utf-8", "utf-8"])
    content_type = rng.choice(["text/html", "text/html", "application/xhtml+xml", "application/octet-stream", "", None])
    headers = {}
    if content_type is not None:
        headers["Content-Type"] = content_type + (f"; charset={declared}" if declared and content_type else "")
    if rng.random() < 0.2:
        headers["Last-Modified"] = date_string(rng, crawl_time(rng))
    return body, headers


def gen_decode(rng: random.Random) -> dict[str, Any]:
    body, headers = body_bytes(rng, page_html(rng, crawl_time(rng)))
    return {"body": body, "headers": headers}


def gen_page(rng: random.Random) -> dict[str, Any]:
    crawled_at = crawl_time(rng)
    body, headers = body_bytes(rng, page_html(rng, crawled_at))
    url_date = date_string(rng, crawled_at).replace(" ", "-") if rng.random() < 0.5 else ""
    url = f"https://news.example/{url_date}/story-{rng.randrange(10**6)}".replace("//story", "/story")
    context = [{"source": rng.choice(["link:rss", "link:listing", "link:sitemap"]), "raw": date_string(rng, crawled_at),
                "via": "https://news.example/"} for _ in range(rng.randrange(0, 3))]  # fmt: skip
    return {"body": body, "url": url, "crawled_at": crawled_at, "headers": headers, "link_context": context}


GENERATORS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "date": gen_date, "url": gen_url, "jsonld": gen_jsonld, "decode": gen_decode, "page": gen_page,
}  # fmt: skip


def make_input(target: str, seed: int, index: int) -> dict[str, Any]:
    return GENERATORS[target](random.Random(f"{target}:{seed}:{index}"))


# --- properties ----------------------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def _validator() -> Any:
    if "validator" not in _STATE:
        import jsonschema

        from euspider.schema import shipped_schema

        _STATE["validator"] = jsonschema.Draft202012Validator(shipped_schema())
    return _STATE["validator"]


def _extractor() -> Any:
    if "extractor" not in _STATE:
        from euspider.extract import ArticleExtractor

        _STATE["extractor"] = ArticleExtractor()
    return _STATE["extractor"]


def first_day(value: str) -> date:
    """The first day of an ISO 8601 datetime, date, month or year."""
    return date.fromisoformat({4: f"{value}-01-01", 7: f"{value}-01"}.get(len(value), value[:10]))


def record_problems(record: dict[str, Any], crawled_at: datetime) -> list[str]:
    """What is wrong with a record extracted from a page captured at ``crawled_at`` (empty: nothing)."""
    problems = [f"schema: {e.message[:200]}" for e in _validator().iter_errors(record)][:3]
    published = record.get("published")
    if not published:
        return problems
    latest_day = (crawled_at + LATEST_OFFSET).date()
    if "T" in published and datetime.fromisoformat(published.replace("Z", "+00:00")) > crawled_at:
        problems.append(f"published {published} is after crawled_at {crawled_at.isoformat()}")
    if first_day(record.get("published_earliest") or published) > latest_day:
        problems.append(f"published {published} is on a day after crawled_at {crawled_at.isoformat()}")
    if record.get("published_latest") and date.fromisoformat(record["published_latest"]) > latest_day:
        problems.append(f"published_latest {record['published_latest']} is after crawled_at")
    return problems


def check(target: str, data: dict[str, Any]) -> list[str]:
    """Run one input through its target; the list of broken properties (an exception is one)."""
    if target == "date":
        from euspider.dates.parse import MAX_YEAR, MIN_YEAR, parse_date

        parsed, reason = parse_date(data["raw"])
        if parsed is None:
            return [] if reason else ["no value and no reason"]
        problems = [] if MIN_YEAR <= parsed.value.year <= MAX_YEAR else [f"year {parsed.value.year}"]
        parsed.iso()
        parsed.instant.astimezone(UTC)
        if parsed.precision == "datetime" and parsed.value.tzinfo is None:
            problems.append("naive datetime")
        return problems
    if target == "url":
        from euspider.urlfilter import REFUSALS, refusal

        result = refusal(data["url"], allowed_domains=data["allowed"], trusted_hosts=data["trusted"])
        return [] if result is None or result in REFUSALS else [f"undocumented refusal {result!r}"]
    if target == "jsonld":
        from euspider.dates.evidence import load_json_ld

        value, reason = load_json_ld(data["text"])
        return [] if (value is None) == bool(reason) or (value is None and reason) else ["data and reason disagree"]
    if target == "decode":
        from euspider.extract import SKIP_REASONS, _bad_share, decode

        text, reason = decode(data["body"], data["headers"])
        if text is None:
            return [] if reason in SKIP_REASONS else [f"unknown reason {reason!r}"]
        return [] if _bad_share(text) <= 0.05 else ["decoded text is mostly replacement characters"]
    outcome = _extractor().extract(
        data["body"], data["url"], crawled_at=data["crawled_at"], headers=data["headers"],
        link_context=data["link_context"],
    )  # fmt: skip
    if outcome.record is None:
        return [] if outcome.skip_reason else ["no record and no reason"]
    return record_problems(outcome.record, data["crawled_at"])


class HangError(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise HangError


def warm_up() -> None:
    """Pool initializer: imports and the extractor are built before any input is timed."""
    from euspider.dates.evidence import load_json_ld
    from euspider.extract import decode
    from euspider.urlfilter import refusal

    _validator()
    for target in GENERATORS:
        check(target, make_input(target, 0, 0))
    del load_json_ld, decode, refusal


def run_one(job: tuple[str, int, int, float]) -> tuple[str, int, float, list[str]]:
    """(target, index, seconds, problems) for one input; a hang past ``timeout`` is a problem too."""
    target, seed, index, timeout = job
    try:
        data = make_input(target, seed, index)
    except Exception as err:  # noqa: BLE001 - the generator's own bug: reported, never fatal to the run
        return target, index, 0.0, [f"generator raised {type(err).__name__}: {err}"[:300]]
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.perf_counter()
    try:
        problems = check(target, data)
    except HangError:
        problems = [f"took longer than {timeout} s"]
    except Exception as err:  # noqa: BLE001 - any exception is a finding, reported with its traceback
        problems = [f"raised {type(err).__name__}: {err}".strip()[:300], traceback.format_exc(limit=8)]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return target, index, time.perf_counter() - started, problems


def save_failure(folder: Path, target: str, seed: int, index: int, problems: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = make_input(target, seed, index)
    path = folder / f"{target}-{seed}-{index}"
    body = data.get("body")
    if isinstance(body, bytes):
        path.with_suffix(".bin").write_bytes(body)
    meta = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items() if k != "body"}
    path.with_suffix(".json").write_text(
        json.dumps({"target": target, "seed": seed, "index": index, "input": meta, "problems": problems}, indent=1,
                   ensure_ascii=False, default=str),
        encoding="utf-8",
    )  # fmt: skip
    return path


def replay(spec: str) -> int:
    target, seed, index = spec.split(":")
    data = make_input(target, int(seed), int(index))
    shown = {k: (v[:300] if isinstance(v, bytes | str) else v) for k, v in data.items()}
    print(f"input: {shown!r}")
    problems = check(target, data)  # no guard: let a failure raise with its full traceback
    print("problems:", problems or "none")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one input may take")
    parser.add_argument("--failures", type=Path, default=ROOT / "output" / "fuzz")
    parser.add_argument("--replay", help="target:seed:index of one input to re-run")
    args = parser.parse_args()
    if args.replay:
        return replay(args.replay)
    counts = {target: round(args.inputs * share) for target, share in SHARES.items()}
    jobs = [(t, args.seed, i, args.timeout) for t, n in counts.items() for i in range(n)]
    random.Random(args.seed).shuffle(jobs)  # mix cheap and costly inputs across workers
    seconds: Counter[str] = Counter()
    slowest: dict[str, tuple[float, int]] = {}
    failures: list[dict[str, Any]] = []
    started = time.perf_counter()
    print(f"fuzzing {len(jobs)} inputs ({', '.join(f'{t} {n}' for t, n in counts.items())}) on {args.workers} workers")
    context = multiprocessing.get_context("forkserver")
    with context.Pool(args.workers, initializer=warm_up, maxtasksperchild=2000) as pool:
        for done, (target, index, took, problems) in enumerate(pool.imap_unordered(run_one, jobs, chunksize=20), 1):
            seconds[target] += took
            if took > slowest.get(target, (0.0, 0))[0]:
                slowest[target] = (took, index)
            if problems:
                path = save_failure(args.failures, target, args.seed, index, problems)
                failures.append({"target": target, "index": index, "problems": problems[:1]})
                print(f"FAIL {target} #{index}: {problems[0]}\n  replay: python bench/fuzz.py --replay "
                      f"{target}:{args.seed}:{index}  (input in {path}.*)", flush=True)  # fmt: skip
            if done % 10_000 == 0:
                print(f"  {done} inputs, {len(failures)} failures, {time.perf_counter() - started:.0f} s", flush=True)
    elapsed = time.perf_counter() - started
    print(f"\n{'target':8} {'inputs':>8} {'failures':>9} {'ms/input':>9} {'slowest ms':>11}")
    for target, count in counts.items():
        fails = sum(1 for f in failures if f["target"] == target)
        print(f"{target:8} {count:8d} {fails:9d} {1000 * seconds[target] / max(count, 1):9.2f} "
              f"{1000 * slowest.get(target, (0.0, 0))[0]:11.0f}")  # fmt: skip
    print(f"{len(jobs)} inputs, {len(failures)} failures in {elapsed:.0f} s ({len(jobs) / elapsed:.0f} inputs/s)")
    summary = {
        "inputs": len(jobs), "failures": len(failures), "seconds": round(elapsed, 1), "seed": args.seed,
        "workers": args.workers, "per_target": counts,
        "ms_per_input": {t: round(1000 * seconds[t] / max(counts[t], 1), 3) for t in counts},
        "slowest_ms": {t: round(1000 * s, 1) for t, (s, _) in slowest.items()},
        "slowest_input": {t: f"{t}:{args.seed}:{i}" for t, (_, i) in slowest.items()},
    }  # fmt: skip
    print(json.dumps(summary))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
