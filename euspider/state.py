"""What a scheduled crawl remembers between runs: a SQLite file, or Redis for a shared crawl (pure, no Scrapy).

Per story URL: its content hash and version, the HTTP validators (``ETag``, ``Last-Modified``) of its
last capture, when it was first and last seen, which run last wrote it and which run last saw it, and,
for a story that another URL already carries, that URL. Per requested URL that redirected: the URL it
led to, so the next run can ask conditionally under either. Per run: its output file, how far into it
every record is known to be on disk, and its counts so far.

A record counts as done only once its line is durably written (:mod:`euspider.runs`). Writes are
batched: :meth:`CrawlState.touch`, :meth:`CrawlState.record_duplicate` and
:meth:`CrawlState.record_redirect` are staged in memory and applied, with the records just made
durable, in one transaction by :meth:`CrawlState.commit_batch`; a crash loses only staged writes,
which the next run makes again. After a crash the output file is the truth, and the run brings the
store up to it.

The public methods of :class:`StateStore` are the whole interface a crawl uses (no SQL outside this
module). Two back ends stand behind them and pass the same tests: :class:`CrawlState`, a SQLite file of
one process, and :class:`~euspider.store.redis_state.RedisCrawlState`, shared by the workers of a crawl
on Redis (``EUSPIDER_STATE=redis:<name>``); :func:`open_state` opens the one a setting names.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 2
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
    duplicate_of TEXT,
    written_run TEXT,
    seen_run TEXT
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles (content_hash);
CREATE INDEX IF NOT EXISTS articles_written_run ON articles (written_run);
CREATE INDEX IF NOT EXISTS articles_seen_run ON articles (seen_run);
CREATE TABLE IF NOT EXISTS redirects (url TEXT PRIMARY KEY, final_url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    spider TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    finish_reason TEXT,
    output TEXT NOT NULL,
    committed_offset INTEGER NOT NULL DEFAULT 0,
    manifest TEXT,
    progress TEXT
);
"""
#: Schema 1 files (no run columns on articles, no redirects, no progress) are brought up to schema 2.
_MIGRATE_1 = (
    "ALTER TABLE articles ADD COLUMN written_run TEXT",
    "ALTER TABLE articles ADD COLUMN seen_run TEXT",
    "ALTER TABLE runs ADD COLUMN progress TEXT",
)

_UPSERT = """INSERT INTO articles
    (url, content_hash, version, etag, last_modified, first_seen, last_seen, written_run, seen_run)
  VALUES (:url, :content_hash, :version, :etag, :last_modified, :seen, :seen, :run, :run)
  ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash, version = excluded.version,
    etag = COALESCE(excluded.etag, articles.etag),
    last_modified = COALESCE(excluded.last_modified, articles.last_modified),
    last_seen = excluded.last_seen, duplicate_of = NULL,
    written_run = excluded.written_run, seen_run = excluded.seen_run"""
_TOUCH = """UPDATE articles SET last_seen = ?, etag = COALESCE(?, etag),
    last_modified = COALESCE(?, last_modified), seen_run = COALESCE(?, seen_run) WHERE url = ?"""
_DUPLICATE = """INSERT INTO articles
    (url, content_hash, version, etag, last_modified, first_seen, last_seen, duplicate_of, seen_run)
  VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(url) DO UPDATE SET content_hash = excluded.content_hash, last_seen = excluded.last_seen,
    duplicate_of = excluded.duplicate_of, etag = excluded.etag, last_modified = excluded.last_modified,
    seen_run = excluded.seen_run"""
_REDIRECT = """INSERT INTO redirects (url, final_url) VALUES (?, ?)
  ON CONFLICT(url) DO UPDATE SET final_url = excluded.final_url"""


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


#: ``EUSPIDER_STATE`` values starting so name a state kept in the crawl's Redis, not a SQLite file.
REDIS_STATE = "redis:"


def redis_state_name(location: str | Path) -> str | None:
    """The state's name in Redis when ``location`` is ``redis:<name>``, else None (a SQLite file)."""
    text = str(location)
    return text.removeprefix(REDIS_STATE) if text.startswith(REDIS_STATE) else None


def open_state(location: str | Path, redis_url: str | None = None) -> StateStore:
    """The state ``location`` names: ``redis:<name>`` in the Redis at ``redis_url``, else a SQLite file."""
    name = redis_state_name(location)
    if name is None:
        return CrawlState(location)
    if not name or "%" in name:
        raise StateError(f"{location}: a state in Redis needs a name (redis:<name>, e.g. redis:%(name)s)")
    if not redis_url:
        raise StateError(f"{location}: a state in Redis needs EUSPIDER_REDIS_URL")
    from .store.redis import RedisStoreError, connect
    from .store.redis_state import RedisCrawlState

    try:
        return RedisCrawlState(connect(redis_url), name, url=redis_url)
    except RedisStoreError as err:
        raise StateError(str(err)) from err


# A staged write: (kind, values); kinds "touch", "duplicate", "redirect", applied by the next commit.
Staged = tuple[str, dict[str, Any]]


class StateStore(ABC):
    """What a scheduled crawl remembers between runs (see the module's description). Writes of
    unchanged stories, duplicates and redirects are staged here and applied by each back end's
    :meth:`commit_batch`, with the records just made durable, in one transaction."""

    def __init__(self) -> None:
        self._staged: list[Staged] = []
        self._run: str | None = None

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the state is, for logs and manifests (a file, or a Redis key prefix and server)."""

    @abstractmethod
    def close(self) -> None: ...

    # --- stories ----------------------------------------------------------------------------------

    @abstractmethod
    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) of the last capture of ``url`` (a record, or a duplicate of one), or,
        when ``url`` redirected last time, of the URL it led to."""

    @abstractmethod
    def redirect_of(self, url: str) -> str | None:
        """The URL a request for ``url`` ended at last time, when it redirected."""

    @abstractmethod
    def decide(self, url: str, content_hash: str) -> Decision:
        """``new`` (version 1), ``changed`` (the next version), ``unchanged`` (same text as the last
        version), or ``duplicate`` (another URL's story, written before)."""

    @abstractmethod
    def commit_written(self, rows: Iterable[dict[str, Any]]) -> None:
        """Mark records as done, in one transaction: each row has url, content_hash, version, seen,
        and optionally etag and last_modified."""

    # --- staged writes: applied by the next commit --------------------------------------------------

    @property
    def staged(self) -> int:
        """Writes waiting for the next commit."""
        return len(self._staged)

    def touch(self, url: str, seen: str, etag: str | None = None, last_modified: str | None = None) -> None:
        """An unchanged capture: remember when, and newer validators if the server sent them."""
        self._staged.append(
            ("touch", {"url": url, "seen": seen, "etag": etag, "last_modified": last_modified, "run": self._run})
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
        values = {"url": url, "content_hash": content_hash, "owner": owner, "seen": seen, "etag": etag,
                  "last_modified": last_modified, "run": self._run}  # fmt: skip
        self._staged.append(("duplicate", values))

    def record_redirect(self, url: str, final_url: str) -> None:
        """A request for ``url`` ended at ``final_url`` (where the story's state is kept)."""
        if url != final_url:
            self._staged.append(("redirect", {"url": url, "final_url": final_url}))

    # --- runs -------------------------------------------------------------------------------------

    @abstractmethod
    def run(self, run_id: str) -> dict[str, Any] | None:
        """A run as the store knows it: output, committed offset, finish, and ``progress`` (the counts
        committed so far, as :meth:`commit_batch` was given them)."""

    @abstractmethod
    def finished_manifests(self, spider: str, before: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        """Manifests of ``spider``'s last ``limit`` finished runs (other than run ``before``), newest first."""

    @abstractmethod
    def start_run(self, run_id: str, spider: str, started: str, output: str) -> None:
        """Begin (or, for a run already known, continue) ``run_id``: later writes belong to it."""

    @abstractmethod
    def done_in_run(self, run_id: str) -> tuple[set[str], set[str]]:
        """(URLs whose record this run wrote, URLs this run found unchanged or duplicate), as committed."""

    @abstractmethod
    def set_offset(self, run_id: str, offset: int) -> None: ...

    @abstractmethod
    def finish_run(self, run_id: str, finished: str, reason: str, manifest: dict[str, Any]) -> None: ...

    @abstractmethod
    def commit_batch(
        self, run_id: str, offset: int, rows: Iterable[dict[str, Any]], progress: dict[str, Any] | None = None
    ) -> list[str]:
        """Records written up to ``offset`` of the run's output are done, with every staged write and
        the run's ``progress``: one transaction. Returns the URLs of rows not applied because the
        store holds a later version of them already (another worker of a shared state wrote it)."""


class CrawlState(StateStore):
    """The state in a SQLite file: one process's (SQLite's locking is not to be trusted on a folder
    shared between hosts, so a crawl shared through Redis keeps its state there instead)."""

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a commit is durable: it follows the output's fsync
            check = self.db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise StateError(f"{self.path}: the state file is damaged ({check[0] if check else 'no answer'})")
            found = self._schema()
            if found is not None and found > SCHEMA:
                raise StateError(f"{self.path}: state schema {found}, this euspider reads schema {SCHEMA}")
            if found != SCHEMA:  # a new file, or one of schema 1
                with self._transaction():
                    if found == 1:
                        for statement in _MIGRATE_1:
                            self.db.execute(statement)
                    for statement in _TABLES.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        except sqlite3.DatabaseError as err:
            raise StateError(f"{self.path}: not a euspider state file ({err})") from err
        except OSError as err:
            raise StateError(f"{self.path}: cannot open the state file ({err})") from err

    @property
    def location(self) -> str:
        return str(self.path)

    def _schema(self) -> int | None:
        has_meta = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        found = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() if has_meta else None
        return int(found[0]) if found else None

    def close(self) -> None:
        self.db.close()

    # --- stories ----------------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        for candidate in (url, self.redirect_of(url)):
            if candidate is None:
                continue
            row = self.db.execute("SELECT etag, last_modified FROM articles WHERE url = ?", (candidate,)).fetchone()
            if row is not None and (row[0] or row[1]):
                return row[0], row[1]
        return None, None

    def redirect_of(self, url: str) -> str | None:
        row = self.db.execute("SELECT final_url FROM redirects WHERE url = ?", (url,)).fetchone()
        return row[0] if row else None

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
        with self._transaction():
            self._apply_staged()
            self._upsert(rows)

    # --- runs -------------------------------------------------------------------------------------

    def run(self, run_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT run_id, spider, started, finished, finish_reason, output, committed_offset, progress"
            " FROM runs WHERE run_id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            return None
        keys = ("run_id", "spider", "started", "finished", "finish_reason", "output", "committed_offset")
        found = dict(zip(keys, row[:-1], strict=True))
        found["progress"] = json.loads(row[-1]) if row[-1] else {}
        return found

    def finished_manifests(self, spider: str, before: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT manifest FROM runs WHERE spider = ? AND finished IS NOT NULL AND manifest IS NOT NULL"
            " AND run_id != ? ORDER BY finished DESC, started DESC LIMIT ?",
            (spider, before or "", limit),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def start_run(self, run_id: str, spider: str, started: str, output: str) -> None:
        self._run = run_id
        self.db.execute(
            "INSERT OR IGNORE INTO runs (run_id, spider, started, output) VALUES (?, ?, ?, ?)",
            (run_id, spider, started, output),
        )
        self.db.execute("UPDATE runs SET finished = NULL, finish_reason = NULL WHERE run_id = ?", (run_id,))

    def done_in_run(self, run_id: str) -> tuple[set[str], set[str]]:
        written = {r[0] for r in self.db.execute("SELECT url FROM articles WHERE written_run = ?", (run_id,))}
        seen = {r[0] for r in self.db.execute("SELECT url FROM articles WHERE seen_run = ?", (run_id,))}
        return written, seen - written

    def set_offset(self, run_id: str, offset: int) -> None:
        self.db.execute("UPDATE runs SET committed_offset = ? WHERE run_id = ?", (offset, run_id))

    def finish_run(self, run_id: str, finished: str, reason: str, manifest: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, finish_reason = ?, manifest = ? WHERE run_id = ?",
            (finished, reason, json.dumps(manifest, ensure_ascii=False), run_id),
        )

    def commit_batch(
        self, run_id: str, offset: int, rows: Iterable[dict[str, Any]], progress: dict[str, Any] | None = None
    ) -> None:
        with self._transaction():
            self._apply_staged()
            self._upsert(rows, run_id)
            self.set_offset(run_id, offset)
            if progress is not None:
                self.db.execute(
                    "UPDATE runs SET progress = ? WHERE run_id = ?", (json.dumps(progress, ensure_ascii=False), run_id)
                )
        return []  # one process: no other writer

    def _apply_staged(self) -> None:
        for kind, v in self._staged:
            if kind == "touch":
                self.db.execute(_TOUCH, (v["seen"], v["etag"], v["last_modified"], v["run"], v["url"]))
            elif kind == "duplicate":
                params = (v["url"], v["content_hash"], v["etag"], v["last_modified"], v["seen"], v["seen"],
                          v["owner"], v["run"])  # fmt: skip
                self.db.execute(_DUPLICATE, params)
            else:
                self.db.execute(_REDIRECT, (v["url"], v["final_url"]))
        self._staged.clear()

    def _upsert(self, rows: Iterable[dict[str, Any]], run_id: str | None = None) -> None:
        for row in rows:
            self.db.execute(_UPSERT, {"etag": None, "last_modified": None, "run": run_id or self._run, **row})

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
