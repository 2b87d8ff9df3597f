"""The scheduled-crawl state on Redis: one state for every worker of a shared crawl (pure, no Scrapy).

:class:`RedisCrawlState` is the :class:`~euspider.state.StateStore` of ``EUSPIDER_STATE=redis:<name>``
(with ``EUSPIDER_REDIS_URL``): the same methods and tests as the SQLite :class:`~euspider.state.CrawlState`,
so a second run of N workers asks conditionally for what the first run of N workers (any of them)
wrote. Its keys live under ``euspider-state:<name>``, apart from the crawl's keys (``euspider:<spider>``,
dropped by the last worker of a crawl): the state outlives every crawl, as a SQLite file does.

Keys (``P`` = ``euspider-state:<name>``):

- ``P:article`` (url -> JSON: ``h`` content hash, ``v`` version, ``e`` ETag, ``m`` Last-Modified,
  ``f``/``s`` first/last seen, ``d`` the URL whose story it carries, ``w``/``r`` the run that last
  wrote/saw it, ``n`` the last version number handed out; ``""`` for none);
- ``P:byhash`` (content hash -> the URLs with that hash, one per line: the index a duplicate is found by);
- ``P:redirect`` (url -> the URL it led to), ``P:run`` (run id -> JSON), ``P:manifest`` (run id -> the
  manifest JSON) and ``P:finished:<spider>`` (a sorted set of ``finished<TAB>started<TAB>run id``, read
  newest first), ``P:meta`` (``schema``).

Every read-modify-write is one Lua script, atomic however many workers run it. Two rules make versions
safe with several writers: :meth:`RedisCrawlState.decide` hands out a new or changed story's version
number in the same script that reads the stored one (``n``), so two workers never both write version N
of a URL; and a commit stores a row only if its version is not below the stored one, so the state never
goes back to an older version. A worker killed between choosing a number and its commit leaves that
number used (its line may be in its output), and the URL's next record takes the next one. What a run
may skip is decided only from committed rows, as in SQLite: a record counts once its line is durable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import redis

from ..state import Decision, StateError, StateStore
from .redis import safe_url

SCHEMA = 1
PREFIX = "euspider-state:%(name)s"

# Shared by the scripts: ARGV[1] is the prefix.
_COMMON = """
local P = ARGV[1]
local AK, HK = P .. ':article', P .. ':byhash'
local function get(url)
  local raw = redis.call('HGET', AK, url)
  if raw then return cjson.decode(raw) end
  return nil
end
local function put(url, a) redis.call('HSET', AK, url, cjson.encode(a)) end
local function unindex(h, url)
  if h == '' then return end
  local list = redis.call('HGET', HK, h)
  if not list then return end
  local out = {}
  for u in string.gmatch(list, '[^\\n]+') do if u ~= url then table.insert(out, u) end end
  if #out == 0 then redis.call('HDEL', HK, h) else redis.call('HSET', HK, h, table.concat(out, '\\n')) end
end
local function index(h, url)
  if h == '' then return end
  local list = redis.call('HGET', HK, h)
  if not list then redis.call('HSET', HK, h, url) return end
  for u in string.gmatch(list, '[^\\n]+') do if u == url then return end end
  redis.call('HSET', HK, h, list .. '\\n' .. url)
end
local function rehash(url, old, new)
  if old ~= new then
    unindex(old, url)
    index(new, url)
  end
end
local function fresh(seen)
  return {h = '', v = 0, e = '', m = '', f = seen, s = seen, d = '', w = '', r = '', n = 0}
end
"""

# ARGV: prefix, url, content hash. -> {kind, version, previous hash, owner, other URLs...}
_DECIDE = (
    _COMMON
    + """
local url, hash = ARGV[2], ARGV[3]
local a = get(url)
if a and a.v > 0 then
  if a.h == hash then return {'unchanged', a.v, a.h, ''} end
  local version = math.max(a.v, a.n) + 1
  a.n = version
  put(url, a)
  return {'changed', version, a.h, ''}
end
local owner, key = nil, nil
local others = {}
local list = redis.call('HGET', HK, hash)
if list then
  for u in string.gmatch(list, '[^\\n]+') do
    local b = get(u)
    if b and b.h == hash then
      if b.v > 0 and u ~= url then
        local k = b.f .. '\\0' .. u
        if owner == nil or k < key then owner, key = u, k end
      end
      if b.d ~= '' then table.insert(others, u) end
    end
  end
end
if owner then return {'duplicate', 0, '', owner} end
if a == nil then a = fresh('') end
local version = a.n + 1
a.n = version
put(url, a)
local out = {'new', version, '', ''}
for _, u in ipairs(others) do table.insert(out, u) end
return out
"""
)

# ARGV: prefix, run id ('': none), offset ('': leave), progress JSON ('': leave), ops JSON.
# Applies staged writes, then written rows; returns the URLs of rows older than what is stored.
_COMMIT = (
    _COMMON
    + """
local run, offset, progress = ARGV[2], ARGV[3], ARGV[4]
local ops = cjson.decode(ARGV[5])
local stale = {}
for _, op in ipairs(ops) do
  local t = op[1]
  if t == 'touch' then
    local url, seen, etag, lm, by = op[2], op[3], op[4], op[5], op[6]
    local a = get(url)
    if a then
      a.s = seen
      if etag ~= '' then a.e = etag end
      if lm ~= '' then a.m = lm end
      if by ~= '' then a.r = by end
      put(url, a)
    end
  elseif t == 'duplicate' then
    local url, hash, owner, seen, etag, lm, by = op[2], op[3], op[4], op[5], op[6], op[7], op[8]
    local a = get(url) or fresh(seen)
    if a.f == '' then a.f = seen end
    rehash(url, a.h, hash)
    a.h, a.s, a.d, a.e, a.m, a.r = hash, seen, owner, etag, lm, by
    put(url, a)
  elseif t == 'redirect' then
    redis.call('HSET', P .. ':redirect', op[2], op[3])
  else -- a written row: url, hash, version, seen, etag, last-modified, run
    local url, hash, version, seen, etag, lm, by = op[2], op[3], tonumber(op[4]), op[5], op[6], op[7], op[8]
    local a = get(url) or fresh(seen)
    if version < a.v then
      table.insert(stale, url)
    else
      if a.f == '' then a.f = seen end
      rehash(url, a.h, hash)
      a.h, a.v, a.s, a.d, a.w, a.r = hash, version, seen, '', by, by
      if etag ~= '' then a.e = etag end
      if lm ~= '' then a.m = lm end
      if a.n <= version then a.n = 0 end
      put(url, a)
    end
  end
end
if run ~= '' and (offset ~= '' or progress ~= '') then
  local raw = redis.call('HGET', P .. ':run', run)
  if raw then
    local r = cjson.decode(raw)
    if offset ~= '' then r.o = tonumber(offset) end
    if progress ~= '' then r.p = progress end
    redis.call('HSET', P .. ':run', run, cjson.encode(r))
  end
end
return stale
"""
)

# ARGV: prefix, run id, spider, started, output. A known run is continued: no longer finished.
_START_RUN = """
local P, id = ARGV[1], ARGV[2]
local raw = redis.call('HGET', P .. ':run', id)
if not raw then
  redis.call('HSET', P .. ':run', id,
    cjson.encode({spider = ARGV[3], started = ARGV[4], output = ARGV[5], o = 0, fin = '', why = '', p = ''}))
  return 1
end
local r = cjson.decode(raw)
if r.fin ~= '' then
  redis.call('ZREM', P .. ':finished:' .. r.spider, r.fin .. '\\t' .. r.started .. '\\t' .. id)
  r.fin, r.why = '', ''
  redis.call('HSET', P .. ':run', id, cjson.encode(r))
end
return 0
"""

# ARGV: prefix, run id, finished, reason, manifest JSON.
_FINISH_RUN = """
local P, id = ARGV[1], ARGV[2]
local raw = redis.call('HGET', P .. ':run', id)
if not raw then return 0 end
local r = cjson.decode(raw)
local zkey = P .. ':finished:' .. r.spider
if r.fin ~= '' then redis.call('ZREM', zkey, r.fin .. '\\t' .. r.started .. '\\t' .. id) end
r.fin, r.why = ARGV[3], ARGV[4]
redis.call('HSET', P .. ':run', id, cjson.encode(r))
redis.call('HSET', P .. ':manifest', id, ARGV[5])
redis.call('ZADD', zkey, 0, r.fin .. '\\t' .. r.started .. '\\t' .. id)
return 1
"""

# ARGV: prefix, run id, offset.
_SET_OFFSET = """
local raw = redis.call('HGET', ARGV[1] .. ':run', ARGV[2])
if not raw then return 0 end
local r = cjson.decode(raw)
r.o = tonumber(ARGV[3])
redis.call('HSET', ARGV[1] .. ':run', ARGV[2], cjson.encode(r))
return 1
"""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _none(value: str) -> str | None:
    return value or None


class RedisCrawlState(StateStore):
    """The crawl state in Redis under ``euspider-state:<name>``, shared by every worker naming it."""

    def __init__(self, client: redis.Redis, name: str, *, url: str | None = None) -> None:
        super().__init__()
        self.client = client
        self.name = name
        self.prefix = PREFIX % {"name": name}
        self.url = url
        self._scripts = {
            key: client.register_script(source)
            for key, source in (("decide", _DECIDE), ("commit", _COMMIT), ("start_run", _START_RUN),
                                ("finish_run", _FINISH_RUN), ("set_offset", _SET_OFFSET))
        }  # fmt: skip
        try:
            if client.type(self._key("article")) not in ("hash", "none"):
                raise StateError(f"{self.location}: not a euspider state ({self._key('article')} is no hash)")
            found = client.hget(self._key("meta"), "schema")
            if found is not None and int(found) > SCHEMA:
                raise StateError(f"{self.location}: state schema {found}, this euspider reads schema {SCHEMA}")
            client.hsetnx(self._key("meta"), "schema", SCHEMA)
        except (redis.RedisError, ValueError) as err:
            raise StateError(f"{self.location}: cannot use this state ({err})") from err

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @property
    def location(self) -> str:
        return f"{self.prefix} on {safe_url(self.url)}" if self.url else self.prefix

    def close(self) -> None:
        """Nothing to do: every commit is in Redis when its call returns (durable as the server's
        persistence settings make it). The client is left open for whoever else uses it."""

    # --- stories ----------------------------------------------------------------------------------

    def _article(self, url: str) -> dict[str, Any] | None:
        raw = self.client.hget(self._key("article"), url)
        return json.loads(raw) if raw else None

    def validators(self, url: str) -> tuple[str | None, str | None]:
        for candidate in (url, self.redirect_of(url)):
            if candidate is None:
                continue
            found = self._article(candidate)
            if found is not None and (found["e"] or found["m"]):
                return _none(found["e"]), _none(found["m"])
        return None, None

    def redirect_of(self, url: str) -> str | None:
        return self.client.hget(self._key("redirect"), url)

    def decide(self, url: str, content_hash: str) -> Decision:
        kind, version, previous, owner, *others = self._scripts["decide"](args=[self.prefix, url, content_hash])
        return Decision(kind, int(version), _none(previous), _none(owner), tuple(sorted(others)))

    def commit_written(self, rows: Iterable[dict[str, Any]]) -> None:
        self._commit("", None, rows, None)

    # --- runs -------------------------------------------------------------------------------------

    def run(self, run_id: str) -> dict[str, Any] | None:
        raw = self.client.hget(self._key("run"), run_id)
        if raw is None:
            return None
        found = json.loads(raw)
        return {
            "run_id": run_id,
            "spider": found["spider"],
            "started": found["started"],
            "finished": _none(found["fin"]),
            "finish_reason": _none(found["why"]),
            "output": found["output"],
            "committed_offset": int(found["o"]),
            "progress": json.loads(found["p"]) if found["p"] else {},
        }

    def finished_manifests(self, spider: str, before: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
        members = self.client.zrevrangebylex(self._key(f"finished:{spider}"), "+", "-", start=0, num=limit + 1)
        runs = [member.rsplit("\t", 1)[1] for member in members]
        runs = [run for run in runs if run != before][:limit]
        if not runs:
            return []
        return [json.loads(raw) for raw in self.client.hmget(self._key("manifest"), runs) if raw]

    def start_run(self, run_id: str, spider: str, started: str, output: str) -> None:
        self._run = run_id
        self._scripts["start_run"](args=[self.prefix, run_id, spider, started, output])

    def done_in_run(self, run_id: str) -> tuple[set[str], set[str]]:
        """Read by scanning every story (only a continued run asks, once, when it starts)."""
        written, seen = set(), set()
        for url, raw in self.client.hscan_iter(self._key("article"), count=1000):
            found = json.loads(raw)
            if found["w"] == run_id:
                written.add(url)
            elif found["r"] == run_id:
                seen.add(url)
        return written, seen

    def set_offset(self, run_id: str, offset: int) -> None:
        self._scripts["set_offset"](args=[self.prefix, run_id, offset])

    def finish_run(self, run_id: str, finished: str, reason: str, manifest: dict[str, Any]) -> None:
        self._scripts["finish_run"](
            args=[self.prefix, run_id, finished, reason, json.dumps(manifest, ensure_ascii=False)]
        )

    def commit_batch(
        self, run_id: str, offset: int, rows: Iterable[dict[str, Any]], progress: dict[str, Any] | None = None
    ) -> list[str]:
        return self._commit(run_id, offset, rows, progress)

    def _commit(
        self, run_id: str, offset: int | None, rows: Iterable[dict[str, Any]], progress: dict[str, Any] | None
    ) -> list[str]:
        ops: list[list[str]] = []
        for kind, v in self._staged:
            if kind == "touch":
                ops.append(["touch", v["url"], v["seen"], _text(v["etag"]), _text(v["last_modified"]), _text(v["run"])])
            elif kind == "duplicate":
                ops.append(["duplicate", v["url"], v["content_hash"], v["owner"], v["seen"], _text(v["etag"]),
                            _text(v["last_modified"]), _text(v["run"])])  # fmt: skip
            else:
                ops.append(["redirect", v["url"], v["final_url"]])
        run = run_id or self._run or ""
        for row in rows:
            ops.append(["row", row["url"], row["content_hash"], str(int(row["version"])), row["seen"],
                        _text(row.get("etag")), _text(row.get("last_modified")), run])  # fmt: skip
        args = [self.prefix, run_id, "" if offset is None else str(offset),
                "" if progress is None else json.dumps(progress, ensure_ascii=False),
                json.dumps(ops, ensure_ascii=False)]  # fmt: skip
        stale = self._scripts["commit"](args=args)
        self._staged.clear()
        return list(stale)


__all__ = ["PREFIX", "RedisCrawlState"]
