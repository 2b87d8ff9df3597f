"""The lead store, ID anchors and worker registry on Redis: one frontier for several crawler processes (pure).

:class:`RedisLeadStore` implements :class:`~euspider.store.LeadStore` on a Redis server, so any number
of crawler processes (*workers*, on any hosts) share one crawl's leads, its story memory (content
hashes, aliases) and, through :class:`RedisAnchorIndex`, the ID-to-date anchors learnt from feeds and
listings. Every change that reads and writes is one Lua script, so it is atomic however many workers
run it at once.

Keys live under a prefix (``euspider:<spider>``):

- ``:lead`` (url -> JSON: kind, depth, priority, discovery, seq, wait_for, added, state, meta; its
  length is the crawl's count of leads, against which ``EUSPIDER_MAX_PAGES`` is checked) and
  ``:ctx`` (url -> the link context, one ``key<TAB>item`` JSON line per item, merged without repeats);
- waiting leads in sorted sets: ``:wd:<kind>`` for discovery leads (priority, then arrival) and
  ``:ws:<priority>`` for stories (arrival; a story's ``wait_for`` grows with its ``seq``, so the stories
  that may go are a prefix); ``:open`` holds the discovery leads not done (the watermark);
- ``:held`` (url -> worker) and ``:hdata`` (url -> ``""`` while the claiming worker hands it to the
  request queue, else ``score\\nqueue key\\nqueue member``: the request the worker popped and is
  fetching, and the queue it came from). A lead is in exactly one place: waiting, in the shared
  request queue, held by one worker, or done;
- ``:workers`` (worker -> Redis time of its last heartbeat). :meth:`WorkerRegistry.reap`, run by any
  live worker, finds the workers silent for longer than the timeout and gives back what they held:
  popped requests go back to the queue as they were, claimed leads back to waiting, WARC files back
  to their list. So a killed worker loses no lead and no request.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import redis

from ..dates.anchors import AnchorIndex
from ..dates.estimate import Anchor
from . import CLAIMED, DONE, WAITING, Lead, LeadStore, merge_context


class RedisStoreError(ValueError):
    """A Redis server that cannot be used; the message names the URL (without a password)."""


def connect(url: str, *, decode: bool = True) -> redis.Redis:
    """A client for ``redis://host:port/db`` that answers (checked with PING); ``decode=False`` for
    replies kept as bytes (signatures)."""
    try:
        client = redis.Redis.from_url(url, decode_responses=decode, socket_timeout=30, socket_connect_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as err:
        raise RedisStoreError(f"{safe_url(url)}: cannot use this Redis server ({err})") from err
    return client


def safe_url(url: str) -> str:
    """The URL without a password, for logs and manifests."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def context_lines(context: Iterable[Mapping[str, Any]]) -> str:
    """Link context as the store keeps it: one ``key<TAB>item`` line per item, keyed by source and raw."""
    return "".join(
        json.dumps([item.get("source"), item.get("raw")], ensure_ascii=False)
        + "\t"
        + json.dumps(dict(item), ensure_ascii=False)
        + "\n"
        for item in context
    )


def parse_context(lines: str | None) -> list[dict[str, Any]]:
    return [json.loads(line.split("\t", 1)[1]) for line in (lines or "").splitlines() if line]


# Merge context lines into ctx[url]; returns 1 if any line was new. Shared by the scripts below.
_MERGE = """
local function merge(ctxkey, url, lines)
  if lines == '' then return 0 end
  local existing = redis.call('HGET', ctxkey, url) or ''
  local hay = '\\n' .. existing
  local out = existing
  local changed = 0
  for line in string.gmatch(lines, '[^\\n]+') do
    local key = string.match(line, '^([^\\t]*)\\t')
    if not string.find(hay, '\\n' .. key .. '\\t', 1, true) then
      out = out .. line .. '\\n'
      hay = hay .. line .. '\\n'
      changed = 1
    end
  end
  if changed == 1 then redis.call('HSET', ctxkey, url, out) end
  return changed
end
"""

# ARGV: prefix, now, limit (-1: none), then 7 per lead: url, kind, depth, priority, discovery (0/1), meta
# JSON, context lines. A new URL is refused while the crawl holds ``limit`` leads (every worker's: the
# lead hash is the crawl's count, and it grows in this script only). -> {refused, then url, seq, wait_for
# of each new lead}
_ADD = (
    _MERGE
    + """
local p = ARGV[1]
local now = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local new = {0}
for i = 4, #ARGV, 7 do
  local url, kind, depth, prio, disc, meta, lines =
    ARGV[i], ARGV[i+1], tonumber(ARGV[i+2]), tonumber(ARGV[i+3]), tonumber(ARGV[i+4]), ARGV[i+5], ARGV[i+6]
  local raw = redis.call('HGET', p .. ':lead', url)
  if raw then
    local r = cjson.decode(raw)
    if r.st ~= 2 then
      merge(p .. ':ctx', url, lines)
      if depth < r.d then
        r.d = depth
        redis.call('HSET', p .. ':lead', url, cjson.encode(r))
      end
    end
  elseif limit >= 0 and redis.call('HLEN', p .. ':lead') >= limit then
    new[1] = new[1] + 1
  else
    local seq = redis.call('INCR', p .. ':seq')
    local wf = 0
    if disc == 1 then
      redis.call('SET', p .. ':lastdisc', seq)
      redis.call('ZADD', p .. ':wd:' .. kind, (1000 - prio) * 1099511627776 + seq, url)
      redis.call('SADD', p .. ':dkinds', kind)
      redis.call('ZADD', p .. ':open', seq, url)
      redis.call('HINCRBY', p .. ':counts', 'waiting_discovery', 1)
    else
      wf = tonumber(redis.call('GET', p .. ':lastdisc') or '0')
      redis.call('ZADD', p .. ':ws:' .. prio, seq, url)
      redis.call('SADD', p .. ':prios', prio)
      redis.call('HINCRBY', p .. ':counts', 'waiting_stories', 1)
    end
    redis.call('HSET', p .. ':lead', url,
      cjson.encode({k = kind, d = depth, p = prio, x = disc, s = seq, w = wf, a = now, st = 0, m = meta}))
    if lines ~= '' then redis.call('HSET', p .. ':ctx', url, lines) end
    table.insert(new, url)
    table.insert(new, seq)
    table.insert(new, wf)
  end
end
return new
"""
)

# ARGV: prefix, worker, count, discovery (0/1), before (-1: none), kinds (comma list, '*': all), exclude
_TAKE = """
local p, worker, count, disc, before = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function split(s)
  local t = {}
  for v in string.gmatch(s, '[^,]+') do t[v] = true end
  return t
end
local out = {}
local function claim(url, zkey, counter)
  redis.call('ZREM', zkey, url)
  local raw = redis.call('HGET', p .. ':lead', url)
  local r = cjson.decode(raw)
  r.st = 1
  raw = cjson.encode(r)
  redis.call('HSET', p .. ':lead', url, raw)
  redis.call('HSET', p .. ':held', url, worker)
  redis.call('HSET', p .. ':hdata', url, '')
  redis.call('HINCRBY', p .. ':counts', counter, -1)
  redis.call('HINCRBY', p .. ':counts', 'claimed', 1)
  table.insert(out, url)
  table.insert(out, raw)
  table.insert(out, redis.call('HGET', p .. ':ctx', url) or '')
end
if disc == 1 then
  local exclude = split(ARGV[7] or '')
  local kinds = {}
  if ARGV[6] == '*' then kinds = redis.call('SMEMBERS', p .. ':dkinds') else
    for v in string.gmatch(ARGV[6], '[^,]+') do table.insert(kinds, v) end
  end
  local found = {}
  for _, kind in ipairs(kinds) do
    if not exclude[kind] then
      local got = redis.call('ZRANGE', p .. ':wd:' .. kind, 0, count - 1, 'WITHSCORES')
      for i = 1, #got, 2 do table.insert(found, {tonumber(got[i+1]), got[i], kind}) end
    end
  end
  table.sort(found, function(a, b) return a[1] < b[1] end)
  for i = 1, math.min(count, #found) do claim(found[i][2], p .. ':wd:' .. found[i][3], 'waiting_discovery') end
else
  local prios = redis.call('SMEMBERS', p .. ':prios')
  table.sort(prios, function(a, b) return tonumber(a) > tonumber(b) end)
  local got = 0
  for _, prio in ipairs(prios) do
    if got >= count then break end
    local zkey = p .. ':ws:' .. prio
    local urls = redis.call('ZRANGE', zkey, 0, count - got - 1)
    for _, url in ipairs(urls) do
      local r = cjson.decode(redis.call('HGET', p .. ':lead', url))
      if before >= 0 and r.w >= before then break end
      claim(url, zkey, 'waiting_stories')
      got = got + 1
    end
  end
end
return out
"""

# ARGV: prefix, url. Marks a lead done (adding it if unknown); 1 if it was not done. Always lets go
# of the lead (a request for a lead done already may still have been popped).
_FINISH = """
local p, url = ARGV[1], ARGV[2]
redis.call('HDEL', p .. ':held', url)
redis.call('HDEL', p .. ':hdata', url)
local raw = redis.call('HGET', p .. ':lead', url)
if not raw then
  local seq = redis.call('INCR', p .. ':seq')
  redis.call('HSET', p .. ':lead', url,
    cjson.encode({k = 'article', d = 0, p = 0, x = 0, s = seq, w = 0, a = 0, st = 2, m = ''}))
  redis.call('HINCRBY', p .. ':counts', 'done', 1)
  return 1
end
local r = cjson.decode(raw)
if r.st == 2 then return 0 end
if r.st == 0 then
  if r.x == 1 then
    redis.call('ZREM', p .. ':wd:' .. r.k, url)
    redis.call('HINCRBY', p .. ':counts', 'waiting_discovery', -1)
  else
    redis.call('ZREM', p .. ':ws:' .. r.p, url)
    redis.call('HINCRBY', p .. ':counts', 'waiting_stories', -1)
  end
else
  redis.call('HINCRBY', p .. ':counts', 'claimed', -1)
end
if r.x == 1 then redis.call('ZREM', p .. ':open', url) end
r.st = 2
redis.call('HSET', p .. ':lead', url, cjson.encode(r))
redis.call('HINCRBY', p .. ':counts', 'done', 1)
return 1
"""

# ARGV: prefix, worker. The worker's held leads are marked done; their URLs are returned.
_ABANDON = """
local p, worker = ARGV[1], ARGV[2]
local held = redis.call('HGETALL', p .. ':held')
local lost = {}
for i = 1, #held, 2 do
  if held[i+1] == worker then table.insert(lost, held[i]) end
end
for _, url in ipairs(lost) do
  redis.call('HDEL', p .. ':held', url)
  redis.call('HDEL', p .. ':hdata', url)
  local raw = redis.call('HGET', p .. ':lead', url)
  if raw then
    local r = cjson.decode(raw)
    if r.st == 1 then
      r.st = 2
      if r.x == 1 then redis.call('ZREM', p .. ':open', url) end
      redis.call('HSET', p .. ':lead', url, cjson.encode(r))
      redis.call('HINCRBY', p .. ':counts', 'claimed', -1)
      redis.call('HINCRBY', p .. ':counts', 'done', 1)
    end
  end
end
return lost
"""

# requeue_of(prefix, worker or '' for every worker): claimed leads not in a request queue go back to
# waiting; requests a worker popped go back to the queue they came from (held data: score, queue key,
# member, a line each).
_REQUEUE_OF = """
local function requeue_of(p, only)
  local held = redis.call('HGETALL', p .. ':held')
  local n = 0
  for i = 1, #held, 2 do
    local url, owner = held[i], held[i+1]
    if only == '' or owner == only then
      local data = redis.call('HGET', p .. ':hdata', url)
      redis.call('HDEL', p .. ':held', url)
      redis.call('HDEL', p .. ':hdata', url)
      if data and data ~= '' then
        local a = string.find(data, '\\n', 1, true)
        local b = string.find(data, '\\n', a + 1, true)
        local queue, score = string.sub(data, a + 1, b - 1), tonumber(string.sub(data, 1, a - 1))
        redis.call('ZADD', queue, score, string.sub(data, b + 1))
      else
        local raw = redis.call('HGET', p .. ':lead', url)
        if raw then
          local r = cjson.decode(raw)
          if r.st == 1 then
            r.st = 0
            redis.call('HSET', p .. ':lead', url, cjson.encode(r))
            if r.x == 1 then
              redis.call('ZADD', p .. ':wd:' .. r.k, (1000 - r.p) * 1099511627776 + r.s, url)
              redis.call('HINCRBY', p .. ':counts', 'waiting_discovery', 1)
            else
              redis.call('ZADD', p .. ':ws:' .. r.p, r.s, url)
              redis.call('HINCRBY', p .. ':counts', 'waiting_stories', 1)
            end
            redis.call('HINCRBY', p .. ':counts', 'claimed', -1)
          end
        end
      end
      n = n + 1
    end
  end
  return n
end
"""

# ARGV: prefix, worker ('' for every worker).
_REQUEUE = _REQUEUE_OF + "return requeue_of(ARGV[1], ARGV[2])\n"

# ARGV: prefix, timeout. Requeue what silent workers held (leads, popped requests, WARC files).
_REAP = (
    _REQUEUE_OF
    + """
local p, timeout = ARGV[1], tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local dead = redis.call('ZRANGEBYSCORE', p .. ':workers', '-inf', '(' .. (now - timeout))
local leads, files = 0, 0
for _, worker in ipairs(dead) do
  leads = leads + requeue_of(p, worker)
  local held = redis.call('HGETALL', p .. ':fheld')
  for i = 1, #held, 2 do
    local owner, phase = string.match(held[i+1], '^(.*)|([^|]*)$')
    if owner == worker then
      redis.call('HDEL', p .. ':fheld', held[i])
      redis.call('LPUSH', p .. ':files:' .. phase, held[i])
      files = files + 1
    end
  end
  redis.call('ZREM', p .. ':workers', worker)
  redis.call('SADD', p .. ':reaped', worker)
end
return {#dead, leads, files}
"""
)

# ARGV: prefix, worker. 1: alive; 0: reaped (its work went to others); registers a new worker.
_HEARTBEAT = """
local p, worker = ARGV[1], ARGV[2]
if redis.call('SISMEMBER', p .. ':reaped', worker) == 1 then return 0 end
local t = redis.call('TIME')
redis.call('ZADD', p .. ':workers', tonumber(t[1]) + tonumber(t[2]) / 1000000, worker)
return 1
"""

_CLAIM_STORY = """
local p, h, url = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HSETNX', p .. ':stories', h, url) == 1 then redis.call('HSET', p .. ':storyof', url, h) end
return redis.call('HGET', p .. ':stories', h)
"""

# ARGV: prefix, key. Aliases whose meta holds key and whose canonical page has no story, once.
_ORPHANS = """
local p, key = ARGV[1], ARGV[2]
local all = redis.call('HGETALL', p .. ':aliases')
local out = {}
for i = 1, #all, 2 do
  local a = cjson.decode(all[i+1])
  if a.o == 0 and a.m ~= '' and redis.call('HEXISTS', p .. ':storyof', a.c) == 0 then
    local meta = cjson.decode(a.m)
    if meta[key] ~= nil then
      a.o = 1
      redis.call('HSET', p .. ':aliases', all[i], cjson.encode(a))
      table.insert(out, all[i])
      table.insert(out, a.m)
    end
  end
end
return out
"""

# ARGV: prefix, site, id, day, source. The first date seen for an ID wins.
_ANCHOR = """
local p, site, id = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HSETNX', p .. ':anchor:' .. site, id, ARGV[4] .. '|' .. ARGV[5]) == 0 then return 0 end
redis.call('ZADD', p .. ':anchors:' .. site, tonumber(id), id)
redis.call('SADD', p .. ':anchorsites', site)
return 1
"""


def _lead(url: str, raw: str, context: str | None) -> Lead:
    data = json.loads(raw)
    meta = data.get("m") or ""
    return Lead(
        url=url,
        kind=data["k"],
        depth=int(data["d"]),
        priority=int(data["p"]),
        discovery=bool(data["x"]),
        context=parse_context(context),
        meta=json.loads(meta) if meta else {},
        seq=int(data["s"]),
        wait_for=int(data["w"]),
        added=float(data["a"]),
        state=int(data["st"]),
    )


def drop_crawl_keys(client: redis.Redis, prefix: str) -> None:
    """Drop a finished crawl's keys, all but the worker registry (a late worker learns it was reaped)."""
    keep = {f"{prefix}:workers", f"{prefix}:reaped"}
    batch = [key for key in client.scan_iter(match=f"{prefix}:*", count=1000) if key not in keep]
    for start in range(0, len(batch), 500):
        client.unlink(*batch[start : start + 500])


class WorkerRegistry:
    """Live workers of one crawl (heartbeats in Redis time) and the reaper of silent ones."""

    def __init__(self, client: redis.Redis, prefix: str, worker: str) -> None:
        self.client = client
        self.prefix = prefix
        self.worker = worker
        self._heartbeat = client.register_script(_HEARTBEAT)
        self._reap = client.register_script(_REAP)

    def heartbeat(self) -> bool:
        """Say this worker is alive; False once it was declared dead (its work went to others)."""
        return bool(self._heartbeat(args=[self.prefix, self.worker]))

    def reap(self, timeout: float) -> tuple[int, int, int]:
        """Give back what workers silent for ``timeout`` seconds held: (workers, leads and requests, files)."""
        dead, leads, files = self._reap(args=[self.prefix, timeout])
        return int(dead), int(leads), int(files)

    def leave(self) -> None:
        self.client.zrem(f"{self.prefix}:workers", self.worker)


class RedisLeadStore(LeadStore):
    """Leads and the run's story memory of one crawl, shared by every worker that names the same prefix."""

    def __init__(
        self, client: redis.Redis, prefix: str, worker: str, chunk: int = 500, *, queue_key: str | None = None
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.worker = worker
        self.queue_key = queue_key or f"{prefix}:requests"  # the shared request queue
        self.chunk = chunk
        self.temporary = False
        self.path = None
        self._scripts = {
            name: client.register_script(source)
            for name, source in (
                ("add", _ADD), ("take", _TAKE), ("finish", _FINISH), ("abandon", _ABANDON),
                ("requeue", _REQUEUE), ("claim_story", _CLAIM_STORY), ("orphans", _ORPHANS),
            )
        }  # fmt: skip

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # --- leads ----------------------------------------------------------------------------------

    def add(self, leads: Sequence[Lead], now: float) -> list[Lead]:
        return self._add(leads, now, -1)[0]

    def add_within(self, leads: Sequence[Lead], now: float, limit: int) -> tuple[list[Lead], int]:
        """:meth:`add` with ``EUSPIDER_MAX_PAGES`` for the whole crawl: the script that adds a lead
        refuses it when the crawl (all workers together) holds ``limit`` leads."""
        return self._add(leads, now, limit)

    def _add(self, leads: Sequence[Lead], now: float, limit: int) -> tuple[list[Lead], int]:
        ordered = [lead for lead in leads if lead.discovery] + [lead for lead in leads if not lead.discovery]
        new: list[Lead] = []
        refused = 0
        for start in range(0, len(ordered), self.chunk):
            chunk: dict[str, Lead] = {}
            for lead in ordered[start : start + self.chunk]:
                if lead.url not in chunk:
                    chunk[lead.url], context = lead, lead.context
                    lead.context = []
                    merge_context(lead.context, context)
                else:
                    merge_context(chunk[lead.url].context, lead.context)
            args: list[Any] = [self.prefix, repr(now), limit]
            for lead in chunk.values():
                args += [lead.url, lead.kind, lead.depth, lead.priority, int(lead.discovery),
                         json.dumps(lead.meta) if lead.meta else "", context_lines(lead.context)]  # fmt: skip
            found = self._scripts["add"](args=args)
            refused += int(found[0])
            for i in range(1, len(found), 3):
                lead = chunk[found[i]]
                lead.seq, lead.wait_for, lead.added, lead.state = int(found[i + 1]), int(found[i + 2]), now, WAITING
                new.append(lead)
        return new, refused

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
        args = [self.prefix, self.worker, count, int(discovery), -1 if before is None else before,
                ",".join(kinds) if kinds is not None else "*", ",".join(exclude)]  # fmt: skip
        found = self._scripts["take"](args=args)
        return [_lead(found[i], found[i + 1], found[i + 2]) for i in range(0, len(found), 3)]

    def finish(self, url: str) -> bool:
        return bool(self._scripts["finish"](args=[self.prefix, url]))

    def get(self, url: str) -> Lead | None:
        raw, context = (
            self.client.pipeline(transaction=False).hget(self._key("lead"), url).hget(self._key("ctx"), url).execute()
        )
        return _lead(url, raw, context) if raw else None

    def watermark(self) -> int:
        first = self.client.zrange(self._key("open"), 0, 0, withscores=True)
        if first:
            return int(first[0][1])
        return int(self.client.get(self._key("seq")) or 0) + 1

    def oldest_waiting_story(self) -> Lead | None:
        prios = self.client.smembers(self._key("prios"))
        if not prios:
            return None
        pipe = self.client.pipeline(transaction=False)
        for prio in prios:
            pipe.zrange(self._key(f"ws:{prio}"), 0, 0, withscores=True)
        firsts = [found[0] for found in pipe.execute() if found]
        if not firsts:
            return None
        url, _ = min(firsts, key=lambda pair: pair[1])
        return self.get(url)

    def counts(self) -> dict[str, int]:
        found = self.client.hgetall(self._key("counts"))
        counts = {key: int(found.get(key, 0)) for key in ("waiting_discovery", "waiting_stories", "claimed", "done")}
        counts["total"] = sum(counts.values())
        return counts

    def requeue(self) -> int:
        """Every lead held by any worker back to waiting, or its popped request back to the queue (a
        crawl resumed with no worker left); :meth:`WorkerRegistry.reap` does this per silent worker."""
        return int(self._scripts["requeue"](args=[self.prefix, ""]))

    def abandon(self) -> list[str]:
        """This worker's held leads (requests that never came back to it) are marked done."""
        return list(self._scripts["abandon"](args=[self.prefix, self.worker]))

    # --- stories of the run ---------------------------------------------------------------------

    def claim_story(self, content_hash: str, url: str) -> str:
        return str(self._scripts["claim_story"](args=[self.prefix, content_hash, url]))

    def story_hash(self, url: str) -> str | None:
        return self.client.hget(self._key("storyof"), url)

    def add_alias(self, alias: str, canonical: str, meta: dict[str, Any] | None = None) -> None:
        value = json.dumps({"c": canonical, "m": json.dumps(meta) if meta else "", "o": 0})
        pipe = self.client.pipeline()
        pipe.hset(self._key("aliases"), alias, value).sadd(self._key(f"canon:{canonical}"), alias).execute()

    def aliases(self, canonical: str) -> list[str]:
        return sorted(self.client.smembers(self._key(f"canon:{canonical}")))

    def alias_of(self, alias: str) -> tuple[str, bool] | None:
        raw = self.client.hget(self._key("aliases"), alias)
        if raw is None:
            return None
        found = json.loads(raw)
        return found["c"], bool(found["o"])

    def orphans(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        found = self._scripts["orphans"](args=[self.prefix, key])
        return [(found[i], json.loads(found[i + 1])) for i in range(0, len(found), 2)]

    # --- life cycle -----------------------------------------------------------------------------

    def flush(self) -> None:
        """Nothing to do: every change is in Redis when its call returns (durable as the server's
        persistence settings make it)."""

    def finished(self) -> bool:
        """Whether the whole crawl is through: no lead waits, none is claimed by any worker."""
        counts = self.counts()
        return not (counts["waiting_discovery"] or counts["waiting_stories"] or counts["claimed"])

    def close(self, *, discard: bool = False) -> None:
        """``discard`` drops the crawl's keys, but only once the whole crawl is through (another worker
        may still be at work); the worker registry stays."""
        if discard and self.finished() and not self.client.exists(self.queue_key):
            drop_crawl_keys(self.client, self.prefix)


# ARGV: prefix, url, context lines. Link context of a story found in an archive, merged.
_PENDING = (
    _MERGE
    + """
return merge(ARGV[1] .. ':pending', ARGV[2], ARGV[3])
"""
)

# ARGV: prefix, worker, phase. The next file of that phase, now held by the worker (or nil).
_TAKE_FILE = """
local p, worker, phase = ARGV[1], ARGV[2], ARGV[3]
local path = redis.call('RPOP', p .. ':files:' .. phase)
if not path then return false end
redis.call('HSET', p .. ':fheld', path, worker .. '|' .. phase)
return path
"""

# ARGV: prefix, path, next phase ('' when the file is through).
_HAND_ON_FILE = """
local p, path, after = ARGV[1], ARGV[2], ARGV[3]
redis.call('HDEL', p .. ':fheld', path)
if after ~= '' then redis.call('LPUSH', p .. ':files:' .. after, path) else
  redis.call('SADD', p .. ':files:done', path)
  redis.call('DEL', p .. ':wdone:' .. path)
end
return 1
"""


class WarcFiles:
    """WARC files of a crawl shared by several workers, one file per worker at a time, in two rounds:
    every file is read for its discovery pages (feeds, sitemaps, listings) before any is read for its
    stories, so every story gets the link context and anchors of all the archives, as in one process.
    A file a worker holds is in ``:fheld``; the reaper puts a silent worker's file back in its list.
    Records done (written or dropped) are noted per file, so a file read again skips them."""

    PHASES = ("discovery", "stories")

    def __init__(self, client: redis.Redis, prefix: str, worker: str) -> None:
        self.client = client
        self.prefix = prefix
        self.worker = worker
        self._take = client.register_script(_TAKE_FILE)
        self._hand_on = client.register_script(_HAND_ON_FILE)

    def register(self, paths: Iterable[str]) -> int:
        """Add files not known to the crawl yet (each worker names them; a file is read once)."""
        added = 0
        for path in paths:
            if self.client.sadd(f"{self.prefix}:files:known", path):
                self.client.lpush(f"{self.prefix}:files:discovery", path)
                added += 1
        return added

    def take(self, phase: str) -> str | None:
        return self._take(args=[self.prefix, self.worker, phase]) or None

    def discovered(self, path: str) -> None:
        self._hand_on(args=[self.prefix, path, "stories"])

    def finished(self, path: str) -> None:
        self._hand_on(args=[self.prefix, path, ""])

    def busy(self, phase: str | None = None) -> bool:
        """Whether a file of ``phase`` (any, when None) waits or is held by some worker."""
        held = self.client.hvals(f"{self.prefix}:fheld")
        phases = [phase] if phase else list(self.PHASES)
        if any(self.client.llen(f"{self.prefix}:files:{name}") for name in phases):
            return True
        return any(value.rpartition("|")[2] in phases for value in held)

    def record_done(self, path: str, offset: int) -> None:
        self.client.sadd(f"{self.prefix}:wdone:{path}", offset)

    def done_offsets(self, path: str) -> set[int]:
        return {int(offset) for offset in self.client.smembers(f"{self.prefix}:wdone:{path}")}

    def close(self, *, discard: bool = False) -> None:
        """``discard`` drops the crawl's keys once no file waits or is held."""
        if discard and not self.busy():
            drop_crawl_keys(self.client, self.prefix)


class RedisAnchorIndex(AnchorIndex):
    """:class:`~euspider.dates.anchors.AnchorIndex` on Redis: the anchors one worker learns, every
    worker uses. Per site a sorted set of IDs and a hash of their (day, source); first date wins."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        super().__init__()
        self.client = client
        self.prefix = prefix
        self._add = client.register_script(_ANCHOR)
        self.pipe: Any = None  # a pipeline that collects additions (SharedDiscovery.batch)

    def __len__(self) -> int:
        sites = self.client.smembers(f"{self.prefix}:anchorsites")
        return sum(int(self.client.zcard(f"{self.prefix}:anchors:{site}")) for site in sites)

    def add(self, site: str, story_id: int, day: date, source: str) -> bool:
        """Whether the anchor is new (always False while a pipeline collects additions)."""
        args = [self.prefix, site, story_id, day.isoformat(), source]
        if self.pipe is not None:
            self._add(args=args, client=self.pipe)
            return False
        return bool(self._add(args=args))

    def around(self, site: str, story_id: int) -> list[Anchor]:
        key = f"{self.prefix}:anchors:{site}"
        pipe = self.client.pipeline(transaction=False)
        pipe.zrevrangebyscore(key, f"({story_id}", "-inf", start=0, num=1)
        pipe.zrangebyscore(key, f"({story_id}", "+inf", start=0, num=1)
        below, above = pipe.execute()
        ids = [*below, *above]
        if not ids:
            return []
        values = self.client.hmget(f"{self.prefix}:anchor:{site}", ids)
        out = []
        for found, value in zip(ids, values, strict=True):
            day, _, source = value.partition("|")
            out.append(Anchor(int(found), date.fromisoformat(day), source))
        return out


__all__ = [
    "CLAIMED",
    "DONE",
    "RedisAnchorIndex",
    "RedisLeadStore",
    "RedisStoreError",
    "WorkerRegistry",
    "connect",
    "safe_url",
]
