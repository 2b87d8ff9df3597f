"""Command line: ``python -m euspider extract PATH_OR_URL``, ``schema``, ``report RUN.jsonl ... -o FILE``,
``merge RUN.jsonl ... -o FILE``, ``reference`` and ``dataset-card OUTPUT``.

``extract`` prints one page's record and its date evidence table, for checking a date by hand. It
reads a file (``.html`` or ``.html.gz``) or fetches a URL (``http(s)://``; the response's headers
are used as a crawl would use them). ``--crawled-at`` sets the capture time; for a file without it,
the capture time is unknown and dates are bounded by now.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .dates.parse import parse_date


def _read(source: str, timeout: float) -> tuple[bytes, dict[str, str], str | None]:
    if source.startswith(("http://", "https://")):
        # S310: only http(s), checked just above; the user asked for this URL
        request = urllib.request.Request(source, headers={"User-Agent": "euspider"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read(), dict(response.headers.items()), datetime.now(UTC).isoformat()
    path = Path(source)
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data, {}, None


def _table(rows: list[dict[str, Any]]) -> str:
    columns = ["accepted", "role", "source", "value", "raw", "reason"]
    widths = {"accepted": 3, "role": 9, "source": 28, "value": 25, "raw": 34}
    lines = ["  ".join(c[: widths.get(c, 40)].ljust(widths.get(c, 0)) for c in columns)]
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            text = ("yes" if value else "no") if column == "accepted" else ("" if value is None else str(value))
            width = widths.get(column)
            cells.append(text[:width].ljust(width) if width else text)
        lines.append("  ".join(cells))
    return "\n".join(lines)


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import ArticleExtractor

    try:
        body, headers, fetched_at = _read(args.source, args.timeout)
    except (OSError, ValueError) as err:
        print(f"cannot read {args.source}: {err}", file=sys.stderr)
        return 2
    crawled_at = args.crawled_at or fetched_at
    if crawled_at is not None:
        parsed, reason = parse_date(crawled_at)
        if parsed is None or not isinstance(parsed.value, datetime):
            print(
                "--crawled-at must be an ISO 8601 datetime with an offset, e.g. 2023-02-04T10:00:00Z "
                f"({reason or 'no offset'})",
                file=sys.stderr,
            )
            return 2
    url = args.url or (
        args.source if args.source.startswith(("http://", "https://")) else f"file://{Path(args.source).resolve()}"
    )
    outcome = ArticleExtractor().extract(body, url, crawled_at=crawled_at, headers=headers, now=datetime.now(UTC))
    if outcome.record is None:
        print(f"not an article ({outcome.skip_reason}): {outcome.detail}")
        record: dict[str, Any] = {"published": None}
        if outcome.dates is not None:
            record = {
                k: getattr(outcome.dates, k) for k in ("published", "published_source", "page_date_stamp", "crawled_at")
            }
            evidence = [e.__dict__ for e in outcome.dates.evidence]
        else:
            evidence = []
    else:
        record = dict(outcome.record)
        evidence = record.pop("date_evidence")
    if args.json:
        print(json.dumps({**record, "date_evidence": evidence}, ensure_ascii=False, indent=2))
        return 0
    if not args.evidence_only:
        shown = {k: v for k, v in record.items() if k != "text"}
        print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
        if "text" in record:
            print("\n--- text ---")
            print(record["text"])
    print("\n--- date evidence ---")
    print(_table(evidence))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from .schema import build_schema, field_table

    if args.markdown:
        print(field_table())
    else:
        print(json.dumps(build_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_dataset_card(args: argparse.Namespace) -> int:
    from .card import dataset_card

    data = Path(args.output)
    if not data.is_file():
        print(f"no such output file: {data}", file=sys.stderr)
        return 2
    try:
        card = dataset_card(data, name=args.name, manifest=Path(args.manifest) if args.manifest else None)
    except (OSError, ValueError) as err:
        print(f"cannot read {data}: {err}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text(card, encoding="utf-8")
    else:
        sys.stdout.write(card)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportError, collect

    try:
        collector = collect(args.runs)
    except ReportError as err:
        print(f"cannot make the report: {err}", file=sys.stderr)
        return 2
    if not collector.records:
        print("no records in " + ", ".join(args.runs), file=sys.stderr)
        return 2
    try:
        page = collector.html(args.title)
    except ImportError as err:
        print(f"the report needs altair and vl-convert-python (pip install 'euspider[report]'): {err}", file=sys.stderr)
        return 2
    try:
        Path(args.output).write_text(page, encoding="utf-8")
    except OSError as err:
        print(f"cannot write {args.output}: {err.strerror or err}", file=sys.stderr)
        return 2
    print(collector.summary())
    print(f"report written to {args.output}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from .merge import merge
    from .runs import run_files

    out = Path(args.output)
    inputs = list(run_files(args.runs))
    missing = [str(p) for p in inputs if not p.is_file()]
    if missing:
        print("no such run file: " + ", ".join(missing), file=sys.stderr)
        return 2
    if any(p.resolve() == out.resolve() for p in inputs):
        print(f"the output {out} is one of the run files: write it elsewhere", file=sys.stderr)
        return 2
    partial = out.with_name(out.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            counts = merge(inputs, handle)
        partial.replace(out)
    except (OSError, UnicodeDecodeError) as err:
        partial.unlink(missing_ok=True)
        print(f"cannot merge into {out}: {err}", file=sys.stderr)
        return 2
    for path, number, why in counts.skipped:
        print(f"skipped {path}:{number}: {why}", file=sys.stderr)
    print(f"{counts.summary()}; written to {out}")
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    from .reference import document, update_readme

    if args.readme:
        path = Path(args.readme)
        try:
            path.write_text(update_readme(path.read_text(encoding="utf-8")), encoding="utf-8")
        except (OSError, ValueError) as err:
            print(f"cannot update {path}: {err}", file=sys.stderr)
            return 2
    if args.output:
        Path(args.output).write_text(document(), encoding="utf-8")
    elif not args.readme:
        sys.stdout.write(document())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m euspider", description="euspider tools")
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="print one page's record and its date evidence")
    ext.add_argument("source", help="a file (.html, .html.gz) or an http(s) URL")
    ext.add_argument(
        "--crawled-at", help="capture time, ISO 8601 with offset (default: fetch time for a URL, unknown for a file)"
    )
    ext.add_argument("--url", help="the page's URL when reading a file (dates in the URL, site profile)")
    ext.add_argument("--json", action="store_true", help="print the whole record as JSON")
    ext.add_argument("--evidence-only", action="store_true", help="print only the date evidence table")
    ext.add_argument("--timeout", type=float, default=30.0, help="fetch timeout in seconds")
    ext.set_defaults(func=cmd_extract)
    sch = sub.add_parser("schema", help="print the record's JSON Schema (or --markdown: the field table)")
    sch.add_argument("--markdown", action="store_true")
    sch.set_defaults(func=cmd_schema)
    card = sub.add_parser("dataset-card", help="write a dataset card (markdown) for a crawl's output")
    card.add_argument("output", help="the crawl's output: .parquet or .jsonl")
    card.add_argument("--out", help="write the card to this file (default: print it)")
    card.add_argument("--name", help="the dataset's name (default: the output file's name)")
    card.add_argument("--manifest", help="the run's .manifest.json (default: the one beside the output, if any)")
    card.set_defaults(func=cmd_dataset_card)
    rep = sub.add_parser(
        "report", help="write one self-contained HTML report (plots and tables) of run files; print its summary"
    )
    rep.add_argument("runs", nargs="+", help="run files (JSON lines; a folder stands for its *.jsonl files)")
    rep.add_argument("-o", "--output", required=True, help="the HTML file to write")
    rep.add_argument("--title", default="euspider crawl report", help="the report's title")
    rep.set_defaults(func=cmd_report)
    mrg = sub.add_parser(
        "merge",
        help="write the records of several run files (the workers' of a shared crawl, or several runs') "
        "into one JSON lines file, each (url, content_hash) once",
    )
    mrg.add_argument("runs", nargs="+", help="run files (JSON lines; a folder stands for its *.jsonl files)")
    mrg.add_argument("-o", "--output", required=True, help="the JSON lines file to write")
    mrg.set_defaults(func=cmd_merge)
    ref = sub.add_parser(
        "reference", help="print the reference of every setting, meta key, stat, output field and command"
    )
    ref.add_argument("-o", "--output", help="write it to this file (docs/reference.md) instead")
    ref.add_argument("--readme", help="also render the generated tables of this README again, in place")
    ref.set_defaults(func=cmd_reference)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
