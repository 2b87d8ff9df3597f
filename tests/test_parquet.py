"""Parquet output: a mirror crawl written to Parquet and JSON lines at once loads in pyarrow and in
DuckDB with the same rows and values as the JSON lines; typed columns; row groups; the dataset card."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from euspider.arrow import ParquetRecordWriter, RecordError, arrow_schema
from euspider.exporters import ParquetExporter
from euspider.items import Article
from euspider.schema import build_schema

from .conftest import ROOT

FIELDS = list(build_schema()["properties"])


@pytest.fixture(scope="module")
def crawl_outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    command = [sys.executable, "-m", "scrapy", "crawl", "euobserver", "-a", "mirror=fixtures/euobserver",
               "-O", str(folder / "x.parquet"), "-O", str(folder / "x.jsonl")]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = (folder / "x.jsonl").read_text(encoding="utf-8").splitlines()
    return folder, [json.loads(line) for line in lines]


def as_json(value):
    """A value read back from Parquet, written the way the JSON lines write it."""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat()
        return text.removesuffix("+00:00") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
        return {k: as_json(v) for k, v in value}  # an Arrow map, as pyarrow returns it
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def test_pyarrow_reads_the_same_rows_and_values(crawl_outputs):
    folder, records = crawl_outputs
    assert len(records) == 19
    table = pq.read_table(folder / "x.parquet")
    assert table.column_names == FIELDS
    rows = [{k: as_json(v) for k, v in row.items()} for row in table.to_pylist()]
    assert rows == records


def test_duckdb_reads_the_same_rows_and_values(crawl_outputs):
    folder, records = crawl_outputs
    with duckdb.connect() as db:
        cursor = db.execute("SELECT * FROM read_parquet(?)", [str(folder / "x.parquet")])
        names = [c[0] for c in cursor.description]
        rows = [{k: as_json(v) for k, v in zip(names, row, strict=True)} for row in cursor.fetchall()]
        assert rows == records
        # the columns a dataset filters on are typed values in SQL (the 2018 capture of the seed story)
        seed = db.execute(
            "SELECT language, language_source, crawled_at, page_date_stamp, published_earliest, "
            "date_mismatch.kind, date_evidence[1].source FROM read_parquet(?) WHERE url = ?",
            [str(folder / "x.parquet"), "https://euobserver.com/9/26823"],
        ).fetchone()
        later = db.execute(
            "SELECT count(*) FROM read_parquet(?) WHERE crawled_at >= TIMESTAMPTZ '2023-01-01 00:00:00+00'",
            [str(folder / "x.parquet")],
        ).fetchone()[0]
    assert seed[:2] == ("en", "agree")
    assert seed[2] == datetime(2018, 3, 16, 18, 20, 44, tzinfo=UTC)
    assert (seed[3], seed[4]) == (date(2018, 3, 16), date(2008, 9, 27))
    assert seed[5] == "stamp_not_publication"
    assert isinstance(seed[6], str)
    assert later == sum(r["crawled_at"] >= "2023" for r in records)


def test_crawl_marks_the_mirrors_repeated_story(crawl_outputs):
    _, records = crawl_outputs
    marked = {r["url"]: r["near_duplicate_of"] for r in records if r["near_duplicate_of"]}
    # the legacy and the 2018 URL of one story carry the same text: one names the other
    assert len(marked) == 1
    [(url, near)] = marked.items()
    assert {url, near["url"]} == {"https://euobserver.com/9/26823", "https://euobserver.com/world/26823"}
    assert near["similarity"] == 1.0
    french = [r for r in records if r["language"] == "fr"]
    assert [r["url"] for r in french] == ["https://euobserver.com/opinion/156540"]


def test_column_types_come_from_the_schema():
    schema = arrow_schema()
    assert schema.field("crawled_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("page_date_stamp").type == pa.date32()
    assert schema.field("published_earliest").type == pa.date32()
    assert schema.field("published").type == pa.string()  # its precision varies: a string
    assert schema.field("modified").type == pa.string()
    assert schema.field("language_confidence").type == pa.float64()
    assert schema.field("word_count").type == pa.int64() and not schema.field("word_count").nullable
    evidence = schema.field("date_evidence").type
    assert pa.types.is_list(evidence) and pa.types.is_struct(evidence.value_type)
    assert evidence.value_type.field("accepted").type == pa.bool_()
    assert pa.types.is_map(schema.field("boilerplate").type.field("removed").type)
    assert schema.field("date_mismatch").type.field("crawled_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("near_duplicate_of").type.field("similarity").type == pa.float64()
    assert schema.field("warc").type.field("offset").type == pa.int64()
    assert schema.field("language").metadata[b"description"].startswith(b"The story's language")
    assert schema.metadata[b"euspider.schema_version"] == Article.schema_version.encode()


def _record(number: int) -> dict:
    record = Article(url=f"https://news.example/{number}", text=f"Story {number}", crawled_at="2024-05-01T08:00:00Z")
    from dataclasses import asdict

    return asdict(record)


def test_records_are_written_in_row_groups_of_the_given_size(tmp_path):
    path = tmp_path / "groups.parquet"
    writer = ParquetRecordWriter(str(path), row_group_size=3)
    held = []
    for number in range(7):
        writer.write(_record(number))
        held.append(len(writer.rows))
    writer.close()
    assert max(held) < 3  # never more than one row group's records in memory
    parquet = pq.ParquetFile(path)
    assert [parquet.metadata.row_group(i).num_rows for i in range(parquet.num_row_groups)] == [3, 3, 1]
    assert pq.read_table(path).column("url").to_pylist() == [f"https://news.example/{n}" for n in range(7)]


def test_a_record_that_does_not_fit_fails_alone(tmp_path):
    path = tmp_path / "bad.parquet"
    writer = ParquetRecordWriter(str(path))
    writer.write(_record(1))
    with pytest.raises(RecordError, match="crawled_at"):
        writer.write({**_record(2), "crawled_at": "yesterday"})
    with pytest.raises(RecordError, match="surprise"):
        writer.write({**_record(3), "surprise": 1})  # a Parquet file must not lose a field silently
    writer.write({**_record(4), "word_count": "many"})  # found when the row group is built
    writer.write(_record(5))
    writer.close()
    assert pq.read_table(path).column("url").to_pylist() == ["https://news.example/1", "https://news.example/5"]
    assert [url for url, _ in writer.skipped] == ["https://news.example/4"]


def test_exporter_refuses_to_append_and_honours_fields(tmp_path):
    existing = tmp_path / "old.parquet"
    existing.write_bytes(b"PAR1 earlier crawl")
    with open(existing, "ab") as handle, pytest.raises(ValueError, match="-O instead of -o"):
        ParquetExporter(handle)
    buffer = io.BytesIO()
    exporter = ParquetExporter(buffer, fields_to_export=["url", "crawled_at"], row_group_size=2)
    exporter.start_exporting()
    for number in range(3):
        exporter.export_item(_record(number))
    exporter.finish_exporting()
    table = pq.read_table(pa.BufferReader(buffer.getvalue()))
    assert table.column_names == ["url", "crawled_at"]
    assert table.column("crawled_at")[0].as_py() == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_dataset_card_from_the_parquet_output(crawl_outputs):
    folder, _ = crawl_outputs
    result = subprocess.run(
        [sys.executable, "-m", "euspider", "dataset-card", str(folder / "x.parquet"), "--out", str(folder / "card.md"),
         "--name", "EUobserver mirror"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    card = (folder / "card.md").read_text(encoding="utf-8")
    front, body = card.split("\n---\n", 1)
    assert front.startswith('---\npretty_name: "EUobserver mirror"')
    assert 'language:\n- "en"\n- "fr"' in front
    assert 'path: "x.parquet"' in front and '- "n<1K"' in front
    # counts, as the mirror holds them: 19 stories, 18 in English and one French opinion piece,
    # one story at two URLs
    assert "| records | 19 |" in body
    assert "| languages (`language`) | en (18), fr (1) |" in body
    assert "| near copies of an earlier record (`near_duplicate_of`) | 1 |" in body
    assert "| sites | euobserver.com (19) |" in body
    # every field of the record, with its type and meaning, nested ones too
    for name in FIELDS:
        assert f"| `{name}` |" in body
    assert "| `crawled_at` | timestamp[us, tz=UTC] |" in body
    assert "| `date_evidence[].accepted` | bool, not null | Whether the resolver used this candidate" in body
    jsonl = subprocess.run([sys.executable, "-m", "euspider", "dataset-card", str(folder / "x.jsonl")],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert jsonl.returncode == 0, jsonl.stderr
    assert body.split("## Fields")[0].split("## Counts")[1] == jsonl.stdout.split("## Fields")[0].split("## Counts")[1]


def test_dataset_card_of_a_missing_file_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "euspider", "dataset-card", str(tmp_path / "none.parquet")],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2 and "no such output file" in result.stderr


def test_dataset_card_reads_the_manifest_beside_a_per_run_output(tmp_path):
    from dataclasses import asdict

    from euspider.card import dataset_card

    output = tmp_path / "euobserver_2026-11-28T08-00-00Z_abc123.jsonl"
    records = [asdict(Article(url=f"https://news.example/{n}", text="Story", language="de", word_count=120))
               for n in range(3)]  # fmt: skip
    output.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    manifest = {"spider": "euobserver", "started": "2026-11-28T08:00:00Z", "finished": "2026-11-28T08:10:00Z",
                "finish_reason": "finished", "dropped": {"too_short": 4, "listing": 2},
                "duplicates": {"https://news.example/9": "https://news.example/1"}}  # fmt: skip
    output.with_name(output.name.replace(".jsonl", ".manifest.json")).write_text(json.dumps(manifest))
    card = dataset_card(output)
    assert "| records | 3 |" in card and "| words of text | 360 |" in card
    assert "| languages (`language`) | de (3) |" in card
    assert "| pages dropped, by reason | too_short (4), listing (2) |" in card
    assert "| URLs not written: same text as another URL | 1 |" in card
    assert "| crawl | euobserver, 2026-11-28T08:00:00Z to 2026-11-28T08:10:00Z, finished |" in card


def test_appending_to_an_existing_parquet_file_fails_before_the_crawl(crawl_outputs, tmp_path):
    folder, _ = crawl_outputs
    existing = tmp_path / "stories.parquet"
    existing.write_bytes((folder / "x.parquet").read_bytes())
    command = [sys.executable, "-m", "scrapy", "crawl", "euobserver", "-a", "mirror=fixtures/euobserver",
               "-o", str(existing)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "cannot be appended to: write it anew with -O instead of -o" in result.stderr
    assert "Crawled (200)" not in result.stderr
    assert existing.read_bytes() == (folder / "x.parquet").read_bytes()  # the earlier crawl's file is intact
