"""The near-duplicate index on Redis: one index for every worker of a shared crawl (pure, no Scrapy).

:class:`RedisNearDuplicateIndex` is :class:`~euspider.neardup.NearDuplicateIndex` on a Redis server:
the same MinHash signatures, bands and methods, passing the same tests, so a near copy that one
worker writes is linked (``near_duplicate_of``) to the story another worker wrote. Finding a text's
nearest copy and indexing it is one Lua script (:meth:`~RedisNearDuplicateIndex.match_and_add`), so
of two near copies written by two workers at the same moment, the second always finds the first.

Keys (``P`` = the index's prefix: ``euspider:<spider>:neardup`` for one crawl, or
``euspider-state:<name>:neardup`` beside a crawl state in Redis, kept across crawls), laid out so that
an indexed text costs little more than its signature, URL and content hash (no key of its own):

- ``P:s:<g>``: the signatures of texts ``127 g + 1`` to ``127 g + 127``, 512 bytes each at a fixed
  offset in one string (one 64 KiB allocation);
- ``P:d:<g>``: a list of the same texts' content hash (its length in one byte, then a SHA-256 as 32
  bytes, or the text as given) and URL; a URL indexed again gets a new id, and its old entry is
  emptied;
- ``P:b:<n>``: the LSH buckets, small hashes in Redis's compact listpack encoding: the 8-byte digest
  of each band (and of each URL) without its first byte -> the ids sharing it, in decimal, separated by
  commas. Digests go to buckets by linear hashing: ``2**level + split`` buckets, at least 256; after
  an insertion that leaves more than :data:`BUCKET_LOAD` entries per bucket on average, bucket
  ``split`` is split in two. A URL's digest finds the id of its earlier version. Ids of replaced
  versions stay in the band buckets until the bands are rebuilt and are skipped (their entry in
  ``P:d`` is empty; their signature's 512 bytes stay);
- ``P:meta``: ``signature`` (the signature parameters), ``layout`` (:data:`LAYOUT`; an index of an
  earlier layout is refused), ``bands`` (``32x4``), ``seq`` (the last id), ``docs`` (URLs indexed),
  ``lh_level``, ``lh_split``, ``lh_entries`` (the buckets' state and entry count).

The bands are rebuilt from the stored signatures when the threshold changes (by one worker, the
others wait for it); all workers of a crawl should use one threshold.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from typing import Any

import numpy as np
import redis

from ..neardup import SIGNATURE_PARAMS, BaseNearDuplicateIndex, Match, NearDuplicateIndexError

#: Signature bytes (``NUM_PERM`` uint32 values).
_SIGNATURE_BYTES = 512
#: Texts per ``P:s:<g>`` / ``P:d:<g>`` group: 127 signatures (65,024 bytes) and the string's header
#: fit one 64 KiB allocation.
GROUP = 127
#: Bucket entries per bucket, on average, past which the next bucket is split. A bucket not yet split
#: in a round holds up to twice as many, still under Redis's ``hash-max-listpack-entries`` (128), so
#: the buckets stay in the compact listpack encoding.
BUCKET_LOAD = 56
#: The fewest buckets: ``2**MIN_LEVEL``. A bucket's number then names its digests' first byte, which
#: its fields leave out.
MIN_LEVEL = 8
#: The key layout; an index of another layout is refused.
LAYOUT = b"2"
#: How long a rebuild of the bands may take before another worker takes it over.
REBUILD_SECONDS = 600

# ARGV: prefix, url, content hash (encoded), signature, equal values needed, mode (0: find only;
# 1: index unless the match has the same content hash; 2: index only without a match; 3: index, no
# search), the URL's digest, then one digest per band. An index whose keys were dropped (its meta has
# no layout: the crawl's keys went at its end while a worker was still writing) is left alone, so
# no stray keys outlive it.
# -> false, or {url, equal values, content hash} of the best earlier text (the earliest among equals).
_MATCH_AND_ADD = (
    """
local P, url, h, sig = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local need, mode, udig = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local nbands = #ARGV - 7
local G, LOAD, n = @GROUP@, @LOAD@, #sig
local meta = P .. ':meta'
local st = redis.call('HMGET', meta, 'lh_level', 'lh_split', 'layout')
if not st[3] then return false end
local level, split = tonumber(st[1]) or MIN_LEVEL, tonumber(st[2]) or 0
local function addr(d, lv, sp)
  local x = struct.unpack('<I4', d)
  local a = x % 2 ^ lv
  if a < sp then a = x % 2 ^ (lv + 1) end
  return a
end
local function bucket(d) return P .. ':b:' .. string.format('%d', addr(d, level, split)) end
local function place(id) return string.format('%d', math.floor((id - 1) / G)), (id - 1) % G end
local function info(id)
  local g, k = place(id)
  local m = redis.call('LINDEX', P .. ':d:' .. g, k)
  if not m or m == '' then return nil end
  local hl = string.byte(m, 1)
  return g, k, string.sub(m, 2, 1 + hl), string.sub(m, 2 + hl)
end
local seen, ids, held = {}, {}, {}
for b = 1, (mode == 3 and 0 or nbands) do
  local d = ARGV[7 + b]
  local v = redis.call('HGET', bucket(d), string.sub(d, 2))
  held[b] = v
  if v then
    for s in string.gmatch(v, '%d+') do
      local id = tonumber(s)
      if not seen[id] then
        seen[id] = true
        table.insert(ids, id)
      end
    end
  end
end
table.sort(ids)
local best, bestscore, besthash = nil, -1, nil
for _, id in ipairs(ids) do
  local g, k, dh, du = info(id)
  if g and du ~= url then
    local other = redis.call('GETRANGE', P .. ':s:' .. g, k * n, k * n + n - 1)
    local eq = 0
    for i = 1, n, 4 do
      if string.sub(sig, i, i + 3) == string.sub(other, i, i + 3) then eq = eq + 1 end
    end
    if eq >= need and eq > bestscore then
      best, bestscore, besthash = du, eq, dh
    end
  end
end
local add = mode == 3 or (mode == 1 and not (best and h ~= '' and besthash == h)) or (mode == 2 and not best)
if add then
  local ukey = bucket(udig)
  local ufield = string.sub(udig, 2)
  local cur = redis.call('HGET', ukey, ufield)
  local keep, replaced, new = {}, false, 0
  if cur then
    for s in string.gmatch(cur, '%d+') do
      local g, k, _, du = info(tonumber(s))
      if g and du == url then
        redis.call('LSET', P .. ':d:' .. g, k, '')
        replaced = true
      elseif g then
        table.insert(keep, s)
      end
    end
  else
    new = new + 1
  end
  local id = redis.call('HINCRBY', meta, 'seq', 1)
  local g, k = place(id)
  if k == 0 then redis.call('SET', P .. ':s:' .. g, string.rep('\\0', G * n)) end
  redis.call('SETRANGE', P .. ':s:' .. g, k * n, sig)
  redis.call('RPUSH', P .. ':d:' .. g, string.char(#h) .. h .. url)
  if not replaced then redis.call('HINCRBY', meta, 'docs', 1) end
  local sid = string.format('%d', id)
  table.insert(keep, sid)
  redis.call('HSET', ukey, ufield, table.concat(keep, ','))
  for b = 1, nbands do
    local d = ARGV[7 + b]
    local key, field = bucket(d), string.sub(d, 2)
    local v = held[b]
    if mode == 3 then v = redis.call('HGET', key, field) end
    if v then
      redis.call('HSET', key, field, v .. ',' .. sid)
    else
      redis.call('HSET', key, field, sid)
      new = new + 1
    end
  end
  local entries = redis.call('HINCRBY', meta, 'lh_entries', new)
  local count = 2 ^ level + split
  if entries > LOAD * count then
    while entries > LOAD * count do
      local old = P .. ':b:' .. string.format('%d', split)
      local all = redis.call('HGETALL', old)
      local high = P .. ':b:' .. string.format('%d', split + 2 ^ level)
      local moved, gone, first = {}, {}, string.char(split % 256)
      for i = 1, #all, 2 do
        if addr(first .. all[i], level + 1, 0) ~= split then
          table.insert(moved, all[i])
          table.insert(moved, all[i + 1])
          table.insert(gone, all[i])
        end
      end
      for i = 1, #gone, 200 do
        redis.call('HDEL', old, unpack(gone, i, math.min(i + 199, #gone)))
      end
      for i = 1, #moved, 200 do
        redis.call('HSET', high, unpack(moved, i, math.min(i + 199, #moved)))
      end
      split = split + 1
      if split == 2 ^ level then level, split = level + 1, 0 end
      count = count + 1
    end
    redis.call('HSET', meta, 'lh_level', level, 'lh_split', split)
  end
end
if best then return {best, bestscore, besthash} end
return false
""".replace("@GROUP@", str(GROUP))
    .replace("@LOAD@", str(BUCKET_LOAD))
    .replace("MIN_LEVEL", str(MIN_LEVEL))
)


# ARGV: the meta key, signature parameters, layout -> the index's {signature parameters, layout}, a new
# index written with these.
_CREATE_META = """
if redis.call('HEXISTS', ARGV[1], 'signature') == 0 then
  redis.call('HSET', ARGV[1], 'signature', ARGV[2], 'layout', ARGV[3])
end
return redis.call('HMGET', ARGV[1], 'signature', 'layout')
"""


def encode_hash(content_hash: str | None) -> bytes:
    """A content hash as stored: ``sha256:`` and 64 hex digits as a zero byte and the 32 bytes, any
    other text as it is (at most 255 bytes)."""
    if not content_hash:
        return b""
    if len(content_hash) == 71 and content_hash.startswith("sha256:"):
        try:
            return b"\0" + bytes.fromhex(content_hash[7:])
        except ValueError:
            pass
    raw = content_hash.encode()
    if len(raw) > 255 or raw.startswith(b"\0"):
        raise ValueError(f"content hash not storable in the near-duplicate index: {content_hash[:80]!r}")
    return raw


def decode_hash(raw: bytes) -> str | None:
    if not raw:
        return None
    if raw[:1] == b"\0":
        return "sha256:" + raw[1:].hex()
    return raw.decode()


def url_digest(url: str) -> bytes:
    """The 8-byte digest under which a URL's ids are kept (in the buckets, beside the band digests)."""
    return hashlib.blake2b(url.encode(), digest_size=8, person=b"url").digest()


def bucket_of(digest: bytes, level: int, split: int) -> int:
    """The bucket of a digest (linear hashing: ``2**level + split`` buckets)."""
    x = int.from_bytes(digest[:4], "little")
    a = x % 2**level
    return x % 2 ** (level + 1) if a < split else a


def binary_client(url: str) -> redis.Redis:
    """A client for the index (signatures are bytes: no decoding of replies), checked with PING."""
    from .redis import connect

    return connect(url, decode=False)


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
        params, layout = self.client.eval(_CREATE_META, 0, meta, SIGNATURE_PARAMS, LAYOUT)
        if params is not None and params.decode() != SIGNATURE_PARAMS:
            raise NearDuplicateIndexError(
                f"{self.prefix}: built with {params.decode()}, this euspider uses {SIGNATURE_PARAMS}; "
                f"delete its keys ({self.prefix}:*) to start a new index"
            )
        if layout != LAYOUT:
            raise NearDuplicateIndexError(
                f"{self.prefix}: written by an earlier euspider in another key layout "
                f"({(layout or b'1').decode()}, this one writes {LAYOUT.decode()}); "
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
        """Buckets for a new threshold, from the stored signatures and URLs."""
        stale = list(self.client.scan_iter(match=self._key("b:*"), count=1000))
        for start in range(0, len(stale), 500):
            self.client.unlink(*stale[start : start + 500])
        buckets: dict[bytes, list[str]] = defaultdict(list)
        last = int(self.client.hget(self._key("meta"), "seq") or 0)
        for group in range((last + GROUP - 1) // GROUP):
            blob = self.client.get(self._key(f"s:{group}")) or b""
            for slot, entry in enumerate(self.client.lrange(self._key(f"d:{group}"), 0, -1)):
                if not entry:
                    continue
                doc = str(group * GROUP + slot + 1)
                signature = np.frombuffer(
                    blob[slot * _SIGNATURE_BYTES : (slot + 1) * _SIGNATURE_BYTES], dtype=np.uint32
                )
                buckets[url_digest(entry[1 + entry[0] :].decode())].append(doc)
                for digest in self.band_digests(signature):
                    buckets[digest].append(doc)
        level = MIN_LEVEL
        while len(buckets) > BUCKET_LOAD * 2**level:
            level += 1
        pipe = self.client.pipeline(transaction=False)
        for count, (digest, ids) in enumerate(buckets.items(), 1):
            pipe.hset(self._key(f"b:{bucket_of(digest, level, 0)}"), digest[1:], ",".join(ids))
            if count % 5000 == 0:
                pipe.execute()
        fields = {"lh_level": level, "lh_split": 0, "lh_entries": len(buckets), "bands": bands}
        pipe.hset(self._key("meta"), mapping=fields)
        pipe.execute()

    # --- use --------------------------------------------------------------------------------------

    def script_args(self, url: str, signature: np.ndarray, content_hash: str | None, mode: int) -> list:
        """The arguments of the index's Lua script for one text (see :data:`_MATCH_AND_ADD`)."""
        blob = signature.astype(np.uint32).tobytes()
        return [
            self.prefix, url, encode_hash(content_hash), blob, self._needed, mode, url_digest(url),
            *self.band_digests(signature),
        ]  # fmt: skip

    def _call(self, url: str, signature: np.ndarray, content_hash: str | None, mode: int) -> Match | None:
        found: Any = self._script(args=self.script_args(url, signature, content_hash, mode))
        if not found:
            return None
        other, equal, other_hash = found
        return Match(other.decode(), int(equal) / len(signature), decode_hash(other_hash))

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
        return int(self.client.hget(self._key("meta"), "docs") or 0)

    def close(self) -> None:
        self.client.close()


__all__ = ["RedisNearDuplicateIndex", "binary_client"]
