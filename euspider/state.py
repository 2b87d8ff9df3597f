"""What a scheduled crawl remembers between runs: an embedded SQLite file (pure, no Scrapy).

Per story URL: its content hash and version, the HTTP validators (``ETag``, ``Last-Modified``) of its
last capture, when it was first and last seen, and, for a story that another URL already carries,
that URL. Per run: its output file and how far into it every record is known to be on disk.

A record counts as done only once its line is durably written (:mod:`euspider.runs`): the store is
updated after the write, in the same batch as the ``fsync``. After a crash the output file is the
truth, and :meth:`CrawlState.recover` brings the store up to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    content_hash TEXT,
    version INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    duplicate_of TEXT
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles (content_hash);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    spider TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    finish_reason TEXT,
    output TEXT NOT NULL,
    committed_offset INTEGER NOT NULL DEFAULT 0,
    manifest TEXT
);
"""


class StateError(ValueError):
    """A state file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Decision:
    """What to do with a freshly extracted record."""

    kind: str  # new | changed | unchanged | duplicate
    version: int
    previous_hash: str | None = None
    duplicate_of: str | None = None
    other_urls: tuple[str, ...] = ()


class CrawlState:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            check = self.db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise StateError(f"{self.path}: the state file is damaged ({check[0] if check else 'no answer'})")
            self.db.executescript(_TABLES)
            found = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            elif int(found[0]) != SCHEMA:
                raise StateError(f"{self.path}: state schema {found[0]}, this euspider reads schema {SCHEMA}")
        except sqlite3.DatabaseError as err:
            raise StateError(f"{self.path}: not a euspider state file ({err})") from err
        except OSError as err:
            raise StateError(f"{self.path}: cannot open the state file ({err})") from err

    def close(self) -> None:
        self.db.close()

    # --- stories ----------------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the last capture of ``url`` (a record, or a duplicate of one)."""
        query = "SELECT etag, last_modified FROM articles WHERE url = ?"
        row = self.db.execute(query, (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def decide(self, url: str, content_hash: str) -> Decision:
        query = "SELECT content_hash, version, duplicate_of FROM articles WHERE url = ?"
        row = self.db.execute(query, (url,)).fetchone()
        if row is not None and row[1] > 0:
            if row[0] == content_hash:
                return Decision("unchanged", row[1], row[0])
            return Decision("changed", row[1] + 1, row[0])
        owner = self.db.execute(
            "SELECT url FROM articles WHERE content_hash = ? AND url != ? AND version > 0"
            " ORDER BY first_seen, url LIMIT 1",
            (content_hash, url),
        ).fetchone()
        if owner is not None:
            return Decision("duplicate", 0, None, owner[0])
        others = tuple(
            r[0]
            for r in self.db.execute(
                "SELECT url FROM articles WHERE duplicate_of IS NOT NULL AND content_hash = ?", (content_hash,)
            )
        )
        return Decision("new", 1, None, None, others)

    def commit_written(self, rows: Iterable[dict[str, Any]]) -> None:
        """Mark records as done, in one transaction: each row has url, content_hash, version, seen,
        and optionally etag and last_modified."""
        with self._transaction():
            self._upsert(rows)

    def touch(self, url: str, seen: str, etag: str | None = None, last_modified: str | None = None) -> None:
        """An unchanged capture: remember when, and newer validators if the server sent them."""
        self.db.execute(
            """UPDATE articles SET last_seen = ?, etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified)
               WHERE url = ?""",
            (seen, etag, last_modified, url),
        )

    def record_duplicate(
        self,
        url: str,
        content_hash: str,
        owner: str,
        *,
        seen: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """``url`` carries the story already recorded at ``owner``: remember it (and its validators, so
        the next run can ask whether it changed), write nothing."""
        self.db.execute(
            """INSERT INTO articles
                 (url, content_hash, version, etag, last_modified, first_seen, last_seen, duplicate_of)
               VALUES (?, ?, 0, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash, last_seen = excluded.last_seen,
                 duplicate_of = excluded.duplicate_of, etag = excluded.etag, last_modified = excluded.last_modified""",
            (url, content_hash, etag, last_modified, seen, seen, owner),
        )

    # --- runs -------------------------------------------------------------------------------------

    def run(self, run_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT run_id, spider, started, finished, finish_reason, output, committed_offset"
            " FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        keys = ("run_id", "spider", "started", "finished", "finish_reason", "output", "committed_offset")
        return dict(zip(keys, row, strict=True))

    def finished_manifests(self, spider: str, before: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        """Manifests of ``spider``'s last ``limit`` finished runs (other than run ``before``), newest first."""
        rows = self.db.execute(
            "SELECT manifest FROM runs WHERE spider = ? AND finished IS NOT NULL AND manifest IS NOT NULL"
            " AND run_id != ? ORDER BY finished DESC, started DESC LIMIT ?",
            (spider, before or "", limit),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def start_run(self, run_id: str, spider: str, started: str, output: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO runs (run_id, spider, started, output) VALUES (?, ?, ?, ?)",
            (run_id, spider, started, output),
        )

    def set_offset(self, run_id: str, offset: int) -> None:
        self.db.execute("UPDATE runs SET committed_offset = ? WHERE run_id = ?", (offset, run_id))

    def finish_run(self, run_id: str, finished: str, reason: str, manifest: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, finish_reason = ?, manifest = ? WHERE run_id = ?",
            (finished, reason, json.dumps(manifest, ensure_ascii=False), run_id),
        )

    def commit_batch(self, run_id: str, offset: int, rows: Iterable[dict[str, Any]]) -> None:
        """Records written up to ``offset`` of the run's output are done: one transaction."""
        with self._transaction():
            self._upsert(rows)
            self.set_offset(run_id, offset)

    def _upsert(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.db.execute(
                """INSERT INTO articles (url, content_hash, version, etag, last_modified, first_seen, last_seen)
                   VALUES (:url, :content_hash, :version, :etag, :last_modified, :seen, :seen)
                   ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash,
                     version = excluded.version, etag = COALESCE(excluded.etag, articles.etag),
                     last_modified = COALESCE(excluded.last_modified, articles.last_modified),
                     last_seen = excluded.last_seen, duplicate_of = NULL""",
                {"etag": None, "last_modified": None, **row},
            )

    def _transaction(self) -> Any:
        db = self.db

        class Transaction:
            def __enter__(self) -> None:
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind: object, *rest: object) -> None:
                db.execute("COMMIT" if kind is None else "ROLLBACK")

        return Transaction()
