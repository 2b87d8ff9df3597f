"""JSON lines: UTF-8 as is, record key order, one whole line per record, through a real feed export."""

from __future__ import annotations

import io
import json

import pytest

from euspider.exporters import JsonLinesExporter, dumps


def test_utf8_without_escapes_and_key_order():
    buffer = io.BytesIO()
    exporter = JsonLinesExporter(buffer)
    exporter.start_exporting()
    exporter.export_item({"url": "https://x/é", "title": "L’Europe — «déjà»", "a": 1})
    exporter.export_item({"z": None, "b": [1, 2]})
    exporter.finish_exporting()
    data = buffer.getvalue()
    assert b"\\u" not in data
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == ""
    assert list(json.loads(lines[0])) == ["url", "title", "a"]
    assert json.loads(lines[0])["title"] == "L’Europe — «déjà»"
    assert json.loads(lines[1]) == {"z": None, "b": [1, 2]}


def test_unserialisable_record_writes_nothing():
    buffer = io.BytesIO()
    exporter = JsonLinesExporter(buffer)
    exporter.export_item({"ok": 1})
    with pytest.raises(TypeError):
        exporter.export_item({"bad": object()})
    with pytest.raises(ValueError):
        exporter.export_item({"nan": float("nan")})
    assert buffer.getvalue() == b'{"ok":1}\n'


def test_dumps_handles_dates_and_dataclasses():
    from datetime import date

    from euspider.items import DateMismatch

    assert json.loads(dumps({"d": date(2008, 9, 27)})) == {"d": "2008-09-27"}
    assert json.loads(dumps(DateMismatch(kind="archival")))["kind"] == "archival"
