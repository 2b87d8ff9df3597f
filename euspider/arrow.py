"""The record as an Arrow table: column types from the JSON Schema, Parquet written in row groups
(pure, no Scrapy).

Types follow :func:`euspider.schema.build_schema`, itself generated from :mod:`euspider.items`:
strings, 64-bit integers, doubles and booleans as such; a list as an Arrow list; an object of
counts (``boilerplate.removed``) as a map; a nested record (``boilerplate``, ``date_mismatch``,
``near_duplicate_of``, ``warc``, each ``date_evidence`` entry) as a struct. A date-time whose
precision never varies (``crawled_at``, always a UTC instant) is a ``timestamp[us, UTC]`` and a
plain day (``page_date_stamp``, ``published_earliest``) a ``date32``; ``published`` and ``modified``
stay strings, because their precision varies (an instant with the publisher's offset, a day, a
month, a year) and a timestamp would invent what the page does not say. Every field carries its
documentation in the Arrow field metadata (``description``), and the table its schema version.

:class:`ParquetRecordWriter` buffers at most ``row_group_size`` records and writes each batch as
one row group, so memory stays bounded however long the crawl runs. A record that does not fit the
schema is refused or logged and left out: it never costs the other records of its row group.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from .items import SCHEMA_VERSION
from .schema import build_schema

logger = logging.getLogger(__name__)

#: Records per row group: about 10 MB of typical records in memory at once.
ROW_GROUP_SIZE = 1000
COMPRESSION = "zstd"


class RecordError(ValueError):
    """A record that does not fit the schema; the message names the field."""


def _scalar(prop: dict[str, Any], defs: dict[str, Any]) -> pa.DataType:
    kind = prop["type"]
    kinds = [kind] if isinstance(kind, str) else [k for k in kind if k != "null"]
    if len(kinds) != 1:
        raise TypeError(f"no Arrow type for a union of {kinds}")
    kind = kinds[0]
    if kind == "string":
        fmt = prop.get("format")
        if fmt == "date-time":
            return pa.timestamp("us", tz="UTC")
        if fmt == "date":
            return pa.date32()
        return pa.string()
    if kind == "integer":
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "array":
        return pa.list_(_type(prop["items"], defs))
    if kind == "object" and "additionalProperties" in prop:
        return pa.map_(pa.string(), _type(prop["additionalProperties"], defs))
    raise TypeError(f"no Arrow type for {prop!r}")


def _nullable(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    if isinstance(kind, list):
        return "null" in kind
    return any(p.get("type") == "null" for p in prop.get("anyOf", ()))


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> pa.DataType:
    for key in ("allOf", "anyOf"):
        for option in prop.get(key, ()):
            if "$ref" in option:
                return _struct(defs[option["$ref"].rsplit("/", 1)[-1]], defs)
    if "$ref" in prop:
        return _struct(defs[prop["$ref"].rsplit("/", 1)[-1]], defs)
    return _scalar(prop, defs)


def _field(name: str, prop: dict[str, Any], defs: dict[str, Any]) -> pa.Field:
    return pa.field(
        name,
        _type(prop, defs),
        nullable=_nullable(prop),
        metadata={"description": prop.get("description", "")},
    )


def _struct(definition: dict[str, Any], defs: dict[str, Any]) -> pa.DataType:
    return pa.struct([_field(name, prop, defs) for name, prop in definition["properties"].items()])


def arrow_schema(fields: Sequence[str] | None = None) -> pa.Schema:
    """The Arrow schema of the record (or of the named top-level ``fields``, in that order)."""
    schema = build_schema()
    properties = schema["properties"]
    names = list(fields) if fields else list(properties)
    unknown = [n for n in names if n not in properties]
    if unknown:
        raise RecordError(f"not fields of the record: {', '.join(unknown)}")
    return pa.schema(
        [_field(name, properties[name], schema["$defs"]) for name in names],
        metadata={"euspider.schema_version": SCHEMA_VERSION, "euspider.schema_id": schema["$id"]},
    )


def _convert(value: Any, kind: pa.DataType, path: str) -> Any:
    """A JSON value of the record as the Python value Arrow takes for ``kind``."""
    if value is None:
        return None
    try:
        if pa.types.is_timestamp(kind):
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError("no UTC offset")
            return parsed
        if pa.types.is_date32(kind):
            return date.fromisoformat(value)
    except (TypeError, ValueError) as err:
        raise RecordError(f"{path}: {value!r} is not an ISO 8601 {kind} ({err})") from None
    if pa.types.is_struct(kind):
        if not isinstance(value, dict):
            raise RecordError(f"{path}: expected an object, got {type(value).__name__}")
        extra = set(value) - {kind.field(i).name for i in range(kind.num_fields)}
        if extra:
            raise RecordError(f"{path}: fields not in the schema: {', '.join(sorted(extra))}")
        children = [kind.field(i) for i in range(kind.num_fields)]
        return {f.name: _convert(value.get(f.name), f.type, f"{path}.{f.name}") for f in children}
    if pa.types.is_map(kind):
        if not isinstance(value, dict):
            raise RecordError(f"{path}: expected an object, got {type(value).__name__}")
        return [(k, _convert(v, kind.item_type, f"{path}.{k}")) for k, v in value.items()]
    if pa.types.is_list(kind):
        if not isinstance(value, list | tuple):
            raise RecordError(f"{path}: expected an array, got {type(value).__name__}")
        return [_convert(v, kind.value_type, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def to_row(record: dict[str, Any], schema: pa.Schema, *, strict: bool = True) -> dict[str, Any]:
    """One record as an Arrow row of ``schema``. ``strict``: a field the schema does not have is an
    error (a Parquet file must not lose data silently)."""
    if strict:
        extra = set(record) - set(schema.names)
        if extra:
            raise RecordError(f"fields not in the schema: {', '.join(sorted(extra))}")
    return {f.name: _convert(record.get(f.name), f.type, f.name) for f in schema}


class ParquetRecordWriter:
    """Records to a Parquet file (a path or a binary file object), one row group per
    ``row_group_size`` records."""

    def __init__(
        self,
        sink: BinaryIO | str,
        *,
        fields: Sequence[str] | None = None,
        row_group_size: int = ROW_GROUP_SIZE,
        compression: str = COMPRESSION,
    ) -> None:
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be at least 1, got {row_group_size!r}")
        self.schema = arrow_schema(fields)
        self.strict = not fields
        self.row_group_size = row_group_size
        self.rows: list[dict[str, Any]] = []
        self.written = 0
        self.skipped: list[tuple[str | None, str]] = []
        self._writer = pq.ParquetWriter(sink, self.schema, compression=compression)

    def write(self, record: dict[str, Any]) -> None:
        """Add one record. Dates, nested records and unknown fields are checked now (a
        :class:`RecordError` names the field); scalar types when the row group is built, where a
        record that does not fit is logged with its URL, listed in :attr:`skipped` and left out."""
        self.rows.append(to_row(record, self.schema, strict=self.strict))
        if len(self.rows) >= self.row_group_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        try:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
        except (pa.ArrowException, TypeError, ValueError):
            table = pa.Table.from_pylist(self._fitting(self.rows), schema=self.schema)
        if table.num_rows:
            self._writer.write_table(table, row_group_size=table.num_rows)
        self.written += table.num_rows
        self.rows = []

    def _fitting(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows that fit the schema, one by one (only after a batch failed: checking every row
        alone costs ten times more than building the batch)."""
        fitting = []
        for row in rows:
            try:
                pa.Table.from_pylist([row], schema=self.schema)
            except (pa.ArrowException, TypeError, ValueError) as err:
                url = row.get("url")
                self.skipped.append((url, str(err)))
                logger.error("record left out of the Parquet file, it does not fit the schema (%s): %s", err, url)
            else:
                fitting.append(row)
        return fitting

    def close(self) -> None:
        self.flush()
        self._writer.close()


__all__ = ["ParquetRecordWriter", "RecordError", "arrow_schema", "to_row"]
