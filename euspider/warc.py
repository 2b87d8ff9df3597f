"""Web archives in and out: read WARC/ARC records, write WARC 1.1 files (pure, warcio; no Scrapy).

Reading streams a file record by record and never holds more than one record's body: the crawl first
lists a file's records with their offsets (:func:`iter_records`, headers only), then reads each
story's record on its own (:func:`read_record`). ``.warc``, ``.warc.gz`` and ``.arc.gz`` are read;
a damaged file raises :class:`WarcError` naming the file and the offset where reading stopped.

Writing (:class:`RotatingWarcWriter`) puts a request and a response record per fetched page into
gzip-compressed WARC 1.1 files that rotate at a size limit, and returns where the response record
starts, so a record of the dataset can name its source. Every record has its own WARC-Record-ID;
:meth:`RotatingWarcWriter.sync` makes what was written durable before anything cites it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import uuid
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Headers that describe the transfer, not the content: the stored body is already decoded.
TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class WarcError(ValueError):
    """A WARC file that cannot be read any further; the message names the file and the offset."""


#: Why a stretch of an archive gives no page, besides what the record is (``revisit``, ``not_200``):
#: ``bad_length`` a record whose Content-Length does not end where the record does (the next record
#: starts inside it, or it is not followed by the blank lines that end a record); ``malformed`` bytes
#: that are no record at all, passed over to the next record.
PROBLEMS = ("bad_length", "malformed")


@dataclass(frozen=True)
class RecordInfo:
    """What a record is, from its headers alone."""

    file: str
    offset: int
    type: str
    url: str
    date: str | None
    status: int | None
    content_type: str | None
    truncated: bool
    #: one of :data:`PROBLEMS` when the record cannot be trusted, with ``detail`` saying why
    problem: str | None = None
    detail: str = ""

    def skip_reason(self) -> str | None:
        """Why this record is not a page to extract, or None."""
        if self.problem is not None:
            return self.problem
        if self.type == "revisit":
            return "revisit"
        if self.type != "response":
            return "not_response"
        if self.truncated:
            return "truncated"
        if self.status != 200:
            return "not_200"
        return None

    @property
    def is_html(self) -> bool:
        return (self.content_type or "").split(";")[0].strip().lower() in HTML_TYPES


class _Iterator(ArchiveIterator):
    """warcio's iterator without its own warning on stderr about a record not followed by blank
    lines: the reader counts that (``err_count``) and reports the record as ``bad_length``."""

    INC_RECORD = ""


def _open(path: str | Path) -> BinaryIO:
    return open(path, "rb")


def _info(path: str, offset: int, record: object, problem: str | None = None, detail: str = "") -> RecordInfo:
    headers = record.rec_headers  # type: ignore[attr-defined]
    http = record.http_headers  # type: ignore[attr-defined]
    status = None
    content_type = None
    if http is not None:
        try:
            status = int(http.get_statuscode() or 0) or None
        except ValueError:
            status = None
        content_type = http.get_header("Content-Type")
    return RecordInfo(
        file=path,
        offset=offset,
        type=record.rec_type,  # type: ignore[attr-defined]
        url=headers.get_header("WARC-Target-URI") or "",
        date=headers.get_header("WARC-Date"),
        status=status,
        content_type=content_type,
        truncated=bool(headers.get_header("WARC-Truncated")),
        problem=problem,
        detail=detail,
    )


_READ_ERRORS = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error)
_SCAN = 1 << 20
_ARC_URL = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$", re.IGNORECASE)


def _check(record: Any, arc: bool) -> None:
    """Refuse what warcio takes for a record but is none. In a WARC file every record is a WARC
    record. In an ARC file a record header is only a line of five fields, so any line with four
    spaces passes for one: its URL must have a scheme and its date 14 digits (warcio pads a bad date
    out to the year 2999)."""
    if not arc:
        if record.format != "warc":
            raise ArchiveLoadFailed("not a WARC record")
        return
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    date = record.rec_headers.get_header("WARC-Date") or ""
    if record.rec_type == "response" and (not _ARC_URL.match(url) or date.startswith("2999")):
        raise ArchiveLoadFailed(f"not an ARC record (header line: {url!r} {date!r})")


def _is_arc(handle: BinaryIO, compressed: bool) -> bool:
    """Whether the file is an ARC file (or no archive at all): anything that does not start as WARC."""
    handle.seek(0)
    try:
        head = gzip.GzipFile(fileobj=handle).read(8) if compressed else handle.read(8)
    except (OSError, EOFError, zlib.error):
        return True
    return not head.startswith(b"WARC/")


def _record_at(handle: BinaryIO, offset: int, arc: bool) -> bool:
    """Whether a record starts at ``offset``."""
    handle.seek(offset)
    try:
        record = next(iter(_Iterator(handle, arc2warc=arc)))
        _check(record, arc)
    except (StopIteration, *_READ_ERRORS):
        return False
    return bool(record.rec_type)


def _next_record(handle: BinaryIO, start: int, compressed: bool, arc: bool) -> int | None:
    """Where the first record after ``start`` begins (the next gzip member that holds one, or the next
    ``WARC/1.x`` line of an uncompressed WARC), or None. An uncompressed ARC file has no such marker."""
    marker = b"\x1f\x8b\x08" if compressed else b"\nWARC/1."
    skip = 0 if compressed else 1  # a WARC line starts after the newline
    position = start
    while True:
        handle.seek(position)
        chunk = handle.read(_SCAN + len(marker))
        if len(chunk) < len(marker):
            return None
        found = chunk.find(marker, 1)
        while found != -1 and found < _SCAN + 1:
            if _record_at(handle, position + found + skip, arc):
                return position + found + skip
            found = chunk.find(marker, found + 1)
        position += _SCAN


def iter_records(path: str | Path) -> Iterator[RecordInfo]:
    """Every record of a WARC (or ARC) file, in file order, described by its headers.

    Each record's block is read through (in pieces, never whole) and checked against its declared
    length. A record whose length is wrong (running into the next record, or not ending where the
    next one starts) is reported with ``problem="bad_length"`` and reading goes on at the next record;
    bytes that are no record are reported as ``malformed`` and passed over. A file cut short, or
    damaged with no record after the damage, ends in a :class:`WarcError` naming the offset where
    reading stopped, never in a silently shorter list.
    """
    name = str(path)
    with _open(path) as handle:
        compressed = handle.read(2) == b"\x1f\x8b"
        arc = _is_arc(handle, compressed)
        position: int | None = 0
        while position is not None:
            position = yield from _records_from(handle, name, position, compressed, arc)


def _records_from(
    handle: BinaryIO, name: str, start: int, compressed: bool, arc: bool
) -> Generator[RecordInfo, None, int | None]:
    """Records from ``start`` on; returns where to go on after a damaged stretch, None at the end."""
    handle.seek(start)
    iterator = _Iterator(handle, arc2warc=arc)  # ARC records read as WARC ones; in a WARC file, none
    offset = start  # where the record being read starts
    try:
        for record in iterator:
            _check(record, arc)
            errors = iterator.err_count
            expected = record.raw_stream.limit  # what is left of the block after parsed HTTP headers
            consumed = 0
            while chunk := record.raw_stream.read(1 << 16):
                consumed += len(chunk)
            if consumed < expected:
                following = _next_record(handle, offset + 1, compressed, arc)
                if following is None:
                    raise WarcError(
                        f"{name}: unreadable after offset {offset}: a record is cut short "
                        f"({consumed} of {expected} bytes): the file is truncated"
                    )
                detail = f"its Content-Length runs past its end, into the next record (offset {following})"
                yield _info(name, offset, record, "bad_length", detail)
                return following
            iterator.get_record_offset()  # reads to the end of the record and the blank lines after it
            if iterator.err_count != errors:  # not followed by the blank lines that end a record
                following = _next_record(handle, offset + 1, compressed, arc)
                detail = "it does not end where its Content-Length says" + (
                    f"; the next record starts at offset {following}" if following is not None else ""
                )
                yield _info(name, offset, record, "bad_length", detail)
                return following
            yield _info(name, offset, record)
            offset = iterator.offset  # the next record starts here
    except _READ_ERRORS as err:
        if isinstance(err, WarcError):
            raise
        following = _next_record(handle, offset, compressed, arc)
        if following is None:
            raise WarcError(f"{name}: unreadable after offset {offset}: {err}") from err
        detail = f"no readable record between offsets {offset} and {following}: {err}"
        yield RecordInfo(name, offset, "", "", None, None, None, False, "malformed", detail)
        return following
    return None


@dataclass
class StoredResponse:
    info: RecordInfo
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def read_record(path: str | Path, offset: int) -> StoredResponse:
    """The record at ``offset``: its HTTP status, headers (transfer headers removed) and decoded body."""
    name = str(path)
    with _open(path) as handle:
        handle.seek(offset)
        try:
            record = next(iter(ArchiveIterator(handle, arc2warc=True)))
            info = _info(name, offset, record)
            body = record.content_stream().read()
        except (StopIteration, ArchiveLoadFailed, OSError, EOFError, ValueError) as err:
            raise WarcError(f"{name}: no readable record at offset {offset}: {err}") from err
    http = record.http_headers
    headers = [(k, v) for k, v in (http.headers if http is not None else []) if k.lower() not in TRANSFER_HEADERS]
    return StoredResponse(info, info.status or 0, headers, body)


def warc_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_record_id(*parts: str) -> str:
    """A WARC-Record-ID unique to this record (a random UUID): two fetches of one URL in the same
    second, with the same body, are still two records."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def stable_record_id(*parts: str) -> str:
    """A WARC-Record-ID made from the record's identity (type, URL, date, digest), for files that must
    come out byte for byte the same (fixtures); unique only while those identities are."""
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '|'.join(parts))}>"


class WarcFile:
    """One gzip-compressed WARC 1.1 file opened for appending, starting with a ``warcinfo`` record.

    ``record_id`` makes each record's WARC-Record-ID from its identity (:func:`random_record_id`
    unless the file must be reproducible)."""

    def __init__(
        self,
        path: str | Path,
        date: datetime | None = None,
        record_id: Callable[..., str] = random_record_id,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.record_id = record_id
        self._handle = open(self.path, "ab")
        self._writer = WARCWriter(self._handle, gzip=True, warc_version="WARC/1.1")
        when = warc_date(date or datetime.now(UTC))
        body = b"software: euspider\r\nformat: WARC File Format 1.1\r\n"
        info = self._writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Date": when,
                "WARC-Filename": self.path.name,
                "WARC-Record-ID": self.record_id("warcinfo", self.path.name, when),
            },
        )
        self._writer.write_record(info)

    def tell(self) -> int:
        return self._handle.tell()

    def write(
        self,
        url: str,
        date: datetime,
        *,
        method: str = "GET",
        request_headers: Iterable[tuple[str, str]] = (),
        status: int,
        reason: str = "",
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        record_type: str = "response",
    ) -> int:
        """Write a response (or revisit) record and its request; return the response record's offset."""
        when = warc_date(date)
        digest = "sha1:" + hashlib.sha1(body).hexdigest()  # noqa: S324 - the WARC payload digest is SHA-1 by convention
        headers = [(k, v) for k, v in response_headers if k.lower() not in TRANSFER_HEADERS]
        headers.append(("Content-Length", str(len(body))))
        http = StatusAndHeaders(f"{status} {reason or 'OK'}".strip(), headers, protocol="HTTP/1.1")
        response_id = self.record_id(record_type, url, when, digest)
        extra = {"WARC-Date": when, "WARC-Record-ID": response_id}
        if record_type == "revisit":
            extra["WARC-Profile"] = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
            body = b""
        response = self._writer.create_warc_record(
            url, record_type, payload=io.BytesIO(body), length=len(body), http_headers=http, warc_headers_dict=extra
        )
        path = url.split("//", 1)[-1].split("/", 1)
        target = "/" + (path[1] if len(path) > 1 else "")
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(f"{method} {target} HTTP/1.1", list(request_headers), is_http_request=True),
            warc_headers_dict={
                "WARC-Date": when,
                "WARC-Record-ID": self.record_id("request", url, when, digest),
                "WARC-Concurrent-To": response_id,
            },
        )
        offset = self._handle.tell()
        self._writer.write_record(response)
        self._writer.write_record(request)
        self._handle.flush()
        return offset

    def sync(self) -> None:
        """Make every record written so far durable."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self.sync()
            self._handle.close()


class RotatingWarcWriter:
    """WARC files ``<prefix>-<start>-<serial>.warc.gz`` in a folder, a new one past ``max_bytes``."""

    def __init__(self, folder: str | Path, prefix: str = "euspider", max_bytes: int = 1_000_000_000) -> None:
        self.folder = Path(folder)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.started = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self.serial = 0
        self.current: WarcFile | None = None
        self.folder.mkdir(parents=True, exist_ok=True)

    def write(self, url: str, date: datetime, **fields: object) -> tuple[str, int]:
        """Write a page (see :meth:`WarcFile.write`); return (file path, offset of its response record)."""
        if self.current is None or self.current.tell() >= self.max_bytes:
            self.close()
            self.serial += 1
            self.current = WarcFile(self.folder / f"{self.prefix}-{self.started}-{self.serial:05d}.warc.gz")
        offset = self.current.write(url, date, **fields)  # type: ignore[arg-type]
        return str(self.current.path), offset

    def sync(self) -> None:
        """Make every record written so far durable (a rotated file was made durable when it closed)."""
        if self.current is not None:
            self.current.sync()

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
        self.current = None
