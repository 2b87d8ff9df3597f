"""The near-duplicate index on Redis: one index for every worker of a shared crawl (pure, no Scrapy).

:class:`RedisNearDuplicateIndex` is :class:`~euspider.neardup.NearDuplicateIndex` on a Redis server:
the same MinHash signatures, bands and methods, passing the same tests, so a near copy that one
worker writes is linked (``near_duplicate_of``) to the story another worker wrote. Finding a text's
nearest copy and indexing it is one Lua script (:meth:`~RedisNearDuplicateIndex.match_and_add`), so
of two near copies written by two workers at the same moment, the second always finds the first.

Keys (``P`` = the index's prefix: ``euspider:<spider>:neardup`` for one crawl, or
``euspider-state:<name>:neardup`` beside a crawl state in Redis, kept across crawls):

- ``P:docs`` (id -> the signature's 512 bytes, then the content hash, a newline and the URL);
- ``P:ids`` (URL -> id; a URL indexed again gets a new id, and its old entry goes);
- ``P:band:<i>`` (the band's 8-byte digest -> the ids sharing it, 4 bytes each): the LSH buckets.
  Ids of replaced versions stay in their buckets until the bands are rebuilt and are skipped
  (their ``P:docs`` entry is gone);
- ``P:seq`` (the last id), ``P:meta`` (``signature``: the signature parameters; ``bands``: ``32x4``).

The bands are rebuilt from the stored signatures when the threshold changes (by one worker, the
others wait for it); all workers of a crawl should use one threshold.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np
import redis

from ..neardup import SIGNATURE_PARAMS, BaseNearDuplicateIndex, Match, NearDuplicateIndexError

#: Signature bytes (``NUM_PERM`` uint32 values).
_SIGNATURE_BYTES = 512
#: How long a rebuild of the bands may take before another worker takes it over.
REBUILD_SECONDS = 600

# ARGV: prefix, url, content hash, signature, equal values needed, mode (0: find only; 1: index unless
# the match has the same content hash; 2: index only without a match; 3: index, no search), then one
# digest per band.
# -> false, or {url, equal values, content hash} of the best earlier text (the earliest among equals).
_MATCH_AND_ADD = """
local P, url, h, sig = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local need, mode = tonumber(ARGV[5]), tonumber(ARGV[6])
local nbands = #ARGV - 6
local seen, ids = {}, {}
for b = 1, (mode == 3 and 0 or nbands) do
  local packed = redis.call('HGET', P .. ':band:' .. (b - 1), ARGV[6 + b])
  if packed then
    for i = 1, #packed, 4 do
      local id = struct.unpack('>I4', packed, i)
      if not seen[id] then
        seen[id] = true
        table.insert(ids, id)
      end
    end
  end
end
table.sort(ids)
local n = #sig
local best, bestscore, besthash = nil, -1, nil
for _, id in ipairs(ids) do
  local doc = redis.call('HGET', P .. ':docs', id)
  if doc then
    local nl = string.find(doc, '\\n', n + 1, true)
    local du = string.sub(doc, nl + 1)
    if du ~= url then
      local eq = 0
      for i = 1, n, 4 do
        if string.sub(sig, i, i + 3) == string.sub(doc, i, i + 3) then eq = eq + 1 end
      end
      if eq >= need and eq > bestscore then
        best, bestscore, besthash = du, eq, string.sub(doc, n + 1, nl - 1)
      end
    end
  end
end
local add = mode == 3 or (mode == 1 and not (best and h ~= '' and besthash == h)) or (mode == 2 and not best)
if add then
  local old = redis.call('HGET', P .. ':ids', url)
  if old then redis.call('HDEL', P .. ':docs', old) end
  local id = redis.call('INCR', P .. ':seq')
  redis.call('HSET', P .. ':ids', url, id)
  redis.call('HSET', P .. ':docs', id, sig .. h .. '\\n' .. url)
  local packed = struct.pack('>I4', id)
  for b = 1, nbands do
    local key = P .. ':band:' .. (b - 1)
    local cur = redis.call('HGET', key, ARGV[6 + b]) or ''
    redis.call('HSET', key, ARGV[6 + b], cur .. packed)
  end
end
if best then return {best, bestscore, besthash} end
return false
"""


def binary_client(url: str) -> redis.Redis:
    """A client for the index (signatures are bytes: no decoding of replies), checked with PING."""
    from .redis import RedisStoreError, safe_url

    try:
        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as err:
        raise RedisStoreError(f"{safe_url(url)}: cannot use this Redis server ({err})") from err
    return client


class RedisNearDuplicateIndex(BaseNearDuplicateIndex):
    """The near-duplicate index under ``prefix`` on Redis, shared by every process that names it.

    ``client`` must not decode replies (:func:`binary_client`). Every change is in Redis when its call
    returns: nothing is batched, and :meth:`commit` has nothing to do."""

    def __init__(self, client: redis.Redis, prefix: str, threshold: float) -> None:
        super().__init__(threshold)
        self.client = client
        self.prefix = prefix
        self.path = None
        self._needed = next(k for k in range(_SIGNATURE_BYTES // 4 + 1) if k / (_SIGNATURE_BYTES // 4) >= threshold)
        self._script = client.register_script(_MATCH_AND_ADD)
        try:
            self._check_params()
        except redis.RedisError as err:
            raise NearDuplicateIndexError(f"{prefix}: cannot use the near-duplicate index ({err})") from err

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # --- set-up -----------------------------------------------------------------------------------

    def _check_params(self) -> None:
        meta = self._key("meta")
        self.client.hsetnx(meta, "signature", SIGNATURE_PARAMS)
        params = self.client.hget(meta, "signature")
        if params is not None and params.decode() != SIGNATURE_PARAMS:
            raise NearDuplicateIndexError(
                f"{self.prefix}: built with {params.decode()}, this euspider uses {SIGNATURE_PARAMS}; "
                f"delete its keys ({self.prefix}:*) to start a new index"
            )
        bands = f"{self.bands}x{self.rows}".encode()
        if self.client.hsetnx(meta, "bands", bands) or self.client.hget(meta, "bands") == bands:
            return
        deadline = time.monotonic() + REBUILD_SECONDS
        while self.client.hget(meta, "bands") != bands:
            if self.client.set(self._key("rebuilding"), b"1", nx=True, ex=REBUILD_SECONDS):
                try:
                    self._rebuild_bands(bands)
                finally:
                    self.client.delete(self._key("rebuilding"))
                return
            if time.monotonic() > deadline:
                raise NearDuplicateIndexError(f"{self.prefix}: another worker is still rebuilding the bands")
            time.sleep(0.2)

    def _rebuild_bands(self, bands: bytes) -> None:
        """Buckets for a new threshold, from the stored signatures."""
        stale = list(self.client.scan_iter(match=self._key("band:*"), count=1000))
        for start in range(0, len(stale), 500):
            self.client.unlink(*stale[start : start + 500])
        buckets: dict[tuple[int, bytes], bytearray] = defaultdict(bytearray)
        for doc, blob in self.client.hscan_iter(self._key("docs"), count=1000):
            signature = np.frombuffer(blob[:_SIGNATURE_BYTES], dtype=np.uint32)
            packed = int(doc).to_bytes(4, "big")
            for band, digest in enumerate(self.band_digests(signature)):
                buckets[band, digest] += packed
        pipe = self.client.pipeline(transaction=False)
        for count, ((band, digest), ids) in enumerate(buckets.items(), 1):
            pipe.hset(self._key(f"band:{band}"), digest, bytes(ids))
            if count % 5000 == 0:
                pipe.execute()
        pipe.hset(self._key("meta"), "bands", bands)
        pipe.execute()

    # --- use --------------------------------------------------------------------------------------

    def _call(self, url: str, signature: np.ndarray, content_hash: str | None, mode: int) -> Match | None:
        blob = signature.astype(np.uint32).tobytes()
        found: Any = self._script(
            args=[self.prefix, url, content_hash or "", blob, self._needed, mode, *self.band_digests(signature)]
        )
        if not found:
            return None
        other, equal, other_hash = found
        return Match(other.decode(), int(equal) / len(signature), other_hash.decode() or None)

    def find(self, url: str, signature: np.ndarray) -> Match | None:
        """The most similar earlier text at another URL whose similarity reaches the threshold
        (the earliest indexed among equals), or None."""
        return self._call(url, signature, None, 0)

    def add(self, url: str, signature: np.ndarray, content_hash: str | None = None) -> None:
        """Index a text under its URL (a URL indexed before is replaced: its new version)."""
        self._call(url, signature, content_hash, 3)

    def match_and_add(
        self, url: str, signature: np.ndarray, content_hash: str | None = None, *, index_near: bool = True
    ) -> Match | None:
        return self._call(url, signature, content_hash, 1 if index_near else 2)

    def __len__(self) -> int:
        return int(self.client.hlen(self._key("ids")))

    def close(self) -> None:
        self.client.close()


__all__ = ["RedisNearDuplicateIndex", "binary_client"]
