"""Web archives in and out: the warc spider on the fixture WARC, a crawl archived and read back, damaged
files, and the reader and writer on their own."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from euspider.warc import RotatingWarcWriter, WarcError, iter_records, read_record

from . import archives
from .conftest import MIRROR_DIR, ROOT
from .servers import NewsServer, news_site, start_urls

FIXTURE = ROOT / "fixtures" / "euobserver-2023.warc.gz"
SEED = "https://euobserver.com/world/26823"


def crawl(spider: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", spider, *args], cwd=ROOT, capture_output=True, text=True, timeout=240
    )


def records(path: Path) -> dict[str, dict]:
    return {r["url"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def stat(log: str, key: str) -> int:
    marker = f"'{key}': "
    return int(log.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0]) if marker in log else 0


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("live") / "live.jsonl"
    result = crawl("euobserver", "-a", f"mirror={MIRROR_DIR}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    return records(out)


def test_fixture_warc_is_what_the_script_makes():
    result = subprocess.run(
        [sys.executable, "fixtures/make_warc.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_warc_spider_gives_the_live_crawl_records(tmp_path, live):
    out = tmp_path / "warc.jsonl"
    result = crawl("warc", "-a", f"paths={FIXTURE}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    got = records(out)
    dates = {r.url: r.date for r in iter_records(FIXTURE) if r.type == "response"}
    assert len(got) == 12
    for url, record in got.items():
        assert record["text"] == live[url]["text"]
        assert record["published"] == live[url]["published"]
        assert record["crawled_at"] == dates[url]
        assert record["warc"]["file"] == str(FIXTURE)
    seed = got[SEED]
    assert seed["crawled_at"].startswith("2023-02-04")
    assert seed["published_earliest"].startswith("2008-09")
    assert seed["date_mismatch"]["kinds"] == ["stamp_not_publication", "archival"]
    assert stat(result.stderr, "euspider/warc/skipped/revisit") == 1
    assert stat(result.stderr, "euspider/warc/skipped/not_200") == 1
    assert stat(result.stderr, "euspider/warc/skipped/not_html") == 2  # robots.txt and the feed


def test_crawl_archived_then_read_back_gives_the_same_records(tmp_path):
    first = tmp_path / "first.jsonl"
    result = crawl(
        "euobserver",
        "-a",
        f"mirror={MIRROR_DIR}",
        "-O",
        f"{first}:jsonl",
        "-s",
        f"EUSPIDER_WARC_DIR={tmp_path / 'warc'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    archives = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert archives
    second = tmp_path / "second.jsonl"
    result = crawl("warc", "-a", f"paths={tmp_path / 'warc'}/*.warc.gz", "-O", f"{second}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    before, after = records(first), records(second)
    assert set(before) == set(after)
    for url in before:
        assert before[url]["warc"]["file"].endswith(".warc.gz")
        assert after[url] == before[url], url


def test_damaged_files_are_reported_and_the_others_complete(tmp_path):
    good = tmp_path / "good.warc.gz"
    shutil.copy(FIXTURE, good)
    data = FIXTURE.read_bytes()
    truncated = tmp_path / "truncated.warc.gz"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.warc.gz"
    garbage.write_bytes(gzip.compress(b"this is not a WARC file\r\n" * 50))
    out = tmp_path / "out.jsonl"
    result = crawl("warc", "-a", f"paths={garbage},{truncated},{good}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{garbage}: unreadable after offset" in result.stderr
    assert f"{truncated}: unreadable after offset" in result.stderr
    assert stat(result.stderr, "euspider/warc/files_failed") == 2
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    from_good = [r for r in got if r["warc"]["file"] == str(good)]
    assert len(from_good) == 12
    assert all(r["warc"]["file"] in {str(good), str(truncated)} for r in got)


def test_reader_lists_records_and_reads_one(tmp_path):
    infos = list(iter_records(FIXTURE))
    seed = next(i for i in infos if i.url == SEED and i.type == "response")
    stored = read_record(FIXTURE, seed.offset)
    assert stored.status == 200
    assert b"Russia renews push" in stored.body
    assert ("Content-Type", "text/html; charset=utf-8") in stored.headers
    with pytest.raises(WarcError, match="no readable record at offset 3"):
        read_record(FIXTURE, 3)


def test_writer_rotates_and_records_offsets(tmp_path):
    writer = RotatingWarcWriter(tmp_path, prefix="test", max_bytes=2000)
    rng = random.Random(7)  # text that does not compress away, so the files really grow
    body = b"<html><body><p>" + "".join(rng.choice("abcdefghij ") for _ in range(5000)).encode() + b"</p></body></html>"
    where = [
        writer.write(
            f"https://news.example/{i}",
            datetime(2023, 2, 4, tzinfo=UTC),
            status=200,
            response_headers=[("Content-Type", "text/html")],
            body=body,
        )
        for i in range(3)
    ]
    writer.close()
    assert len({path for path, _ in where}) == 3  # each page past the size limit starts a new file
    for index, (path, offset) in enumerate(where):
        stored = read_record(path, offset)
        assert stored.body == body
        assert stored.info.url == f"https://news.example/{index}"
        assert stored.info.date == "2023-02-04T00:00:00Z"
        types = [r.type for r in iter_records(path)]
        assert types == ["warcinfo", "response", "request"]
        assert gzip.open(path).read(8) == b"WARC/1.1"


def test_two_fetches_of_one_url_in_one_second_are_two_records(tmp_path):
    writer = RotatingWarcWriter(tmp_path, prefix="test")
    when = datetime(2023, 2, 4, 10, 0, 0, tzinfo=UTC)
    page = {"status": 200, "response_headers": [("Content-Type", "text/html")], "body": b"<p>same</p>"}
    where = [writer.write("https://news.example/1", when, **page) for _ in range(2)]
    writer.close()
    [(path, _)] = set((p, 0) for p, _ in where)
    with open(path, "rb") as handle:
        ids = [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(handle)]
    assert len(ids) == 5 and len(set(ids)) == 5  # warcinfo, then a response and a request per fetch
    assert [read_record(p, o).body for p, o in where] == [b"<p>same</p>"] * 2


FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "EUSPIDER_WORKERS=2")  # fmt: skip


def test_live_crawl_with_retries_and_redirects_reads_back_exactly(tmp_path):
    """300 pages from a server that answers some with 503 first and moved others (301): the archive
    holds what the spider received, and reading it back gives every record again."""
    pages = news_site(300, failing=40, moved=25)
    urls = tmp_path / "urls.txt"
    first, second, archive = tmp_path / "first.jsonl", tmp_path / "second.jsonl", tmp_path / "warc"
    with NewsServer(pages) as server:
        urls.write_text("\n".join(start_urls(server)), encoding="utf-8")
        result = crawl(
            "news", "-a", f"urls={urls}", "-O", f"{first}:jsonl", "-s", f"EUSPIDER_WARC_DIR={archive}", *FAST
        )
        statuses = [entry.status for entry in server.log]
    assert result.returncode == 0, result.stderr[-3000:]
    assert statuses.count(503) == sum(p.fail_first for p in pages.values()) == 60
    assert statuses.count(301) == 25
    live = records(first)
    assert set(live) == {server.url(p.path) for p in pages.values()}

    files = sorted(archive.glob("*.warc.gz"))
    responses = {}
    ids = []
    for path in files:
        with open(path, "rb") as handle:
            iterator = ArchiveIterator(handle)  # warcio's own reading, not euspider's
            for record in iterator:
                ids.append(record.rec_headers.get_header("WARC-Record-ID"))
                if record.rec_type == "response":
                    key = (str(path), iterator.get_record_offset())
                    responses[key] = (
                        record.rec_headers.get_header("WARC-Target-URI"),
                        record.rec_headers.get_header("WARC-Date"),
                        int(record.http_headers.get_statuscode()),
                    )
    assert len(ids) == len(set(ids)), "every WARC-Record-ID is unique"
    assert {status for _, _, status in responses.values()} == {200, 404}  # stories and robots.txt, nothing else
    for url, record in live.items():
        target, warc_date, status = responses[(record["warc"]["file"], record["warc"]["offset"])]
        assert (target, status) == (url, 200)
        assert record["crawled_at"] == warc_date, url

    result = crawl("warc", "-a", f"paths={archive}/*.warc.gz", "-O", f"{second}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    again = records(second)
    assert set(again) == set(live)
    for url, record in live.items():
        assert {k: v for k, v in again[url].items() if k != "warc"} == {k: v for k, v in record.items() if k != "warc"}
        assert again[url]["warc"] == record["warc"]


# --- archives other software wrote ---------------------------------------------------------------

OTHER_WRITERS = {
    "cc-news.warc.gz": archives.common_crawl,
    "plain.warc": archives.plain_warc,
    "old.arc.gz": archives.arc_gz,
    "lying.warc.gz": lambda path: archives.lying(path, compressed=True),
    "lying.warc": lambda path: archives.lying(path, compressed=False),
}


def pages_and_skips(path: Path) -> list[tuple[str, str]]:
    """What euspider makes of each record: a page (its decoded body) or the reason it skips it."""
    seen = []
    for info in iter_records(path):
        reason = info.skip_reason() or (None if info.is_html else "not_html")
        if reason == "not_response":
            continue
        seen.append((info.url, reason or _text(read_record(path, info.offset).body)))
    return seen


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("iso-8859-1")  # the page that declares it


@pytest.mark.parametrize("name", list(OTHER_WRITERS))
def test_archives_of_other_writers_give_their_records_or_named_skips(tmp_path, name):
    path = tmp_path / name
    expected = OTHER_WRITERS[name](path)
    seen = pages_and_skips(path)
    assert [url for url, _ in seen] == [url for url, _ in expected]
    for (url, got), (_, want) in zip(seen, expected, strict=True):
        if want.startswith("The "):  # a page: its body as the server meant it (no chunks, no gzip)
            assert got.startswith("<!DOCTYPE html>") and want.split(" story ")[0].removeprefix("The ") in got, url
        else:
            assert got == want, url


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_bytes_that_are_no_record_are_passed_over(tmp_path, compressed):
    first, second = archives.STORY.format(41), archives.STORY.format(42)
    parts = [
        archives.warc_record(first, "2023-02-04T11:00:01Z", archives.story("first")),
        b"<html>a page pasted between two records</html>\r\n\r\n",
        archives.warc_record(second, "2023-02-04T11:00:02Z", archives.story("second")),
    ]
    path = tmp_path / ("junk.warc.gz" if compressed else "junk.warc")
    path.write_bytes(b"".join(gzip.compress(p) for p in parts) if compressed else b"".join(parts))
    seen = [(i.url, i.skip_reason()) for i in iter_records(path)]
    assert seen == [(first, None), ("", "malformed"), (second, None)]


def test_warc_spider_reads_archives_of_other_writers(tmp_path):
    built = archives.build_all(tmp_path / "archives")
    out = tmp_path / "out.jsonl"
    paths = ",".join(str(p) for p in built)
    result = crawl("warc", "-a", f"paths={paths}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    got = records(out)
    dates = {(str(i.file), i.offset): i.date for p in built for i in iter_records(p)}
    pages = [(path, url, want) for path, expected in built.items() for url, want in expected if want.startswith("The ")]
    assert len(got) == len(pages) == 15
    for path, url, sentence in pages:
        record = got[url]
        assert sentence in record["text"], url
        assert record["warc"]["file"] == str(path)
        assert record["crawled_at"] == dates[(str(path), record["warc"]["offset"])]
    assert got[archives.STORY.format(9)]["crawled_at"] == "2008-09-29T12:00:10Z"  # the ARC record's date
    skips = [want for expected in built.values() for _, want in expected if not want.startswith("The ")]
    for reason in ("revisit", "not_200", "not_html", "bad_length"):
        assert stat(result.stderr, f"euspider/warc/skipped/{reason}") == skips.count(reason) > 0, reason
    assert stat(result.stderr, "euspider/warc/files_failed") == 0
    for path, expected in built.items():
        for url, want in expected:
            if want == "bad_length":
                assert f"skipped bad_length record in {path} at offset" in result.stderr
                assert f"({url}): " in result.stderr


@pytest.mark.parametrize("canonical_first", [True, False], ids=["canonical-first", "alias-first"])
def test_an_archived_alias_is_listed_by_its_canonical_record_whichever_comes_first(tmp_path, canonical_first):
    """Another writer's archive may hold a story's canonical page before the page that names it as
    canonical (an AMP or print copy): one record, at the canonical URL, listing the alias either way."""
    from warcio.warcwriter import WARCWriter

    canonical = archives.STORY.format(51)
    alias = "https://news.example/amp/politics/51/ministers-agree-on-the-budget"
    alias_page = archives.story("amp").replace(
        b"<title>", f'<link rel="canonical" href="{canonical}"><title>'.encode(), 1
    )
    # other stories between the two, so the first page's record is written before the second is read
    others = [(archives.STORY.format(100 + n), archives.story(f"other {n}")) for n in range(60)]
    first, second = (canonical, archives.story("canonical")), (alias, alias_page)
    pages = [first, *others, second] if canonical_first else [second, *others, first]
    path = tmp_path / "aliases.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        html = [("Content-Type", "text/html; charset=utf-8")]
        for n, (url, body) in enumerate(pages):
            archives._write(writer, url, f"2023-02-04T10:{n // 60:02d}:{n % 60:02d}Z", "200 OK", html, body)
    out = tmp_path / "out.jsonl"
    result = crawl("warc", "-a", f"paths={path}", "-O", f"{out}:jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    got = records(out)
    assert alias not in got and len(got) == 61
    assert got[canonical]["duplicate_urls"] == [alias]
    assert archives.sentence("canonical") in got[canonical]["text"]
