"""What a fetched response says about its capture, for :meth:`euspider.items.Page.from_response`.

Pure and duck-typed: no Scrapy here. A response is anything with ``url``, ``body`` (bytes),
``headers`` and optionally ``status`` and ``meta``; Scrapy's :class:`~scrapy.http.Response` is one
(its headers map bytes names to lists of bytes values), and so is a plain object holding a mapping
of strings.

The capture time is, in this order: the ``euspider_crawled_at`` meta key (a WARC record's date), the
``Memento-Datetime`` header (a web archive's capture time), else ``now``: the response was just
fetched, so the time of the call is its capture time. ``now`` is an input; only when it is not given
is the clock read, here at the boundary where the response arrives.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .dates.parse import iso_datetime, parse_date

#: Request meta keys a capture reads (set by spiders, the ``warc`` spider and the WARC writer).
LINK_CONTEXT = "euspider_link_context"
ANCHORS = "euspider_anchors"
WARC = "euspider_warc"
CRAWLED_AT = "euspider_crawled_at"


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes | bytearray) else str(value)


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _header_items(headers: Any) -> Iterable[tuple[Any, Any]]:
    if headers is None:
        return ()
    return headers.items() if hasattr(headers, "items") else headers


def headers_text(headers: Any) -> dict[str, str]:
    """Response headers as text, repeated headers joined with ``", "`` (Scrapy's ``Headers``, a
    mapping of str or bytes to str, bytes or lists of them, or (name, value) pairs)."""
    return {_text(key): ", ".join(_text(v) for v in _values(values)) for key, values in _header_items(headers)}


def last_header(headers: Any, name: str) -> str | None:
    """The last value of header ``name`` (case-insensitive), or None."""
    wanted = name.lower()
    found = None
    for key, values in _header_items(headers):
        if _text(key).lower() == wanted and _values(values):
            found = _text(_values(values)[-1])
    return found


def meta_of(response: Any) -> dict[str, Any]:
    """The request meta of a response ({} when it has none: Scrapy raises for a response built
    without a request)."""
    try:
        meta = response.meta
    except AttributeError:
        return {}
    return dict(meta) if meta else {}


def capture_time(meta: dict[str, Any], headers: Any, now: datetime | None = None) -> str:
    """The capture time as ISO 8601 UTC (see the module docstring for the order)."""
    for raw in (meta.get(CRAWLED_AT), last_header(headers, "Memento-Datetime")):
        if raw:
            parsed, _ = parse_date(_text(raw))
            if parsed is not None and isinstance(parsed.value, datetime):
                return iso_datetime(parsed.value.astimezone(UTC))
    return iso_datetime((now or datetime.now(UTC)).astimezone(UTC))


def page_fields(response: Any, now: datetime | None = None) -> dict[str, Any]:
    """The fields of a :class:`~euspider.items.Page` for ``response``."""
    meta = meta_of(response)
    headers = getattr(response, "headers", None)
    warc = meta.get(WARC)
    return {
        "url": str(response.url),
        "body": bytes(response.body),
        "headers": headers_text(headers),
        "status": int(getattr(response, "status", 200) or 200),
        "crawled_at": capture_time(meta, headers, now),
        "link_context": [dict(c) for c in meta.get(LINK_CONTEXT) or []],
        "anchors": [tuple(a) for a in meta.get(ANCHORS) or []],
        "warc": dict(warc) if warc else None,
    }
