"""The lead store and the frontier's release policy, on real SQLite files and a real Redis server (both
back ends pass the same tests), with a clock we move."""

from __future__ import annotations

import pytest

from euspider.frontier import Frontier, FrontierSettings
from euspider.store import CLAIMED, DONE, WAITING, Lead
from euspider.store.redis import RedisLeadStore, WorkerRegistry, connect
from euspider.store.sqlite import LeadStoreError, SqliteLeadStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def story(url: str, *context: str, priority: int = 0) -> Lead:
    items = [{"source": "link:listing", "raw": raw, "via": "https://news.example/"} for raw in context]
    return Lead(f"https://news.example{url}", "article", 1, priority, context=items)


def listing(url: str) -> Lead:
    return Lead(f"https://news.example{url}", "listing", 1, 5, discovery=True)


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        store = SqliteLeadStore(tmp_path / "leads.sqlite")
    else:
        store = RedisLeadStore(connect(request.getfixturevalue("redis_url")), "euspider:test", "worker-1")
    yield store
    store.close()


def test_a_lead_is_added_once_and_learns_more_context(store):
    [new] = store.add([story("/a/1", "2024-05-03")], now=1.0)
    assert new.seq == 1 and new.state == WAITING
    assert store.add([story("/a/1", "2024-05-03"), story("/a/1", "3 May 2024")], now=2.0) == []
    lead = store.get("https://news.example/a/1")
    assert [c["raw"] for c in lead.context] == ["2024-05-03", "3 May 2024"]
    [claimed] = store.take(5, discovery=False)
    store.add([story("/a/1", "Fri, 03 May 2024 09:00:00 +0000")], now=3.0)  # in flight: still learns
    assert len(store.get(claimed.url).context) == 3
    assert store.finish(claimed.url) is True
    store.add([story("/a/1", "2020-01-01")], now=4.0)  # done: nothing changes any more
    assert len(store.get(claimed.url).context) == 3
    assert store.finish(claimed.url) is False
    assert store.counts() == {"waiting_discovery": 0, "waiting_stories": 0, "claimed": 0, "done": 1, "total": 1}


def test_the_same_date_twice_on_one_page_is_one_item(store):
    store.add([story("/a/1", "2023-02-03T14:05:00+01:00", "2023-02-03T14:05:00+01:00")], now=1.0)
    assert len(store.get("https://news.example/a/1").context) == 1


def test_take_orders_by_priority_then_arrival(store):
    store.add([story("/low", priority=0), story("/high", priority=4), story("/mid", priority=2)], now=1.0)
    store.add([story("/high-2", priority=4)], now=2.0)
    assert [lead.url.rsplit("/", 1)[1] for lead in store.take(10, discovery=False)] == ["high", "high-2", "mid", "low"]


def test_stories_wait_for_the_discovery_known_when_they_were_found(store):
    store.add([listing("/harbour/"), story("/a/1")], now=1.0)
    [first] = store.take(1, discovery=True)
    a1 = store.get("https://news.example/a/1")
    assert a1.wait_for == first.seq  # found beside the listing: waits for it
    assert store.watermark() == first.seq
    assert store.take(5, discovery=False, before=store.watermark()) == []
    store.add([listing("/harbour/page/2/"), story("/a/2")], now=2.0)
    store.finish(first.url)
    # /a/1 may go; /a/2 was found after page 2 was known, so it waits for page 2
    assert [lead.url for lead in store.take(5, discovery=False, before=store.watermark())] == [a1.url]


def test_resume_puts_claimed_leads_back(tmp_path):
    path = tmp_path / "leads.sqlite"
    store = SqliteLeadStore(path)
    store.add([story(f"/a/{n}") for n in range(5)], now=1.0)
    store.take(3, discovery=False)
    store.claim_story("sha256:1", "https://news.example/a/0")
    store.flush()
    store.db.close()  # a killed process: no clean close
    again = SqliteLeadStore(path)
    assert again.counts()["claimed"] == 3
    assert again.requeue() == 3
    assert again.counts() == {"waiting_discovery": 0, "waiting_stories": 5, "claimed": 0, "done": 0, "total": 5}
    assert again.claim_story("sha256:1", "https://news.example/a/9") == "https://news.example/a/0"
    again.close(discard=True)
    assert not path.exists()


def test_a_temporary_store_leaves_nothing_behind():
    store = SqliteLeadStore()
    path = store.path
    store.add([story("/a/1")], now=1.0)
    store.close()
    assert not path.exists()


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    path = tmp_path / "leads.sqlite"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(LeadStoreError, match="not a euspider lead store"):
        SqliteLeadStore(path)


def test_stories_of_a_run_and_aliases(store):
    assert store.claim_story("sha256:aa", "https://news.example/world/26823") == "https://news.example/world/26823"
    assert store.claim_story("sha256:aa", "https://news.example/9/26823") == "https://news.example/world/26823"
    assert store.story_hash("https://news.example/world/26823") == "sha256:aa"
    store.add_alias("https://news.example/go/1", "https://news.example/world/26823")
    store.add_alias("https://news.example/go/2", "https://news.example/gone", {"callback": "parse_lead"})
    assert store.aliases("https://news.example/world/26823") == ["https://news.example/go/1"]
    # the canonical page of /go/2 gave no story: it is an orphan, handed back once
    assert store.alias_of("https://news.example/go/2") == ("https://news.example/gone", False)
    assert store.orphans("record") == []
    assert store.orphans("callback") == [("https://news.example/go/2", {"callback": "parse_lead"})]
    assert store.orphans("callback") == []
    assert store.alias_of("https://news.example/go/2") == ("https://news.example/gone", True)


def test_abandon_marks_lost_requests_done(store):
    store.add([story("/a/1"), story("/a/2")], now=1.0)
    store.take(1, discovery=False)
    assert store.abandon() == ["https://news.example/a/1"]
    assert store.get("https://news.example/a/1").state == DONE
    assert store.get("https://news.example/a/2").state == WAITING


# --- the frontier --------------------------------------------------------------------------------


def test_discovery_goes_first_and_stories_follow_the_pages_that_found_them(store):
    clock = Clock()
    frontier = Frontier(store, FrontierSettings(hold=10, backlog=1000), clock)
    frontier.add([listing("/"), story("/a/1")])
    first = frontier.release(10)
    assert [lead.kind for lead in first] == ["listing"]  # /a/1 waits for the homepage
    frontier.add([listing("/harbour/"), story("/a/2")])  # links found on the homepage
    frontier.done(first[0].url)
    second = frontier.release(10)
    # /a/1 waited for the homepage only; /a/2 for the section page found with it
    assert sorted(lead.url for lead in second) == ["https://news.example/a/1", "https://news.example/harbour/"]
    assert store.get("https://news.example/a/2").state == WAITING
    frontier.done("https://news.example/harbour/")
    assert [lead.url for lead in frontier.release(10)] == ["https://news.example/a/2"]


def test_a_slow_discovery_holds_stories_only_so_long(store):
    clock = Clock()
    frontier = Frontier(store, FrontierSettings(hold=5, backlog=1000), clock)
    frontier.add([listing("/"), listing("/slow/"), story("/a/1")])
    frontier.release(1)  # the homepage: in flight, slowly
    assert [lead.url for lead in frontier.release(10)] == ["https://news.example/slow/"]
    clock.now += 4.9
    assert frontier.release(10) == []
    clock.now += 0.2
    assert [lead.url for lead in frontier.release(10)] == ["https://news.example/a/1"]


def test_a_large_backlog_streams_without_waiting_for_discovery(store):
    frontier = Frontier(store, FrontierSettings(hold=3600, backlog=100), Clock())
    frontier.add([Lead("https://news.example/sitemap-2.xml", "sitemap", 1, 8, discovery=True)])
    frontier.add([story(f"/a/{n}") for n in range(250)])  # the first sitemap's stories
    released = frontier.release(40)
    kinds = [lead.kind for lead in released]
    assert kinds.count("sitemap") == 1
    assert kinds.count("article") == 39  # half the window at least goes to stories


def test_max_pages_bounds_what_is_admitted(store):
    frontier = Frontier(store, FrontierSettings(max_pages=3), Clock())
    frontier.add([story(f"/a/{n}") for n in range(2)])
    frontier.add([story("/a/1", "2024-05-03"), story("/a/2"), story("/a/3"), story("/a/4")])
    assert store.counts()["total"] == 3
    assert store.get("https://news.example/a/2") is not None and store.get("https://news.example/a/3") is None
    frontier.add([story("/a/5"), story("/a/1", "3 May 2024")])
    assert store.get("https://news.example/a/5") is None
    assert frontier.refused == 3
    assert len(store.get("https://news.example/a/1").context) == 2  # a known lead still learns


def test_add_within_a_limit_counts_every_lead_of_the_store(store):
    new, refused = store.add_within([story("/a/1"), listing("/l/1")], 1.0, limit=3)
    assert len(new) == 2 and refused == 0
    store.finish("https://news.example/a/1")  # done leads count too: the crawl fetched them
    new, refused = store.add_within([story("/a/2"), story("/a/3"), story("/a/3"), story("/a/4")], 2.0, limit=3)
    assert [lead.url for lead in new] == ["https://news.example/a/2"] and refused == 2  # /a/3 once, /a/4
    new, refused = store.add_within([story("/a/2", "2024-05-03"), story("/a/5")], 3.0, limit=3)
    assert new == [] and refused == 1
    assert [c["raw"] for c in store.get("https://news.example/a/2").context] == ["2024-05-03"]  # known: learns
    assert store.counts()["total"] == 3 and store.get("https://news.example/a/3") is None


def test_claimed_state_survives_in_counts(store):
    store.add([listing("/"), story("/a/1")], now=1.0)
    store.take(1, discovery=True)
    counts = store.counts()
    assert counts["claimed"] == 1 and counts["waiting_stories"] == 1
    assert store.get("https://news.example/").state == CLAIMED


# --- several workers on one Redis ----------------------------------------------------------------


def test_workers_share_one_frontier_and_a_silent_worker_gives_back_what_it_held(redis_url):
    client = connect(redis_url)
    first = RedisLeadStore(client, "euspider:test", "w1")
    second = RedisLeadStore(connect(redis_url), "euspider:test", "w2")
    first.add([story(f"/a/{n}") for n in range(6)], now=1.0)
    assert second.add([story("/a/0", "2024-05-03")], now=2.0) == []  # known: the context is merged
    assert [c["raw"] for c in first.get("https://news.example/a/0").context] == ["2024-05-03"]
    mine = first.take(2, discovery=False)
    theirs = second.take(10, discovery=False)
    assert {lead.url for lead in mine}.isdisjoint(lead.url for lead in theirs) and len(theirs) == 4
    assert second.finish(theirs[0].url) is True and first.finish(theirs[0].url) is False
    alive = WorkerRegistry(client, "euspider:test", "w1")
    dead = WorkerRegistry(client, "euspider:test", "w2")
    assert alive.heartbeat() and dead.heartbeat()
    client.zadd("euspider:test:workers", {"w2": 0})  # w2 fell silent long ago (killed)
    assert alive.reap(timeout=30) == (1, 3, 0)  # its 3 unfinished leads wait again
    assert dead.heartbeat() is False  # a worker declared dead learns it and stops
    counts = first.counts()
    assert counts["waiting_stories"] == 3 and counts["claimed"] == 2 and counts["done"] == 1
    again = first.take(10, discovery=False)
    assert sorted(lead.url for lead in again) == sorted(lead.url for lead in theirs[1:])


def test_abandon_is_per_worker_and_discard_waits_for_the_whole_crawl(redis_url):
    first = RedisLeadStore(connect(redis_url), "euspider:test", "w1")
    second = RedisLeadStore(connect(redis_url), "euspider:test", "w2")
    first.add([story("/a/1"), story("/a/2")], now=1.0)
    first.take(1, discovery=False)
    second.take(1, discovery=False)
    assert first.abandon() == ["https://news.example/a/1"]
    first.close(discard=True)  # w2 still holds /a/2: nothing is dropped
    assert second.get("https://news.example/a/2").state == CLAIMED
    second.finish("https://news.example/a/2")
    second.close(discard=True)
    assert first.get("https://news.example/a/1") is None and first.counts()["total"] == 0


def test_max_pages_is_for_the_whole_crawl_however_many_workers_add(redis_url):
    """Four workers, each with its own connection and frontier, add 60 leads each at the same moment
    (threads released together): the crawl admits exactly ``max_pages``, and every lead is either
    admitted by one worker or refused."""
    import threading

    frontiers = [Frontier(RedisLeadStore(connect(redis_url), "euspider:test", f"w{n}"), FrontierSettings(max_pages=100))
                 for n in range(4)]  # fmt: skip
    gate = threading.Barrier(len(frontiers))

    def add(frontier: Frontier, n: int) -> None:
        gate.wait()
        for start in range(0, 60, 5):  # a page's links at a time, as a crawl adds them
            frontier.add([story(f"/w{n}/{i}") for i in range(start, start + 5)])

    threads = [threading.Thread(target=add, args=(f, n)) for n, f in enumerate(frontiers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert frontiers[0].store.counts()["total"] == 100
    assert sum(f.admitted for f in frontiers) == 100
    assert sum(f.refused for f in frontiers) == 4 * 60 - 100
    assert all(f.full for f in frontiers)


def test_shared_discovery_notes_a_linking_page_in_one_batch_that_other_workers_read(redis_url):
    from euspider.discovery import SharedDiscovery
    from euspider.sites import builtin_profiles

    profile = next(p for p in builtin_profiles() if p.name == "euobserver")
    client = connect(redis_url)
    first = SharedDiscovery(client, "euspider:batch")
    listing = "https://euobserver.com/latest"
    with first.batch():
        for story_id, day in ((150000, "2020-01-10"), (150010, "2020-01-12")):
            url = f"https://euobserver.com/world/{story_id}"
            first.discover(url, [{"source": "link:listing", "raw": day, "via": listing}], profile)
        assert not client.exists("euspider:batch:pending")  # nothing sent before the page is through
    other = SharedDiscovery(connect(redis_url), "euspider:batch")
    lead = other.lead("https://euobserver.com/world/150005", profile)
    assert [(a[0], a[1]) for a in lead.anchors] == [(150000, "2020-01-10"), (150010, "2020-01-12")]
    context = other.lead("https://euobserver.com/world/150010", profile).link_context
    assert [(c["raw"], c["via"]) for c in context] == [("2020-01-12", listing)]
