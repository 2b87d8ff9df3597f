"""Near-duplicates: planted copies found, unrelated stories left alone, within a run and across runs.

The stories are the mirror's hand-written golden texts (real EUobserver stories on overlapping EU
subjects). Each gets the kinds of copies real sites make: a wire republication with a dateline and a
reworded opening, typographic quotes and a credit line; a correction that changes words of one
sentence; and two kinds of unrelated neighbours that share text without being copies: a follow-up
that repeats two paragraphs of background, and a story that quotes one paragraph of another.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem

from euspider.dedup import NearDuplicatePipeline, index_path
from euspider.extract import content_hash
from euspider.neardup import (
    BaseNearDuplicateIndex,
    NearDuplicateIndex,
    NearDuplicateIndexError,
    NearDuplicateSettings,
    Signer,
    bands_for,
    shingles,
    similarity,
)
from euspider.store.redis_neardup import RedisNearDuplicateIndex, binary_client

from .conftest import GOLDEN_PAGES, ROOT
from .sites import make_site

THRESHOLD = NearDuplicateSettings.threshold


def _stories() -> list[str]:
    texts: list[str] = []
    for page in GOLDEN_PAGES:
        text = page.golden.get("text") or ""
        if text and text not in texts:  # the mirror holds one story at two URLs: one story here
            texts.append(text)
    return texts


STORIES = _stories()


def wire_copy(text: str) -> str:
    """Republished by another site: a dateline, the opening reworded, straight quotes, paragraphs
    re-broken, a credit line."""
    paragraphs = text.split("\n")
    words = paragraphs[0].split()
    paragraphs[0] = "BRUSSELS (Reuters) - In a move confirmed late on Monday, " + " ".join(words[6:])
    body = "\n\n".join(p.replace("’", "'").replace("“", '"').replace("”", '"') for p in paragraphs)
    return body + "\n(Reporting by the Brussels bureau; editing by the desk)"


def corrected_copy(text: str) -> str:
    """A correction: three words of one sentence in the middle of the story changed."""
    paragraphs = text.split("\n")
    middle = len(paragraphs) // 2
    sentences = re.split(r"(?<=[.!?])\s+", paragraphs[middle])
    target = len(sentences) // 2
    words = sentences[target].split()
    words[len(words) // 2 : len(words) // 2 + 3] = ["(corrected)", "twelve", "officials"]
    sentences[target] = " ".join(words)
    paragraphs[middle] = " ".join(sentences)
    return "\n".join(paragraphs)


def _paragraph(number: int, index: int) -> str:
    paragraphs = STORIES[number % len(STORIES)].split("\n")
    return paragraphs[index % len(paragraphs)]


def follow_up(number: int) -> str:
    """A new story that repeats the opening of story ``number`` as background (two paragraphs of a
    long story, one of a short one), then goes on with paragraphs of three other stories."""
    background = STORIES[number].split("\n")[: 2 if STORIES[number].count("\n") >= 4 else 1]
    return "\n".join([*background, _paragraph(number + 1, -1), _paragraph(number + 2, -1), _paragraph(number + 3, -2)])


def quoting(number: int) -> str:
    """A story that quotes the longest paragraph of story ``number`` among paragraphs of others."""
    longest = max(STORIES[number].split("\n"), key=len)
    return "\n".join([_paragraph(number + 4, 1), longest, _paragraph(number + 5, 2), _paragraph(number + 6, -1)])


def generated_set() -> list[tuple[str, str, str]]:
    """``(url, group, text)``: a story and its two copies share a group; every other text is alone."""
    items = []
    for number, text in enumerate(STORIES):
        items += [
            (f"https://site-a.example/story/{number}", f"story-{number}", text),
            (f"https://site-b.example/wire/{number}", f"story-{number}", wire_copy(text)),
            (f"https://site-a.example/story/{number}-corrected", f"story-{number}", corrected_copy(text)),
            (f"https://site-c.example/follow-up/{number}", f"follow-up-{number}", follow_up(number)),
            (f"https://site-d.example/quote/{number}", f"quote-{number}", quoting(number)),
        ]
    random.Random(16).shuffle(items)
    return items


@pytest.fixture(params=["sqlite", "redis"])
def open_index(request, tmp_path):
    """Opens the test's index (again: a second call is another process, or another worker, on the same
    index, on a connection of its own): a SQLite file, or keys on the session's redis-server. Both
    back ends pass the same tests."""
    opened: list[BaseNearDuplicateIndex] = []

    if request.param == "sqlite":

        def open_one(threshold: float = THRESHOLD) -> BaseNearDuplicateIndex:
            opened.append(NearDuplicateIndex(tmp_path / "index.sqlite", threshold))
            return opened[-1]
    else:
        url = request.getfixturevalue("redis_url")

        def open_one(threshold: float = THRESHOLD) -> BaseNearDuplicateIndex:
            opened.append(RedisNearDuplicateIndex(binary_client(url), "euspider:test:neardup", threshold))
            return opened[-1]

    open_one.backend = request.param  # type: ignore[attr-defined]
    yield open_one
    for index in opened:
        index.close()


def record(url: str, text: str) -> dict:
    return {"url": url, "text": text, "content_hash": content_hash(text), "near_duplicate_of": None}


def test_generated_set_every_planted_copy_found_and_no_false_pair(open_index):
    assert len(STORIES) >= 15
    items = generated_set()
    group_of = {url: group for url, group, _ in items}
    pipeline = NearDuplicatePipeline(open_index())
    first_seen: set[str] = set()
    missed, false_pairs, wrongly_marked = [], [], []
    for url, group, text in items:
        out = pipeline.process_item(record(url, text))
        found = out["near_duplicate_of"]
        if group not in first_seen:
            first_seen.add(group)
            if found is not None:
                wrongly_marked.append((url, found))
        elif found is None:
            missed.append(url)
        elif group_of[found["url"]] != group:
            false_pairs.append((url, found))
    pipeline.close_spider()
    assert not missed, missed
    assert not false_pairs, false_pairs
    assert not wrongly_marked, wrongly_marked


def test_the_planted_copies_are_near_copies_and_the_rest_is_not():
    """What the threshold separates on this set: every pair within a story's group, every pair across."""
    signer = Signer()
    items = [(group, signer.signature(text)) for _, group, text in generated_set()]
    within, across = [], []
    for i, (group, first) in enumerate(items):
        for other_group, second in items[i + 1 :]:
            (within if group == other_group else across).append(similarity(first, second))
    assert len(within) == 3 * len(STORIES)
    assert min(within) >= THRESHOLD + 0.05  # the two copies of the shortest story, both edits between them
    assert max(across) <= THRESHOLD - 0.1


def test_shingles_ignore_case_punctuation_and_line_breaks():
    assert shingles("The EU’s “plan”,\nagreed on Monday.") == shingles('the eu\'s "plan" agreed on monday')
    assert shingles("") == set()
    assert shingles("Two words") == {b"two words"}
    assert len(shingles("欧盟委员会周二提议")) == 5  # each CJK character is a word


def test_bands_catch_a_pair_at_the_threshold():
    # 1 - (1 - 0.6**4)**32 = 0.988: a pair at exactly 0.6 shares a band 98.8% of the time
    assert bands_for(0.6) == (32, 4)
    assert bands_for(0.9) == (11, 11)  # 1 - (1 - 0.9**11)**11 = 0.9996; 12 rows: 0.979


def test_exact_copy_matches_and_is_not_indexed_twice(open_index):
    index = open_index()
    text = STORIES[0]
    assert index.check("https://a.example/1", text, content_hash(text)) is None
    match = index.check("https://b.example/1", text, content_hash(text))
    assert match is not None and (match.url, match.similarity) == ("https://a.example/1", 1.0)
    assert len(index) == 1
    index.close()


def test_a_new_version_of_a_url_replaces_it_and_is_not_its_own_copy(open_index):
    index = open_index()
    assert index.check("https://a.example/1", STORIES[1]) is None
    assert index.check("https://a.example/1", corrected_copy(STORIES[1])) is None
    assert len(index) == 1
    match = index.check("https://b.example/1", STORIES[1])
    assert match is not None and match.url == "https://a.example/1" and match.similarity < 1.0
    index.close()


def test_index_persists_and_survives_a_threshold_change(open_index):
    index = open_index(0.6)
    index.check("https://a.example/1", STORIES[2])
    index.check("https://a.example/2", STORIES[3])
    index.close()
    strict = open_index(0.95)  # bands rebuilt for the new threshold
    assert (strict.bands, strict.rows) == bands_for(0.95)
    assert strict.check("https://b.example/1", STORIES[2], add=False).url == "https://a.example/1"
    assert strict.check("https://b.example/2", wire_copy(STORIES[3]), add=False) is None  # below 0.95
    strict.close()
    loose = open_index(0.6)
    assert len(loose) == 2
    assert loose.check("https://b.example/2", wire_copy(STORIES[3]), add=False).url == "https://a.example/2"
    loose.close()


def test_index_of_other_parameters_is_refused(tmp_path):
    path = tmp_path / "index.sqlite"
    NearDuplicateIndex(path, 0.6).close()
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = 'minhash:legacy:perm=256' WHERE key = 'signature'")
    with pytest.raises(NearDuplicateIndexError, match="delete the file"):
        NearDuplicateIndex(path, 0.6)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(NearDuplicateIndexError, match=r"junk\.sqlite"):
        NearDuplicateIndex(tmp_path / "junk.sqlite", 0.6)


def test_redis_index_of_other_parameters_is_refused(redis_url):
    RedisNearDuplicateIndex(binary_client(redis_url), "euspider:test:neardup", 0.6).close()
    client = binary_client(redis_url)
    client.hset("euspider:test:neardup:meta", "signature", "minhash:legacy:perm=256")
    with pytest.raises(NearDuplicateIndexError, match=r"delete its keys \(euspider:test:neardup:\*\)"):
        RedisNearDuplicateIndex(client, "euspider:test:neardup", 0.6)


def test_redis_index_of_an_earlier_layout_is_refused(redis_url):
    """An index written by the first Redis layout (``P:band:<i>`` buckets, no ``layout`` in its meta)."""
    from euspider.neardup import SIGNATURE_PARAMS

    client = binary_client(redis_url)
    client.hset("euspider:test:neardup:meta", mapping={"signature": SIGNATURE_PARAMS, "bands": "32x4"})
    client.hset("euspider:test:neardup:band:0", b"\x01" * 8, b"\x00\x00\x00\x01")
    with pytest.raises(
        NearDuplicateIndexError, match=r"earlier euspider.*delete its keys \(euspider:test:neardup:\*\)"
    ):
        RedisNearDuplicateIndex(client, "euspider:test:neardup", 0.6)


def test_redis_buckets_split_stay_compact_and_find_what_sqlite_finds(tmp_path, redis_url):
    """900 texts: the buckets split past their first 256, every bucket stays a listpack, and copies with
    0 to 80 of 128 values changed (some near, some not) find in Redis exactly what they find in SQLite:
    the same URL, similarity and content hash, also after one URL was indexed again."""
    import numpy as np

    rng = np.random.default_rng(7)
    redis_index = RedisNearDuplicateIndex(binary_client(redis_url), "euspider:test:neardup", THRESHOLD)
    sqlite_index = NearDuplicateIndex(tmp_path / "index.sqlite", THRESHOLD)
    signatures = rng.integers(0, 2**32, (900, 128), dtype=np.uint32)
    for number, signature in enumerate(signatures):
        for index in (redis_index, sqlite_index):
            index.add(f"https://a.example/{number}", signature, f"sha256:{number:064x}" if number % 2 else "md5:x")
    redis_index.add("https://a.example/5", signatures[6])  # a new version of /5: /6's text, no hash
    sqlite_index.add("https://a.example/5", signatures[6])
    client = redis_index.client
    meta = client.hgetall("euspider:test:neardup:meta")
    assert 2 ** int(meta[b"lh_level"]) + int(meta[b"lh_split"]) > 256 and int(meta[b"docs"]) == 900
    buckets = list(client.scan_iter(match="euspider:test:neardup:b:*", count=1000))
    assert len(buckets) > 256 and {client.object("encoding", key) for key in buckets} == {b"listpack"}
    found = 0
    for number in [*range(0, 900, 15), 5, 6]:
        copy = signatures[number].copy()
        changed = rng.choice(128, size=int(rng.integers(0, 81)), replace=False)
        copy[changed] = rng.integers(0, 2**32, len(changed), dtype=np.uint32)
        expected = sqlite_index.find("https://b.example/copy", copy)
        assert redis_index.find("https://b.example/copy", copy) == expected
        found += expected is not None
    assert 10 < found < 62
    # /6 and /5's new version hold the same text: the earlier indexed, /6, is named
    assert redis_index.find("https://b.example/x", signatures[6]).url == "https://a.example/6"
    assert redis_index.find("https://b.example/x", signatures[5]) is None  # /5's old text is gone
    assert redis_index.find("https://b.example/x", signatures[7]).content_hash == "sha256:" + f"{7:064x}"
    assert len(redis_index) == len(sqlite_index) == 900
    sqlite_index.close()
    redis_index.close()


def test_redis_index_dropped_under_a_worker_is_not_written_again(redis_url):
    """The crawl's keys go when the last worker is through; a worker still writing leaves no stray keys,
    and the next crawl opens an empty index."""
    index = RedisNearDuplicateIndex(binary_client(redis_url), "euspider:test:neardup", THRESHOLD)
    index.add("https://a.example/0", index.signer.signature(STORIES[0]))
    index.client.delete(*index.client.keys("euspider:test:neardup:*"))
    assert index.match_and_add("https://a.example/1", index.signer.signature(STORIES[1])) is None
    assert index.client.keys("euspider:test:neardup:*") == []
    again = RedisNearDuplicateIndex(binary_client(redis_url), "euspider:test:neardup", THRESHOLD)
    assert len(again) == 0 and again.check("https://a.example/2", STORIES[1]) is None
    assert again.check("https://b.example/2", wire_copy(STORIES[1])).url == "https://a.example/2"
    index.close()
    again.close()


def test_two_workers_see_each_others_near_copies(redis_url):
    """Two workers, each with its own connection, index near copies of the same stories: one after the
    other, the second finds the first; at the same moment (threads released together, ten times), at
    least one of each pair finds the other, since finding and indexing is one step in Redis."""
    import threading

    first, second = (RedisNearDuplicateIndex(binary_client(redis_url), "euspider:test:neardup", THRESHOLD)
                     for _ in range(2))  # fmt: skip
    assert first.check("https://a.example/0", STORIES[0]) is None
    match = second.check("https://b.example/0", wire_copy(STORIES[0]))
    assert match is not None and match.url == "https://a.example/0"
    for number in range(1, 11):
        gate = threading.Barrier(2)
        found: dict[str, object] = {}

        def write(index, url, text, gate=gate, found=found):
            signature = index.signer.signature(text)
            gate.wait()
            found[url] = index.match_and_add(url, signature, content_hash(text))

        texts = {
            f"https://a.example/{number}": STORIES[number],
            f"https://b.example/{number}": corrected_copy(STORIES[number]),
        }
        threads = [threading.Thread(target=write, args=(index, url, text))
                   for index, (url, text) in zip((first, second), texts.items(), strict=True)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        linked = [(url, match.url) for url, match in found.items() if match is not None]
        assert len(linked) == 1 and set(linked[0]) == set(texts), (number, found)
    assert len(first) == len(second) == 22
    first.close()
    second.close()


def test_index_path_follows_the_state():
    assert index_path(Path("state/%(name)s.sqlite"), None, "news") == Path("state/news.neardup.sqlite")
    assert index_path(Path("state/x.sqlite"), Path("shared/%(name)s-index.sqlite"), "news") == Path(
        "shared/news-index.sqlite"
    )
    assert index_path(None, None, "news") is None


def test_drop_setting_drops_near_copies_and_counts_them(open_index):
    class Stats:
        def __init__(self):
            self.values = {}

        def inc_value(self, key, count=1):
            self.values[key] = self.values.get(key, 0) + count

    stats = Stats()
    pipeline = NearDuplicatePipeline(open_index(), drop=True, stats=stats)
    pipeline.process_item(record("https://a.example/1", STORIES[4]))
    with pytest.raises(DropItem, match=r"https://b.example/1 repeats https://a.example/1"):
        pipeline.process_item(record("https://b.example/1", wire_copy(STORIES[4])))
    kept = pipeline.process_item(record("https://c.example/1", STORIES[5]))
    assert kept["near_duplicate_of"] is None
    assert len(pipeline.index) == 2  # the dropped copy is not indexed
    assert stats.values == {"euspider/neardup/dropped": 1}
    pipeline.close_spider()


# --- real crawls: within a run, across runs with the crawl state, and dropping -----------------------


def crawl_site(folder: Path, pages: dict[str, bytes], *settings: str, output: Path | None = None):
    """``scrapy crawl news`` over a generated site served from 127.0.0.1, as a user runs it."""
    make_site(folder, pages)
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"urls={folder / 'urls.txt'}",
               "-a", f"mirror={folder}"]  # fmt: skip
    if output is not None:
        command += ["-O", f"{output}:jsonl"]
    for setting in settings:
        command += ["-s", setting]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def records_in(folder: Path) -> list[dict]:
    return [
        json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text("utf-8").splitlines()
    ]


def stat(log: str, key: str) -> int:
    marker = f"'{key}': "
    return int(log.split(marker, 1)[1].split(",", 1)[0].split("}", 1)[0]) if marker in log else 0


def _page(title: str, text: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def _url(site: str, number: int) -> str:
    return f"https://{site}/politics/{number}/story-of-the-day-number-{number}"


def test_crawls_mark_near_copies_within_a_run_and_across_runs(tmp_path):
    state = tmp_path / "state.sqlite"
    settings = (f"EUSPIDER_STATE={state}", f"EUSPIDER_RUN_DIR={tmp_path / 'runs'}")
    first = {_url("news.example", n): _page(f"Story {n}", STORIES[n]) for n in range(4)}
    first[_url("wire.example", 0)] = _page("Story 0", wire_copy(STORIES[0]))
    result = crawl_site(tmp_path / "site1", first, *settings)
    assert result.returncode == 0, result.stderr[-3000:]
    records = {r["url"]: r for r in records_in(tmp_path / "runs")}
    assert len(records) == 5
    pair = {_url("news.example", 0), _url("wire.example", 0)}
    marked = [r for r in records.values() if r["near_duplicate_of"]]
    assert len(marked) == 1 and {marked[0]["url"], marked[0]["near_duplicate_of"]["url"]} == pair
    assert THRESHOLD <= marked[0]["near_duplicate_of"]["similarity"] < 1
    assert stat(result.stderr, "euspider/neardup/found") == 1
    assert (tmp_path / "state.neardup.sqlite").is_file()

    # a week later: the same stories, a correction of story 1 at a new URL and a new story
    second = dict(first)
    second[_url("news.example", 11)] = _page("Story 1", corrected_copy(STORIES[1]))
    second[_url("news.example", 5)] = _page("Story 5", STORIES[5])
    result = crawl_site(tmp_path / "site2", second, *settings)
    assert result.returncode == 0, result.stderr[-3000:]
    new = {r["url"]: r for r in records_in(tmp_path / "runs") if r["url"] not in records}
    assert set(new) == {_url("news.example", 11), _url("news.example", 5)}
    assert new[_url("news.example", 11)]["near_duplicate_of"]["url"] == _url("news.example", 1)
    assert new[_url("news.example", 5)]["near_duplicate_of"] is None


def test_crawl_can_drop_near_copies(tmp_path):
    pages = {_url("news.example", n): _page(f"Story {n}", STORIES[n]) for n in (6, 7)}
    pages[_url("wire.example", 6)] = _page("Story 6", wire_copy(STORIES[6]))
    pages[_url("wire.example", 7)] = _page("Story 7", corrected_copy(STORIES[7]))
    output = tmp_path / "out.jsonl"
    result = crawl_site(tmp_path / "site", pages, "EUSPIDER_NEARDUP_DROP=1", output=output)
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2 and all(r["near_duplicate_of"] is None for r in records)
    assert stat(result.stderr, "euspider/neardup/dropped") == 2
    assert "near_duplicate: https://" in result.stderr and " repeats https://" in result.stderr


def test_bad_threshold_fails_before_the_first_request(tmp_path):
    result = crawl_site(
        tmp_path / "site",
        {_url("news.example", 1): _page("S", STORIES[1])},
        "EUSPIDER_NEARDUP_THRESHOLD=1.5",
        output=tmp_path / "o.jsonl",
    )
    assert result.returncode != 0
    assert "EUSPIDER_NEARDUP_THRESHOLD='1.5'" in result.stderr
    assert "Crawled (200)" not in result.stderr


def test_workers_of_a_shared_crawl_link_near_copies_through_redis(tmp_path, redis_url):
    """Two workers with the state in Redis, one after the other on two hosts (two run folders): the
    second links the wire copy it writes to the story the first wrote; neither has an index file."""
    shared = (f"EUSPIDER_REDIS_URL={redis_url}", "EUSPIDER_STATE=redis:%(name)s", "EUSPIDER_WORKERS=1")
    first = {_url("news.example", n): _page(f"Story {n}", STORIES[n]) for n in (8, 9)}
    result = crawl_site(tmp_path / "site1", first, *shared, f"EUSPIDER_RUN_DIR={tmp_path / 'host1'}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "near-duplicate index: redis://" in result.stderr and "euspider-state:news:neardup" in result.stderr
    second = {_url("wire.example", 8): _page("Story 8", wire_copy(STORIES[8]))}
    result = crawl_site(tmp_path / "site2", second, *shared, f"EUSPIDER_RUN_DIR={tmp_path / 'host2'}")
    assert result.returncode == 0, result.stderr[-3000:]
    [copy] = records_in(tmp_path / "host2")
    assert copy["near_duplicate_of"]["url"] == _url("news.example", 8)
    assert stat(result.stderr, "euspider/neardup/found") == 1
    assert [r["near_duplicate_of"] for r in records_in(tmp_path / "host1")] == [None, None]
    assert not list(tmp_path.rglob("*.neardup.sqlite"))
