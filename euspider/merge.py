"""One dataset file from several run files: each record once (pure; no Scrapy).

The workers of a shared crawl each write their own run files; a scheduled crawl writes one per run.
Their lines together are the crawl's records, with two things a dataset must not inherit: a story a
worker wrote just before it was killed, and wrote again by the worker that took its lead over (the
same URL and the same text twice), and the cut-off last line of a file whose writer was killed
mid-write. :func:`merge` keeps the first record of each (``url``, ``content_hash``), so the versions
of a story that changed between runs all stay, and counts what it leaves out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .runs import run_files


@dataclass
class MergeCounts:
    files: int = 0
    records: int = 0
    duplicates: int = 0
    #: Lines that are not a record: (file, line number, why), a cut-off last line among them.
    skipped: list[tuple[str, int, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.records} records from {self.files} files, {self.duplicates} repeated records left out"
        if self.skipped:
            text += f", {len(self.skipped)} lines skipped"
        return text


def merge(paths: Iterable[str | Path], out: TextIO) -> MergeCounts:
    """Write each record of the run files ``paths`` to ``out`` once, in file and line order."""
    counts = MergeCounts()
    seen: set[bytes] = set()
    for path in run_files(paths):
        counts.files += 1
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                why = None
                try:
                    record = json.loads(raw)
                except ValueError as err:
                    record = None
                    why = "a line cut off at the end of the file" if not raw.endswith(b"\n") else f"not JSON: {err}"
                if why is None and not (isinstance(record, dict) and record.get("url")):
                    why = "not a record (no url)"
                if why is not None or record is None:
                    counts.skipped.append((str(path), number, why or ""))
                    continue
                key = hashlib.blake2b(
                    f"{record['url']}\n{record.get('content_hash') or ''}".encode(), digest_size=16
                ).digest()
                if key in seen:
                    counts.duplicates += 1
                    continue
                seen.add(key)
                out.write(raw.decode("utf-8").rstrip("\r\n") + "\n")
                counts.records += 1
    return counts
