"""Crash-safe per-run output: whole JSON lines only, durable before they count (pure, no Scrapy).

Each run writes ``<spider>_<start time>_<run id>.jsonl`` and, when it closes, a manifest beside it
(``.manifest.json``: counts, start and end, finish reason). Lines are appended with one ``write`` each
and flushed; :meth:`RunFile.sync` makes them durable (``fsync``) and returns the offset up to which
they are. The crawl marks records done in its state only up to that offset.

A killed run leaves at worst a partial last line: :meth:`RunFile.open` cuts it off, and returns the
whole lines written after the last durable offset the state knows, so that the state can be brought
up to the file (nothing is lost, and a resumed run does not write those records again).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO


class RunError(OSError):
    """An output path that cannot be written; raised before the crawl starts."""


def run_file_name(spider: str, started: datetime, run_id: str) -> str:
    return f"{spider}_{started.astimezone(UTC):%Y-%m-%dT%H-%M-%SZ}_{run_id}.jsonl"


class RunFile:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._handle: BinaryIO | None = None
        self.offset = 0

    def open(self, durable_offset: int | None = 0) -> list[dict[str, Any]]:
        """Open for appending; return the records after ``durable_offset`` (to recover into state).

        A partial last line (a crash in the middle of a write) is cut off. With ``durable_offset``
        None nothing is read back: only the end of the file is looked at, for a partial line."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+b")
        except OSError as err:
            raise RunError(f"cannot write the run output {self.path}: {err.strerror or err}") from err
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        start = _last_line_end(handle, size) if durable_offset is None else min(durable_offset, size)
        recovered: list[dict[str, Any]] = []
        if size:
            handle.seek(start)
            tail = handle.read()
            whole = tail[: tail.rfind(b"\n") + 1]
            end = start + len(whole)
            if end < size:  # a line cut short by a crash: never part of the output
                handle.truncate(end)
                handle.flush()
                os.fsync(handle.fileno())
            for line in whole.splitlines():
                if line.strip():
                    recovered.append(json.loads(line))
            handle.seek(end)
            size = end
        self._handle = handle
        self.offset = size
        return recovered

    def urls(self) -> set[str]:
        """The ``url`` of every record in the file, read line by line (a run resumed without state)."""
        found = set()
        with open(self.path, "rb") as handle:
            for line in handle:
                if line.strip():
                    found.add(json.loads(line)["url"])
        return found

    def write(self, line: bytes) -> None:
        """Append one complete line (it must end with a newline) and hand it to the OS."""
        if self._handle is None:
            raise RunError(f"{self.path} is not open")
        if not line.endswith(b"\n"):
            raise ValueError("a line must end with a newline")
        self._handle.write(line)
        self._handle.flush()
        self.offset += len(line)

    def sync(self) -> int:
        """Make everything written so far durable; return the durable offset."""
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
        return self.offset

    def close(self) -> int:
        offset = self.sync()
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        return offset


def _last_line_end(handle: BinaryIO, size: int, block: int = 1 << 16) -> int:
    """Offset just after the last newline of the file (0 if there is none), reading from the end."""
    position = size
    while position > 0:
        start = max(0, position - block)
        handle.seek(start)
        found = handle.read(position - start).rfind(b"\n")
        if found != -1:
            return start + found + 1
        position = start
    return 0


def run_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files named, a folder standing for its ``*.jsonl`` files (in name order)."""
    for path in map(Path, paths):
        if path.is_dir():
            yield from sorted(path.glob("*.jsonl"))
        else:
            yield path


def write_manifest(path: str | Path, data: dict[str, Any]) -> None:
    """Write a JSON file atomically (a temporary file, fsync, rename)."""
    path = Path(path)
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def manifest_path(output: str | Path) -> Path:
    output = Path(output)
    return output.with_name(output.name.removesuffix(".jsonl") + ".manifest.json")
