"""JSON lines for datasets: UTF-8 as is (no ``\\u`` escapes), keys in record order, whole lines only.

Registered for the ``jsonl`` and ``jsonlines`` feed formats by the add-on, so ``-O out.jsonl`` and the
default per-run feed both use it. Each record is serialised completely before anything is written and
then written with a single ``write`` of one line, so a record that cannot be serialised never leaves
half a line behind.
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter


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
