"""The lead store in one SQLite file (pure): leads and the run's story memory on disk, not in memory.

One crawling process writes the file. Writes are grouped in transactions that :meth:`flush` commits
(the spider flushes every half second), in WAL mode with ``synchronous=NORMAL``: a killed process
loses at most the last uncommitted group, which a resumed crawl finds again (claimed leads go back
to waiting; the run's output, not this file, says what was written).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from . import CLAIMED, DONE, WAITING, Lead, LeadStore, merge_context

SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS leads (
    seq INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    discovery INTEGER NOT NULL,
    depth INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    wait_for INTEGER NOT NULL,
    added REAL NOT NULL,
    state INTEGER NOT NULL,
    context TEXT,
    meta TEXT
);
CREATE INDEX IF NOT EXISTS leads_take ON leads (state, discovery, priority, wait_for, seq);
CREATE INDEX IF NOT EXISTS leads_open_discovery ON leads (seq) WHERE discovery = 1 AND state < 2;
CREATE INDEX IF NOT EXISTS leads_waiting_stories ON leads (seq) WHERE discovery = 0 AND state = 0;
CREATE TABLE IF NOT EXISTS stories (content_hash TEXT PRIMARY KEY, url TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS stories_url ON stories (url);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY, canonical TEXT NOT NULL, meta TEXT, orphan INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS aliases_canonical ON aliases (canonical);
"""
_COLUMNS = "seq, url, kind, discovery, depth, priority, wait_for, added, state, context, meta"
_CHUNK = 500  # SQLite's limit on bound parameters is far above this


class LeadStoreError(ValueError):
    """A lead store file that cannot be used; the message names the file."""


def _row(row: Sequence[Any]) -> Lead:
    seq, url, kind, discovery, depth, priority, wait_for, added, state, context, meta = row
    return Lead(
        url=url,
        kind=kind,
        depth=depth,
        priority=priority,
        discovery=bool(discovery),
        context=json.loads(context) if context else [],
        meta=json.loads(meta) if meta else {},
        seq=seq,
        wait_for=wait_for,
        added=added,
        state=state,
    )


class SqliteLeadStore(LeadStore):
    """Leads in ``path`` (kept after :meth:`close` unless discarded), or in a temporary file."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.temporary = path is None
        if path is None:
            handle, name = tempfile.mkstemp(prefix="euspider-leads-", suffix=".sqlite")
            os.close(handle)
            path = name
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_TABLES)
            found = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            elif int(found[0]) != SCHEMA:
                raise LeadStoreError(f"{self.path}: lead store schema {found[0]}, this euspider reads {SCHEMA}")
        except sqlite3.DatabaseError as err:
            raise LeadStoreError(f"{self.path}: not a euspider lead store ({err})") from err
        except OSError as err:
            raise LeadStoreError(f"{self.path}: cannot open the lead store ({err})") from err
        self._in_transaction = False
        last = self.db.execute("SELECT max(seq) FROM leads").fetchone()[0]
        self._next_seq = (last or 0) + 1
        last_discovery = self.db.execute("SELECT max(seq) FROM leads WHERE discovery = 1").fetchone()[0]
        self._last_discovery = last_discovery or 0
        self._priorities = {p for (p,) in self.db.execute("SELECT DISTINCT priority FROM leads WHERE discovery = 0")}
        self._recount()

    def _recount(self) -> None:
        counts = dict.fromkeys(("waiting_discovery", "waiting_stories", "claimed", "done"), 0)
        query = "SELECT state, discovery, count(*) FROM leads GROUP BY state, discovery"
        for state, discovery, count in self.db.execute(query):
            if state == WAITING:
                counts["waiting_discovery" if discovery else "waiting_stories"] += count
            else:
                counts["claimed" if state == CLAIMED else "done"] += count
        self._counts = counts

    def _write(self) -> sqlite3.Connection:
        if not self._in_transaction:
            self.db.execute("BEGIN")
            self._in_transaction = True
        return self.db

    # --- leads ----------------------------------------------------------------------------------

    def add(self, leads: Sequence[Lead], now: float) -> list[Lead]:
        # discovery leads first: stories found on the same page wait for them too
        ordered = [lead for lead in leads if lead.discovery] + [lead for lead in leads if not lead.discovery]
        db = self._write()
        new: list[Lead] = []
        for start in range(0, len(ordered), _CHUNK):
            chunk: dict[str, Lead] = {}
            for lead in ordered[start : start + _CHUNK]:
                if lead.url not in chunk:
                    chunk[lead.url], context = lead, lead.context
                    lead.context = []  # the same date twice on one page is one item
                    merge_context(lead.context, context)
                else:
                    merge_context(chunk[lead.url].context, lead.context)
            marks = ",".join("?" * len(chunk))
            known = db.execute(
                f"SELECT url, state, depth, context FROM leads WHERE url IN ({marks})",  # noqa: S608 - placeholders only
                list(chunk),
            ).fetchall()
            updates = []
            for url, state, depth, context in known:
                lead = chunk.pop(url)
                if state == DONE:
                    continue
                existing = json.loads(context) if context else []
                changed = merge_context(existing, lead.context)
                if changed or lead.depth < depth:
                    updates.append((json.dumps(existing) if existing else None, min(depth, lead.depth), url))
            if updates:
                db.executemany("UPDATE leads SET context = ?, depth = ? WHERE url = ?", updates)
            rows = []
            for lead in chunk.values():
                lead.seq, lead.added, lead.state = self._next_seq, now, WAITING
                self._next_seq += 1
                if lead.discovery:
                    self._last_discovery = lead.seq
                    lead.wait_for = 0
                    self._counts["waiting_discovery"] += 1
                else:
                    lead.wait_for = self._last_discovery
                    self._priorities.add(lead.priority)
                    self._counts["waiting_stories"] += 1
                rows.append(
                    (lead.seq, lead.url, lead.kind, int(lead.discovery), lead.depth, lead.priority, lead.wait_for,
                     now, WAITING, json.dumps(lead.context) if lead.context else None,
                     json.dumps(lead.meta) if lead.meta else None)
                )  # fmt: skip
                new.append(lead)
            db.executemany(f"INSERT INTO leads ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)  # noqa: S608
        return new

    def take(
        self,
        count: int,
        *,
        discovery: bool,
        before: int | None = None,
        kinds: Collection[str] | None = None,
        exclude: Collection[str] = (),
    ) -> list[Lead]:
        if count <= 0:
            return []
        db = self._write()
        if discovery:
            where, values = "", []
            if kinds is not None:
                where += f" AND kind IN ({','.join('?' * len(kinds))})"
                values += list(kinds)
            if exclude:
                where += f" AND kind NOT IN ({','.join('?' * len(exclude))})"
                values += list(exclude)
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM leads WHERE state = 0 AND discovery = 1{where}"  # noqa: S608 - placeholders
                " ORDER BY priority DESC, seq LIMIT ?",
                (*values, count),
            ).fetchall()
        else:
            rows = []
            for priority in sorted(self._priorities, reverse=True):
                if len(rows) >= count:
                    break
                rows += db.execute(
                    f"SELECT {_COLUMNS} FROM leads WHERE state = 0 AND discovery = 0 AND priority = ?"  # noqa: S608
                    " AND wait_for < ? ORDER BY wait_for, seq LIMIT ?",
                    (priority, before if before is not None else 1 << 62, count - len(rows)),
                ).fetchall()
        if rows:
            db.executemany("UPDATE leads SET state = 1 WHERE seq = ?", [(row[0],) for row in rows])
            self._counts["waiting_discovery" if discovery else "waiting_stories"] -= len(rows)
            self._counts["claimed"] += len(rows)
        leads = [_row(row) for row in rows]
        for lead in leads:
            lead.state = CLAIMED
        return leads

    def finish(self, url: str) -> bool:
        db = self._write()
        row = db.execute("SELECT state, discovery FROM leads WHERE url = ?", (url,)).fetchone()
        if row is None:
            db.execute(
                f"INSERT INTO leads ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608
                (self._next_seq, url, "article", 0, 0, 0, 0, 0.0, DONE, None, None),
            )
            self._next_seq += 1
            self._counts["done"] += 1
            return True
        state, discovery = row
        if state == DONE:
            return False
        db.execute("UPDATE leads SET state = 2 WHERE url = ?", (url,))
        key = "claimed" if state == CLAIMED else "waiting_discovery" if discovery else "waiting_stories"
        self._counts[key] -= 1
        self._counts["done"] += 1
        return True

    def get(self, url: str) -> Lead | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM leads WHERE url = ?", (url,)).fetchone()  # noqa: S608
        return _row(row) if row else None

    def watermark(self) -> int:
        found = self.db.execute("SELECT min(seq) FROM leads WHERE discovery = 1 AND state < 2").fetchone()[0]
        return found if found is not None else self._next_seq

    def oldest_waiting_story(self) -> Lead | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM leads WHERE discovery = 0 AND state = 0 ORDER BY seq LIMIT 1"  # noqa: S608
        ).fetchone()
        return _row(row) if row else None

    def counts(self) -> dict[str, int]:
        counts = dict(self._counts)
        counts["total"] = sum(counts.values())
        return counts

    def requeue(self) -> int:
        changed = self._write().execute("UPDATE leads SET state = 0 WHERE state = 1").rowcount
        self._recount()
        return changed

    def abandon(self) -> list[str]:
        urls = [url for (url,) in self.db.execute("SELECT url FROM leads WHERE state = 1")]
        if urls:
            self._write().execute("UPDATE leads SET state = 2 WHERE state = 1")
            self._counts["claimed"] -= len(urls)
            self._counts["done"] += len(urls)
        return urls

    # --- stories of the run ---------------------------------------------------------------------

    def claim_story(self, content_hash: str, url: str) -> str:
        db = self._write()
        db.execute("INSERT OR IGNORE INTO stories (content_hash, url) VALUES (?, ?)", (content_hash, url))
        return db.execute("SELECT url FROM stories WHERE content_hash = ?", (content_hash,)).fetchone()[0]

    def story_hash(self, url: str) -> str | None:
        row = self.db.execute("SELECT content_hash FROM stories WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

    def add_alias(self, alias: str, canonical: str, meta: dict[str, Any] | None = None) -> None:
        self._write().execute(
            "INSERT OR REPLACE INTO aliases (alias, canonical, meta) VALUES (?, ?, ?)",
            (alias, canonical, json.dumps(meta) if meta else None),
        )

    def aliases(self, canonical: str) -> list[str]:
        query = "SELECT alias FROM aliases WHERE canonical = ? ORDER BY alias"
        return [alias for (alias,) in self.db.execute(query, (canonical,))]

    def alias_of(self, alias: str) -> tuple[str, bool] | None:
        row = self.db.execute("SELECT canonical, orphan FROM aliases WHERE alias = ?", (alias,)).fetchone()
        return (row[0], bool(row[1])) if row else None

    def orphans(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT alias, meta FROM aliases WHERE orphan = 0"
            " AND NOT EXISTS (SELECT 1 FROM stories WHERE stories.url = aliases.canonical)"
        ).fetchall()
        found = [(alias, json.loads(meta) if meta else {}) for alias, meta in rows]
        found = [(alias, meta) for alias, meta in found if key in meta]
        if found:
            self._write().executemany("UPDATE aliases SET orphan = 1 WHERE alias = ?", [(a,) for a, _ in found])
        return found

    # --- life cycle -----------------------------------------------------------------------------

    def flush(self) -> None:
        if self._in_transaction:
            self.db.execute("COMMIT")
            self._in_transaction = False

    def close(self, *, discard: bool = False) -> None:
        try:
            self.flush()
        finally:
            self.db.close()
        if discard or self.temporary:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
