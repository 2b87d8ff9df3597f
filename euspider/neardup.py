"""Near-duplicate stories: MinHash signatures of word 5-grams, an LSH index on disk (pure, no Scrapy).

``content_hash`` catches identical texts only. The same wire story republished with another first
line, a correction that changes a sentence, a story and its print version differ in a few words,
so they are compared as sets of word 5-grams (shingles) by Jaccard similarity: shared shingles over
all shingles of the two texts. Words are Unicode word characters, case-folded after NFKC (so
quotes, dashes, punctuation and line breaks do not count); Chinese, Japanese and Korean count each
character as a word.

A :class:`Signer` turns a text into a MinHash signature (datasketch, 128 permutations, the
``affine32`` scheme: 512 bytes): the share of equal values between two signatures estimates the
Jaccard similarity (standard error about 0.04 near 0.7). :class:`NearDuplicateIndex` finds, among
the texts indexed before, those whose similarity reaches the threshold, by locality-sensitive
hashing: the signature is cut into ``b`` bands of ``r`` values, and texts that share a band are
candidates, then kept only if their estimated similarity reaches the threshold. ``r`` is the
largest that still makes a text at exactly the threshold a candidate with probability 0.98
(0.6: 32 bands of 4), so the bands miss almost nothing that the estimate would accept.

The index lives in SQLite, not in memory: a table of signatures and a table of band keys
(``WITHOUT ROWID``, one row per band). Its memory is SQLite's page cache (``cache_mb``), whatever
the number of texts; an index of 100,000 texts takes about 150 MB of disk. datasketch's own
``MinHashLSH`` keeps every band in Python dictionaries (or Redis), which grows without bound in
a crawler that runs for months. Without a path the index is a private temporary SQLite file,
deleted on :meth:`NearDuplicateIndex.close`; with one it persists across runs and crawls
(several processes may share it: SQLite's WAL and a busy timeout serialise their writes). The
workers of a crawl shared through Redis, on several hosts, use the same index on Redis instead
(:class:`~euspider.store.redis_neardup.RedisNearDuplicateIndex`, behind :class:`BaseNearDuplicateIndex`).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 1
SCHEME = "affine32"
#: Probability that a text at exactly the threshold shares a band with the indexed one.
BAND_RECALL = 0.98
#: Texts added in one transaction at most, and how long one stays open at most.
BATCH_RECORDS = 200
BATCH_SECONDS = 1.0
#: What a persisted index must have been built with to be read: signatures of other parameters
#: cannot be compared with this version's.
SIGNATURE_PARAMS = f"minhash:{SCHEME}:perm={NUM_PERM}:seed={SEED}:shingle={SHINGLE_WORDS}:nfkc-casefold-words"

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    content_hash TEXT,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
"""


class NearDuplicateIndexError(ValueError):
    """An index file that cannot be used; the message names the file and what is wrong."""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The text's word ``size``-grams (a shorter text is one shingle); empty for a text without words."""
    words = _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())
    if not words:
        return set()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


class Signer:
    """MinHash signatures with one set of permutations, drawn once (drawing them per text would
    cost more than hashing the text)."""

    def __init__(self, num_perm: int = NUM_PERM, seed: int = SEED) -> None:
        from datasketch import MinHash  # a second to import (it loads its LSH back ends): only when used

        self._minhash = MinHash
        self._template = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME)

    def signature(self, text: str) -> np.ndarray | None:
        """The text's signature (``num_perm`` uint32 values), or None for a text without words."""
        grams = shingles(text)
        if not grams:
            return None
        minhash = self._minhash(
            num_perm=self._template.num_perm,
            seed=self._template.seed,
            permutations=self._template.permutations,
            scheme=SCHEME,
        )
        minhash.update_batch(grams)
        return np.asarray(minhash.hashvalues, dtype=np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def bands_for(threshold: float, num_perm: int = NUM_PERM, recall: float = BAND_RECALL) -> tuple[int, int]:
    """``(bands, rows)``: the most rows per band (fewest chance candidates) that still make a pair at
    ``threshold`` a candidate with probability ``recall``: ``1 - (1 - t**r)**b``."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= recall:
            return bands, rows
    return num_perm, 1


@dataclass(frozen=True)
class NearDuplicateSettings:
    """The near-duplicate settings (`EUSPIDER_NEARDUP_ENABLED` and the others): whether to look, from what
    similarity, what to do with a near copy."""

    enabled: bool = True
    #: Low enough to flag a 100-word brief whose first line was rewritten; stories that share a
    #: quoted paragraph or two stay far below it. The similarity is in the record, so a dataset
    #: can ask for more; it cannot ask for less.
    threshold: float = 0.6
    drop: bool = False
    #: The index file; None: beside the crawl state (``EUSPIDER_STATE``), or for the run only.
    index: Path | None = None


@dataclass(frozen=True)
class Match:
    """An earlier indexed text that the new one nearly repeats."""

    url: str
    similarity: float
    content_hash: str | None

    def as_field(self) -> dict[str, object]:
        """As the record's ``near_duplicate_of``."""
        return {"url": self.url, "similarity": round(self.similarity, 4)}


class BaseNearDuplicateIndex:
    """What every near-duplicate index back end shares: the threshold, its bands and the signer;
    :meth:`check` and :meth:`match_and_add` on top of a back end's :meth:`find` and :meth:`add`."""

    def __init__(self, threshold: float) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
        self.threshold = threshold
        self.bands, self.rows = bands_for(threshold)
        self.signer = Signer()

    def band_digests(self, signature: np.ndarray) -> list[bytes]:
        """One 8-byte digest per band: a stable hash of the band's index and values."""
        return [
            hashlib.blake2b(
                signature[band * self.rows : (band + 1) * self.rows].tobytes(),
                digest_size=8,
                person=band.to_bytes(2, "little"),
            ).digest()
            for band in range(self.bands)
        ]

    def band_keys(self, signature: np.ndarray) -> list[int]:
        """The band digests as signed 64-bit integers (SQLite's keys)."""
        return [int.from_bytes(digest, "little", signed=True) for digest in self.band_digests(signature)]

    def find(self, url: str, signature: np.ndarray) -> Match | None:
        raise NotImplementedError

    def add(self, url: str, signature: np.ndarray, content_hash: str | None = None) -> None:
        raise NotImplementedError

    def match_and_add(
        self, url: str, signature: np.ndarray, content_hash: str | None = None, *, index_near: bool = True
    ) -> Match | None:
        """:meth:`find` the text's nearest earlier copy, then index the text unless it is the very text
        of the copy found (equal ``content_hash``: the earlier record stands for it) or, without
        ``index_near``, unless any copy was found (a near copy that is dropped). A back end shared by
        several processes does both in one atomic step, so of two near copies indexed at the same
        moment the second always finds the first."""
        match = self.find(url, signature)
        if match is None or (index_near and not (content_hash and match.content_hash == content_hash)):
            self.add(url, signature, content_hash)
        return match

    def check(self, url: str, text: str, content_hash: str | None = None, *, add: bool = True) -> Match | None:
        """:meth:`find` the text's nearest earlier copy, then (``add``) index it, unless it is the very
        text of the copy found (equal ``content_hash``: the earlier record already stands for it)."""
        signature = self.signer.signature(text)
        if signature is None:
            return None
        if not add:
            return self.find(url, signature)
        return self.match_and_add(url, signature, content_hash)

    def commit(self) -> None:
        """Make the texts added so far visible to other processes and durable."""

    def __len__(self) -> int:
        raise NotImplementedError

    def close(self) -> None:
        self.commit()


class NearDuplicateIndex(BaseNearDuplicateIndex):
    """Texts seen so far, by signature, in SQLite; :meth:`find` the nearest earlier one, :meth:`add` a new one.

    ``path`` None: a private temporary file (this run only). A persisted index records the
    signature parameters (another version's file is refused with :class:`NearDuplicateIndexError`)
    and the bands, which are rebuilt from the stored signatures when the threshold changes.
    """

    def __init__(self, path: str | Path | None, threshold: float, *, cache_mb: int = 16) -> None:
        super().__init__(threshold)
        self.path = Path(path) if path is not None else None
        self._pending = 0
        self._batch_started = 0.0
        self._closed = False
        try:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path) if self.path else "", isolation_level=None, timeout=30)
            if self.path is not None:
                self.db.execute("PRAGMA journal_mode=WAL")
            # the index is a cache of what was written: losing its last commits on power loss only
            # means a few texts are not matched against, so commits need no fsync of their own
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
            self.db.executescript(_TABLES)
            self._check_params()
        except sqlite3.DatabaseError as err:
            raise NearDuplicateIndexError(f"{self.path}: not a near-duplicate index ({err})") from err
        except OSError as err:
            raise NearDuplicateIndexError(f"{self.path}: cannot open the near-duplicate index ({err})") from err

    # --- set-up -----------------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _check_params(self) -> None:
        params = self._meta("signature")
        if params is None:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('signature', ?)", (SIGNATURE_PARAMS,))
        elif params != SIGNATURE_PARAMS:
            raise NearDuplicateIndexError(
                f"{self.path}: built with {params}, this euspider uses {SIGNATURE_PARAMS}; "
                "delete the file (or name another) to start a new index"
            )
        bands = f"{self.bands}x{self.rows}"
        if self._meta("bands") != bands:
            self._rebuild_bands(bands)

    def _rebuild_bands(self, bands: str) -> None:
        """Band keys for a new threshold, from the stored signatures (one transaction)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("DELETE FROM bands")
            rows = self.db.execute("SELECT id, signature FROM docs").fetchall()
            for doc, blob in rows:
                keys = self.band_keys(np.frombuffer(blob, dtype=np.uint32))
                self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, doc) for k in keys])
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('bands', ?)", (bands,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # --- use --------------------------------------------------------------------------------------

    def find(self, url: str, signature: np.ndarray) -> Match | None:
        """The most similar earlier text at another URL whose similarity reaches the threshold
        (the earliest indexed among equals), or None."""
        keys = self.band_keys(signature)
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT id, url, content_hash, signature FROM docs WHERE id IN "  # noqa: S608 - placeholders only
            f"(SELECT DISTINCT doc FROM bands WHERE key IN ({marks})) ORDER BY id",
            keys,
        ).fetchall()
        best: Match | None = None
        for _, other_url, other_hash, blob in rows:
            if other_url == url:  # an earlier version of this story, not another story
                continue
            score = similarity(signature, np.frombuffer(blob, dtype=np.uint32))
            if score >= self.threshold and (best is None or score > best.similarity):
                best = Match(other_url, score, other_hash)
        return best

    def add(self, url: str, signature: np.ndarray, content_hash: str | None = None) -> None:
        """Index a text under its URL (a URL indexed before is replaced: its new version).

        Writes are batched: a transaction stays open for up to :data:`BATCH_RECORDS` texts or
        :data:`BATCH_SECONDS` (a commit per text would cost more than the search). This connection
        sees its uncommitted texts; other processes sharing the file see them after the commit, and
        a crash loses at most one batch (texts not matched against later, nothing else)."""
        keys = self.band_keys(signature)
        if not self.db.in_transaction:
            self.db.execute("BEGIN IMMEDIATE")
            self._batch_started = time.monotonic()
        try:
            old = self.db.execute("SELECT id, signature FROM docs WHERE url = ?", (url,)).fetchone()
            if old is not None:
                stale = self.band_keys(np.frombuffer(old[1], dtype=np.uint32))
                self.db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", [(k, old[0]) for k in stale])
                self.db.execute("DELETE FROM docs WHERE id = ?", (old[0],))
            doc = self.db.execute(
                "INSERT INTO docs (url, content_hash, signature) VALUES (?, ?, ?)",
                (url, content_hash, signature.astype(np.uint32).tobytes()),
            ).lastrowid
            self.db.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, doc) for k in keys])
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self._pending += 1
        if self._pending >= BATCH_RECORDS or time.monotonic() - self._batch_started >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Make the texts added so far visible to other processes and durable."""
        if self.db.in_transaction:
            self.db.execute("COMMIT")
        self._pending = 0

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def close(self) -> None:
        """Commit and close (once; closing again does nothing)."""
        if self._closed:
            return
        self.commit()
        self.db.close()
        self._closed = True


__all__ = [
    "BaseNearDuplicateIndex",
    "Match",
    "NearDuplicateIndex",
    "NearDuplicateIndexError",
    "NearDuplicateSettings",
    "Signer",
    "bands_for",
    "shingles",
    "similarity",
]
