"""Web archives as other software writes them, built in the tests: with warcio's own writer (what
Common Crawl, CC-NEWS and pywb-family tools produce) and byte by byte (ARC files of the Internet
Archive's format, records whose Content-Length lies). Nothing here uses euspider's writer.

Each builder returns the file and, in file order, what each record is: ``(url, expected)`` where
``expected`` is the story's sentence for a page to extract, or the skip reason euspider must count."""

from __future__ import annotations

import gzip
import hashlib
import io
from base64 import b32encode
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

STORY = "https://news.example/politics/{}/ministers-agree-on-the-budget-after-long-night-talks"


def sentence(key: str) -> str:
    return f"The {key} story says that the finance ministers agreed on the budget after talks that ran all night."


def story(key: str, charset: str = "utf-8", extra: str = "") -> bytes:
    """A story page whose text names ``key`` (the test looks for ``sentence(key)`` in the record)."""
    paragraphs = "".join(
        f"<p>{sentence(key) if n == 0 else f'Paragraph {n} of the {key} story: delegates from every member state spoke at length.'}</p>"
        for n in range(6)
    )
    head = f'<meta charset="{charset}">' if charset != "utf-8" else '<meta charset="utf-8">'
    page = (
        f"<!DOCTYPE html><html lang='en'><head>{head}<title>The {key} story</title></head>"
        f"<body><article><h1>The {key} story</h1>{paragraphs}{extra}</article></body></html>"
    )
    return page.encode(charset)


def chunked(data: bytes, size: int = 300) -> bytes:
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def _sha1(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def _write(
    writer: WARCWriter, url: str, date: str, status: str, headers: list[tuple[str, str]], payload: bytes
) -> None:
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    request = writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            "GET /" + url.split("/", 3)[3] + " HTTP/1.1", [("Host", "news.example")], is_http_request=True
        ),
        warc_headers_dict={"WARC-Date": date},
    )
    response = writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), http_headers=http, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(request)
    writer.write_record(response)
    metadata = writer.create_warc_record(
        url,
        "metadata",
        payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]},
    )
    writer.write_record(metadata)


def common_crawl(path: Path) -> list[tuple[str, str]]:
    """A CC-NEWS-like WARC/1.0 file (gzip per record) by warcio: warcinfo, request/response/metadata
    triples, payloads as servers sent them (chunked, gzip-encoded, both), a revisit, a 404, a
    redirect, an image, and a page declaring a legacy charset."""
    expected: list[tuple[str, str]] = []
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True, warc_version="WARC/1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "warcio", "isPartOf": "CC-NEWS"}))
        html = [("Content-Type", "text/html; charset=UTF-8"), ("Server", "nginx")]
        plain = story("plain")
        _write(
            writer,
            STORY.format(1),
            "2023-02-04T10:00:01Z",
            "200 OK",
            [*html, ("Content-Length", str(len(plain)))],
            plain,
        )
        expected.append((STORY.format(1), sentence("plain")))
        body = chunked(story("chunked"))
        _write(
            writer, STORY.format(2), "2023-02-04T10:00:02Z", "200 OK", [*html, ("Transfer-Encoding", "chunked")], body
        )
        expected.append((STORY.format(2), sentence("chunked")))
        body = gzip.compress(story("gzipped"), mtime=0)
        gz = [*html, ("Content-Encoding", "gzip"), ("Content-Length", str(len(body))), ("Vary", "Accept-Encoding")]
        _write(writer, STORY.format(3), "2023-02-04T10:00:03Z", "200 OK", gz, body)
        expected.append((STORY.format(3), sentence("gzipped")))
        body = chunked(gzip.compress(story("chunked and gzipped"), mtime=0), size=97)
        both = [*html, ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
        _write(writer, STORY.format(4), "2023-02-04T10:00:04Z", "200 OK", both, body)
        expected.append((STORY.format(4), sentence("chunked and gzipped")))
        revisit = writer.create_revisit_record(
            STORY.format(1),
            digest=_sha1(plain),
            refers_to_uri=STORY.format(1),
            refers_to_date="2023-02-04T10:00:01Z",
            http_headers=StatusAndHeaders("200 OK", html, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2023-02-05T10:00:00Z"},
        )
        writer.write_record(revisit)
        expected.append((STORY.format(1), "revisit"))
        missing = b"<html><body><h1>Not found</h1></body></html>"
        _write(writer, STORY.format(5), "2023-02-04T10:00:05Z", "404 Not Found", html, missing)
        expected.append((STORY.format(5), "not_200"))
        moved = [("Location", STORY.format(1)), ("Content-Length", "0")]
        _write(writer, "https://news.example/old/1", "2023-02-04T10:00:06Z", "301 Moved Permanently", moved, b"")
        expected.append(("https://news.example/old/1", "not_200"))
        jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
        _write(
            writer,
            "https://news.example/photo.jpg",
            "2023-02-04T10:00:07Z",
            "200 OK",
            [("Content-Type", "image/jpeg")],
            jpeg,
        )
        expected.append(("https://news.example/photo.jpg", "not_html"))
        legacy = story("Brüssel", charset="iso-8859-1")
        _write(writer, STORY.format(6), "2023-02-04T10:00:08Z", "200 OK", [("Content-Type", "text/html")], legacy)
        expected.append((STORY.format(6), sentence("Brüssel")))
    return expected


def plain_warc(path: Path) -> list[tuple[str, str]]:
    """An uncompressed WARC/1.1 file by warcio."""
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=False, warc_version="WARC/1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "warcio"}))
        for n, key in ((7, "uncompressed"), (8, "second uncompressed")):
            _write(
                writer,
                STORY.format(n),
                f"2023-02-04T10:00:1{n}Z",
                "200 OK",
                [("Content-Type", "text/html")],
                story(key),
            )
    return [(STORY.format(7), sentence("uncompressed")), (STORY.format(8), sentence("second uncompressed"))]


def _arc_record(url: str, date: str, content_type: str, block: bytes) -> bytes:
    return f"{url} 127.0.0.2 {date} {content_type} {len(block)}\n".encode() + block + b"\n"


def arc_gz(path: Path) -> list[tuple[str, str]]:
    """An ARC v1 file, gzip per record, by hand: the file description, a DNS record, two stories."""
    version = b"1 0 Example Archive\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [_arc_record(f"filedesc://{path.name}", "20080929120000", "text/plain", version)]
    records.append(
        _arc_record(
            "dns:news.example", "20080929120001", "text/dns", b"20080929120001\nnews.example. 3600 IN A 127.0.0.2\n"
        )
    )
    expected = [("dns:news.example", "not_200")]
    for n, key in ((9, "archived in 2008"), (10, "second of 2008")):
        body = story(key)
        http = (
            b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nDate: Mon, 29 Sep 2008 12:00:00 GMT\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        records.append(_arc_record(STORY.format(n), f"2008092912001{n - 9}", "text/html", http))
        expected.append((STORY.format(n), sentence(key)))
    path.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records))
    return expected


def warc_record(url: str, date: str, body: bytes, lie: int = 0) -> bytes:
    """A response record by hand; ``lie`` bytes added to its true Content-Length."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{hashlib.md5(url.encode()).hexdigest()[:8]}-0000-4000-8000-000000000000>\r\n"
        f"WARC-Date: {date}\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http) + lie}\r\n\r\n"
    )
    return head.encode() + http + b"\r\n\r\n"


def lying(path: Path, *, compressed: bool) -> list[tuple[str, str]]:
    """Five responses by hand, the second claiming 700 bytes more than it holds (it runs into the third)
    and the fourth 900 bytes fewer (its end is left over before the fifth)."""
    lies = {2: 700, 4: -900}
    records, expected = [], []
    for n in range(1, 6):
        url = STORY.format(20 + n + (10 if compressed else 0))
        key = f"{'compressed' if compressed else 'plain'} file's {n}"
        records.append(warc_record(url, f"2023-02-04T11:00:0{n}Z", story(key), lies.get(n, 0)))
        expected.append((url, "bad_length" if n in lies else sentence(key)))
    path.write_bytes(b"".join(gzip.compress(r, mtime=0) for r in records) if compressed else b"".join(records))
    return expected


def build_all(folder: Path) -> dict[Path, list[tuple[str, str]]]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        folder / "cc-news.warc.gz": common_crawl(folder / "cc-news.warc.gz"),
        folder / "plain.warc": plain_warc(folder / "plain.warc"),
        folder / "old.arc.gz": arc_gz(folder / "old.arc.gz"),
        folder / "lying.warc.gz": lying(folder / "lying.warc.gz", compressed=True),
        folder / "lying.warc": lying(folder / "lying.warc", compressed=False),
    }
