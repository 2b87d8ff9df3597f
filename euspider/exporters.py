"""Feed exporters for datasets: JSON lines and Parquet.

JSON lines: UTF-8 as is (no ``\\u`` escapes), keys in record order, whole lines only. Registered for
the ``jsonl`` and ``jsonlines`` feed formats by the add-on, so ``-O out.jsonl`` and the default
per-run feed both use it. Each record is serialised completely before anything is written and then
written with a single ``write`` of one line, so a record that cannot be serialised never leaves half
a line behind.

Parquet: registered for the ``parquet`` format (``-O stories.parquet``); column types come from the
record's schema (:mod:`euspider.arrow`), and records are written in row groups of ``row_group_size``
(a feed option: ``FEEDS = {"s.parquet": {"format": "parquet", "item_export_kwargs":
{"row_group_size": 5000}}}``), so memory stays bounded. A Parquet file cannot be appended to: the
add-on refuses ``-o`` (append) on an existing file before the crawl starts.
"""

from __future__ import annotations

import json
import logging
from typing import Any, BinaryIO

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

logger = logging.getLogger(__name__)


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(record: Any) -> str:
    """One record as one JSON line (without the newline), as the exporter writes it."""
    data = ItemAdapter(record).asdict() if ItemAdapter.is_item(record) else record
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_default, allow_nan=False)


class JsonLinesExporter(BaseItemExporter):
    """Scrapy item exporter writing one JSON object per line."""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file

    def export_item(self, item: Any) -> None:
        fields = dict(self._get_serialized_fields(item)) if self.fields_to_export else item
        line = (dumps(fields) + "\n").encode("utf-8")
        self.file.write(line)


def refuse_parquet_appends(feeds: dict[Any, dict[str, Any]]) -> None:
    """Fail before the crawl when a feed would append to an existing Parquet file (``-o``): Parquet
    cannot be appended to, and the exporter would refuse every record of the crawl."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    from .config import ConfigError

    for uri, options in feeds.items():
        if (options or {}).get("format") != "parquet" or (options or {}).get("overwrite"):
            continue
        text = str(uri)
        parts = urlsplit(text)
        if parts.scheme not in ("", "file") or "%(" in text:
            continue  # remote storages and templated names are new files
        path = Path(unquote(parts.path) if parts.scheme == "file" else text)
        if path.is_file() and path.stat().st_size:
            raise ConfigError(
                f"FEEDS: {text} is an existing Parquet file, which cannot be appended to: "
                "write it anew with -O instead of -o"
            )


class ParquetExporter(BaseItemExporter):
    """Scrapy item exporter writing article records to Parquet, one row group per
    ``row_group_size`` records (options: ``row_group_size``, ``compression``)."""

    def __init__(
        self, file: BinaryIO, *, row_group_size: int | None = None, compression: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(dont_fail=True, **kwargs)
        from .arrow import COMPRESSION, ROW_GROUP_SIZE, ParquetRecordWriter

        try:
            position = file.tell()
        except (OSError, ValueError):  # a pipe (stdout): nothing to append to
            position = 0
        if position:
            raise ValueError(
                f"cannot append to the Parquet file {getattr(file, 'name', file)!r}: "
                "write it anew with -O instead of -o"
            )
        self.file = file
        self._writer = ParquetRecordWriter(
            file,
            fields=list(self.fields_to_export) if self.fields_to_export else None,
            row_group_size=int(row_group_size or ROW_GROUP_SIZE),
            compression=compression or COMPRESSION,
        )

    def export_item(self, item: Any) -> None:
        record = ItemAdapter(item).asdict() if ItemAdapter.is_item(item) else item
        self._writer.write(record)

    def finish_exporting(self) -> None:
        self._writer.close()
        written, size = self._writer.written, self._writer.row_group_size
        logger.info("Parquet: %d records in row groups of at most %d", written, size)
