"""What a crawl remembers while it runs: pending leads and the stories it has written (pure).

One interface, :class:`LeadStore`, and a back end per engine: :class:`~euspider.store.sqlite.SqliteLeadStore`
keeps everything in an SQLite file (under ``JOBDIR``, so a killed crawl resumes with its leads; else a
temporary file), so memory does not grow with the number of URLs a crawl knows. A back end shared by
several crawler processes implements the same methods.

A **lead** is a URL the crawl means to fetch, with what it knows about it: its kind (``robots``,
``sitemap``, ``feed``, ``listing``, ``article``), its link depth from the start pages, its priority,
whether it is a *discovery* lead (read for links before stories are released) and the dates linking
pages show for it (its link context). Leads move from waiting to claimed (handed to the downloader)
to done; :meth:`LeadStore.requeue` puts claimed leads back after a crash.

Each discovery lead gets a sequence number; a story lead remembers the highest one known when it was
found (``wait_for``). The crawl releases a story once every discovery lead up to its ``wait_for`` is
done (:meth:`LeadStore.watermark`), so the feeds and listings known when it was found (those that may
link to it) have been read first.

The store also remembers, per run, which URL first carried each story text (``content_hash``) and
which URLs declared another as their canonical address (aliases), for the within-run dedupe.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

WAITING, CLAIMED, DONE = 0, 1, 2


@dataclass
class Lead:
    url: str
    kind: str = "article"
    depth: int = 0
    priority: int = 0
    discovery: bool = False
    context: list[dict[str, Any]] = field(default_factory=list)
    #: Flags that travel with the lead (``probe``: a guessed standard address whose absence is no error).
    meta: dict[str, Any] = field(default_factory=dict)
    #: Set by the store: order of arrival, the discovery lead a story waits for, when it was added.
    seq: int = 0
    wait_for: int = 0
    added: float = 0.0
    state: int = WAITING


class LeadStore(ABC):
    """Pending leads and the run's story memory, behind one small interface."""

    # --- leads ----------------------------------------------------------------------------------

    @abstractmethod
    def add(self, leads: Sequence[Lead], now: float) -> list[Lead]:
        """Add leads not known yet (returned, with ``seq`` and ``wait_for`` set). A known lead that is
        not done gets the new link context merged in and keeps the smaller depth."""

    def add_within(self, leads: Sequence[Lead], now: float, limit: int) -> tuple[list[Lead], int]:
        """:meth:`add`, but new URLs only while the store holds fewer than ``limit`` leads in all (done
        ones included): ``(the new leads, how many new URLs were refused)``. Known leads still learn.
        A store shared by several processes counts every process's leads, in the same atomic step
        that adds them; this one-process version counts with :meth:`counts` and :meth:`get`."""
        room = limit - self.counts()["total"]
        refused = 0
        if len(leads) > room:  # near the limit: count the new ones
            kept, seen, turned = [], set(), set()
            for lead in leads:
                if lead.url in seen or self.get(lead.url) is not None:
                    kept.append(lead)
                elif lead.url in turned:
                    continue
                elif room > 0:
                    kept.append(lead)
                    seen.add(lead.url)
                    room -= 1
                else:
                    turned.add(lead.url)
            leads, refused = kept, len(turned)
        return self.add(leads, now), refused

    @abstractmethod
    def take(
        self,
        count: int,
        *,
        discovery: bool,
        before: int | None = None,
        kinds: Collection[str] | None = None,
        exclude: Collection[str] = (),
    ) -> list[Lead]:
        """Claim up to ``count`` waiting leads, highest priority first, then oldest; stories only
        with ``wait_for < before`` when ``before`` is given; discovery leads only of ``kinds`` (all
        when None) and not of ``exclude``."""

    @abstractmethod
    def finish(self, url: str) -> bool:
        """Mark a lead done (adding it if unknown); False when it was done already."""

    @abstractmethod
    def get(self, url: str) -> Lead | None:
        """The lead with its current link context and state, or None."""

    @abstractmethod
    def watermark(self) -> int:
        """The lowest sequence number of a discovery lead not done yet (past the last one if none)."""

    @abstractmethod
    def oldest_waiting_story(self) -> Lead | None:
        """The waiting story lead found first (its ``wait_for`` and ``added`` drive the hold)."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """``waiting_discovery``, ``waiting_stories``, ``claimed``, ``done`` and ``total``."""

    @abstractmethod
    def requeue(self) -> int:
        """Put every claimed lead back to waiting (a resumed crawl); returns how many."""

    @abstractmethod
    def abandon(self) -> list[str]:
        """Mark every claimed lead done and return their URLs (requests that never came back)."""

    # --- stories of the run ---------------------------------------------------------------------

    @abstractmethod
    def claim_story(self, content_hash: str, url: str) -> str:
        """The URL that carries ``content_hash`` in this run: ``url`` if it is the first."""

    @abstractmethod
    def story_hash(self, url: str) -> str | None:
        """The content hash of the story written for ``url`` in this run, if any."""

    @abstractmethod
    def add_alias(self, alias: str, canonical: str, meta: dict[str, Any] | None = None) -> None:
        """``alias`` named ``canonical`` as its address (``rel=canonical``); ``meta`` is what it takes
        to fetch the alias again should the canonical page carry no story."""

    @abstractmethod
    def aliases(self, canonical: str) -> list[str]:
        """URLs that named ``canonical`` as their address."""

    @abstractmethod
    def alias_of(self, alias: str) -> tuple[str, bool] | None:
        """The canonical URL ``alias`` named, and whether it was handed back as an orphan; None when
        ``alias`` named none."""

    @abstractmethod
    def orphans(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        """Aliases whose meta holds ``key`` and whose canonical page has no story in this run, with
        their meta, each returned once: they carry the story themselves."""

    # --- life cycle -----------------------------------------------------------------------------

    @abstractmethod
    def flush(self) -> None:
        """Make what was added so far survive a crash of this process."""

    @abstractmethod
    def close(self, *, discard: bool = False) -> None:
        """Close; ``discard`` drops everything (a finished run: the next one starts afresh)."""


def merge_context(existing: list[dict[str, Any]], new: Iterable[dict[str, Any]]) -> bool:
    """Add link-context items not present yet (same source and raw value); True if any was added."""
    seen = {(c.get("source"), c.get("raw")) for c in existing}
    added = False
    for item in new:
        key = (item.get("source"), item.get("raw"))
        if key not in seen:
            existing.append(dict(item))
            seen.add(key)
            added = True
    return added


__all__ = ["CLAIMED", "DONE", "WAITING", "Lead", "LeadStore", "merge_context"]
