"""The crawl report: what a crawl found, at a glance (pure: no Scrapy).

A :class:`Collector` takes records one at a time (from run files, or from a crawl as it goes) and the
drop counts of the runs (their manifests, or the crawl's stats), keeping only what the figures need:
counters, one small point per dated record, and the few whole records the tables show. From it come

- :meth:`Collector.summary`: a short text, logged at the end of every crawl;
- :meth:`Collector.html`: one self-contained HTML file (``python -m euspider report``; the crawl writes
  it with ``EUSPIDER_REPORT``) with Vega-Lite plots made with Altair, the Vega JavaScript inlined
  (vl-convert), so it opens without a network: story age against capture date, mismatches by kind,
  published date by source, boilerplate removed by kind and site, drops and failures by reason; and
  tables of the oldest stories, the archival mismatches and the most suspicious records, each row
  linking to the record's JSON, embedded below the tables.
"""

from __future__ import annotations

import heapq
import html
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .dates.resolve import family
from .extract import SKIP_REASONS
from .runs import manifest_path, run_files

#: Rows in each table of the report.
TABLE_SIZE = 20
#: Points drawn in the age plot at most; a larger crawl is thinned evenly as it goes (every other
#: point kept, then every fourth, ...), so memory stays bounded; the counts stay exact.
MAX_POINTS = 5000
#: How much each sign of trouble weighs in a record's suspicion score (see :func:`suspicion`).
SUSPICION = {
    "residue": 10,
    "future_date_rejected": 5,
    "undated": 4,
    "stamp_not_publication": 3,
    "modified_not_published": 2,
    "estimate": 2,
    "archival": 1,
    "paywall": 1,
    "short": 1,
}
SHORT_WORDS = 80


def _e(value: Any) -> str:
    return html.escape(str(value))


class ReportError(ValueError):
    """Input the report cannot read; the message names the file."""


def _day(value: Any) -> date | None:
    """The first day an ISO date, datetime, month (``YYYY-MM``) or year stands for."""
    if not value or not isinstance(value, str):
        return None
    text = value[:10]
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if len(text) == 7:
            return date.fromisoformat(text + "-01")
        if len(text) == 4:
            return date(int(text), 1, 1)
    except ValueError:
        return None
    return None


def published_day(record: Mapping[str, Any]) -> date | None:
    """The story's earliest possible publication day, or None when it is unknown."""
    return _day(record.get("published_earliest")) or _day(record.get("published"))


def age_days(record: Mapping[str, Any]) -> int | None:
    """Days from the story's (earliest) publication to its capture, or None."""
    published, captured = published_day(record), _day(record.get("crawled_at"))
    if published is None or captured is None:
        return None
    return (captured - published).days


def kinds_of(record: Mapping[str, Any]) -> list[str]:
    mismatch = record.get("date_mismatch") or {}
    return list(mismatch.get("kinds") or ([mismatch["kind"]] if mismatch.get("kind") else []))


def suspicion(record: Mapping[str, Any]) -> tuple[int, list[str]]:
    """How suspicious a record looks, and why: boilerplate residue, dates that disagree, no date or
    only an estimate, a paywall cut, a short text. 0 with no reasons for a clean record."""
    score, reasons = 0, []
    residue = (record.get("boilerplate") or {}).get("residue") or []
    if residue:
        score += SUSPICION["residue"] * len(residue)
        reasons.append(f"{len(residue)} residue line{'s' if len(residue) > 1 else ''}")
    for kind in kinds_of(record):
        score += SUSPICION.get(kind, 1)
        reasons.append(kind)
    if record.get("published") is None:
        score += SUSPICION["undated"]
        reasons.append("no publication date")
    elif str(record.get("published_source") or "").startswith("estimate"):
        score += SUSPICION["estimate"]
        reasons.append("estimated date")
    if record.get("paywall_truncated"):
        score += SUSPICION["paywall"]
        reasons.append("cut by a paywall")
    if int(record.get("word_count") or 0) < SHORT_WORDS:
        score += SUSPICION["short"]
        reasons.append(f"under {SHORT_WORDS} words")
    return score, reasons


@dataclass
class RunInfo:
    """One run file and what its manifest says (when it has one)."""

    path: str
    records: int = 0
    manifest: dict[str, Any] | None = None


@dataclass(order=True)
class _Kept:
    key: tuple[Any, ...]
    seq: int
    record: dict[str, Any] = field(compare=False)


class _Top:
    """The ``size`` records with the largest keys, whatever order they come in."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.heap: list[_Kept] = []

    def add(self, key: tuple[Any, ...], seq: int, record: Mapping[str, Any]) -> None:
        kept = _Kept(key, -seq, {})  # on equal keys, the earlier record stays
        if len(self.heap) < self.size:
            kept.record = dict(record)  # a copy only of the records kept
            heapq.heappush(self.heap, kept)
        elif kept > self.heap[0]:
            kept.record = dict(record)
            heapq.heapreplace(self.heap, kept)

    def sorted(self) -> list[_Kept]:
        return sorted(self.heap, reverse=True)


class Collector:
    """The report's figures, gathered one record at a time."""

    def __init__(self, table_size: int = TABLE_SIZE, max_points: int = MAX_POINTS) -> None:
        self.table_size = table_size
        self.max_points = max_points
        self.records = 0
        self.sites: Counter[str] = Counter()
        self.undated = 0
        self.residue_records = 0
        self.residue_lines = 0
        self.mismatched = 0
        self.mismatch: Counter[tuple[str, str]] = Counter()  # (kind, site)
        self.by_source: Counter[str] = Counter()
        self.by_year_source: Counter[tuple[int, str]] = Counter()
        self.removed: Counter[tuple[str, str]] = Counter()  # (kind, site)
        self.dropped: Counter[str] = Counter()
        self.monitors_failed: list[str] = []
        self.points: list[dict[str, Any]] = []
        self.dated = 0  # records with an age at capture (every one of them counted, not only the points)
        self._stride = 1
        self.ages: Counter[int] = Counter()  # days from publication to capture -> records
        self.runs: list[RunInfo] = []
        self.oldest = _Top(table_size)
        self.archival = _Top(table_size)
        self.suspicious = _Top(table_size)

    # --- input ------------------------------------------------------------------------------------

    def add(self, record: Mapping[str, Any]) -> None:
        """Take one output record (a dict as the pipeline writes it)."""
        self.records += 1
        seq = self.records
        site = str(record.get("site") or "?")
        self.sites[site] += 1
        source = record.get("published_source")
        fam = family(str(source)) if source and record.get("published") else "unknown"
        self.by_source[fam] += 1
        day = published_day(record) if record.get("published") else None
        if day is None:
            self.undated += 1
        else:
            self.by_year_source[(day.year, fam)] += 1
        boilerplate = record.get("boilerplate") or {}
        for kind, count in (boilerplate.get("removed") or {}).items():
            self.removed[(str(kind), site)] += int(count)
        residue = boilerplate.get("residue") or []
        if residue:
            self.residue_records += 1
            self.residue_lines += len(residue)
        kinds = kinds_of(record)
        if kinds:
            self.mismatched += 1
        for kind in kinds:
            self.mismatch[(kind, site)] += 1
        whole = record
        age = age_days(record) if day is not None else None
        if age is not None:
            self.ages[age] += 1
            self.dated += 1
            if (self.dated - 1) % self._stride == 0:
                self._add_point(
                    {
                        "captured": str(record.get("crawled_at"))[:10],
                        "age_years": round(age / 365.25, 2),
                        "published": day.isoformat() if day else None,
                        "source": fam,
                        "mismatch": kinds[0] if kinds else "none",
                        "site": site,
                        "title": str(record.get("title") or "")[:90],
                        "url": str(record.get("url") or ""),
                    }
                )
            self.oldest.add((age,), seq, whole)
        if "archival" in kinds:
            gap = (record.get("date_mismatch") or {}).get("gap_days")
            self.archival.add((age if age is not None else int(gap or 0),), seq, whole)
        score, _ = suspicion(record)
        if score:
            self.suspicious.add((score, age or 0), seq, whole)

    def _add_point(self, point: dict[str, Any]) -> None:
        self.points.append(point)
        if len(self.points) >= 2 * self.max_points:
            self.points = self.points[::2]
            self._stride *= 2

    def add_dropped(self, dropped: Mapping[str, Any]) -> None:
        """Take drop counts by reason (a manifest's ``dropped``, or the crawl's stats)."""
        for reason, count in dropped.items():
            self.dropped[str(reason)] += int(count)

    def read_run(self, path: str | Path) -> RunInfo:
        """Read one run file (JSON lines) and, when there is one beside it, its manifest."""
        path = Path(path)
        info = RunInfo(str(path))
        try:
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as err:
                        raise ReportError(f"{path}, line {number}: not a JSON record ({err.msg})") from err
                    if isinstance(record, dict) and "url" in record and "text" in record:
                        self.add(record)
                        info.records += 1
        except OSError as err:
            raise ReportError(f"{path}: cannot read it ({err.strerror or err})") from err
        beside = manifest_path(path)
        if beside.is_file():
            try:
                info.manifest = json.loads(beside.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                raise ReportError(f"{beside}: not a readable manifest ({err})") from err
            self.add_dropped((info.manifest or {}).get("dropped") or {})
        self.runs.append(info)
        return info

    # --- figures ----------------------------------------------------------------------------------

    @property
    def failures(self) -> dict[str, int]:
        """Drops that mean something went wrong (not "this page is no story")."""
        return {k: v for k, v in sorted(self.dropped.items()) if k not in SKIP_REASONS}

    @property
    def skips(self) -> dict[str, int]:
        return {k: v for k, v in sorted(self.dropped.items()) if k in SKIP_REASONS}

    def mismatch_kinds(self) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for (kind, _), count in self.mismatch.items():
            kinds[kind] += count
        return kinds

    def removed_kinds(self) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for (kind, _), count in self.removed.items():
            kinds[kind] += count
        return kinds

    def summary(self) -> str:
        """The report's figures as a few lines of text."""

        def counts(counter: Mapping[str, int], limit: int = 8) -> str:
            items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
            text = ", ".join(f"{k} {v}" for k, v in items[:limit])
            return (text + (f", {len(items) - limit} more" if len(items) > limit else "")) or "none"

        share = (lambda n: f"{n / self.records:.0%}") if self.records else (lambda n: "-")
        lines = [
            f"{self.records} records from {len(self.sites)} site{'s' if len(self.sites) != 1 else ''}; "
            f"{self.undated} without a publication date ({share(self.undated)}); "
            f"{self.residue_records} with boilerplate residue ({self.residue_lines} lines)"
        ]
        if self.ages:
            oldest = self.oldest.sorted()[0].record if self.oldest.heap else {}
            lines.append(
                f"story age at capture: median {self.median_age() / 365.25:.1f} years, oldest "
                f"{max(self.ages) / 365.25:.1f} years ({oldest.get('url')}, published {published_day(oldest)}, "
                f"captured {str(oldest.get('crawled_at'))[:10]})"
            )
        lines.append(f"date mismatches: {self.mismatched} records ({share(self.mismatched)}): "
                     f"{counts(self.mismatch_kinds())}")  # fmt: skip
        lines.append(f"published by source: {counts(self.by_source)}")
        lines.append(f"boilerplate removed: {counts(self.removed_kinds(), 6)}")
        lines.append(f"dropped: {counts(self.skips)}; failures: {counts(self.failures)}")
        if self.monitors_failed:
            lines.append(f"monitors failed: {', '.join(self.monitors_failed)}")
        return "\n".join(lines)

    # --- plots ------------------------------------------------------------------------------------

    def median_age(self) -> int:
        """The median age at capture, in days (the upper median for an even count)."""
        middle, seen = self.dated // 2, 0
        for age in sorted(self.ages):
            seen += self.ages[age]
            if seen > middle:
                return age
        return 0

    def _thinned_points(self) -> list[dict[str, Any]]:
        if len(self.points) <= self.max_points:
            return self.points
        step = len(self.points) / self.max_points
        return [self.points[int(i * step)] for i in range(self.max_points)]

    def charts(self) -> list[tuple[str, str, dict[str, Any] | None]]:
        """(id, title, Vega-Lite spec or None when there is nothing to draw) for every plot."""
        import altair as alt

        width = 560
        out: list[tuple[str, str, dict[str, Any] | None]] = []

        points = self._thinned_points()
        age = None
        if points:
            age = (
                alt.Chart(alt.Data(values=points))
                .mark_circle(size=60, opacity=0.75)
                .encode(
                    x=alt.X("captured:T", title="captured"),
                    y=alt.Y("age_years:Q", title="story age at capture (years)"),
                    color=alt.Color("mismatch:N", title="date mismatch"),
                    tooltip=["title:N", "url:N", "published:T", "captured:T", "age_years:Q", "source:N"],
                )
                .properties(width=width, height=300)
                .to_dict()
            )
        shown = f" ({len(points):,} of {self.dated:,} shown)" if len(points) < self.dated else ""
        out.append(("age", f"Story age against capture date{shown}", age))

        mismatch_rows = [{"kind": k, "site": s, "records": n} for (k, s), n in sorted(self.mismatch.items())]
        out.append(
            (
                "mismatches",
                f"Date mismatches by kind ({self.mismatched} of {self.records} records)",
                alt.Chart(alt.Data(values=mismatch_rows))
                .mark_bar()
                .encode(
                    x=alt.X("sum(records):Q", title="records"),
                    y=alt.Y("kind:N", sort="-x", title=None),
                    color=alt.Color("site:N"),
                    tooltip=["kind:N", "site:N", "records:Q"],
                )
                .properties(width=width)
                .to_dict()
                if mismatch_rows
                else None,
            )
        )

        source_rows = [
            {"year": f"{y:04d}", "source": s, "records": n} for (y, s), n in sorted(self.by_year_source.items())
        ]
        out.append(
            (
                "published",
                f"Published date by source ({self.undated} records undated)",
                alt.Chart(alt.Data(values=source_rows))
                .mark_bar()
                .encode(
                    x=alt.X("year:O", title="year published"),
                    y=alt.Y("sum(records):Q", title="records"),
                    color=alt.Color("source:N", title="published_source family"),
                    tooltip=["year:O", "source:N", "records:Q"],
                )
                .properties(width=width, height=260)
                .to_dict()
                if source_rows
                else None,
            )
        )

        removed_rows = [{"kind": k, "site": s, "parts": n} for (k, s), n in sorted(self.removed.items())]
        out.append(
            (
                "boilerplate",
                f"Boilerplate removed by kind and site ({self.residue_lines} residue lines left)",
                alt.Chart(alt.Data(values=removed_rows))
                .mark_bar()
                .encode(
                    x=alt.X("sum(parts):Q", title="page parts removed"),
                    y=alt.Y("kind:N", sort="-x", title=None),
                    color=alt.Color("site:N"),
                    tooltip=["kind:N", "site:N", "parts:Q"],
                )
                .properties(width=width)
                .to_dict()
                if removed_rows
                else None,
            )
        )

        drop_rows = [
            {"reason": r, "pages": n, "type": "failure" if r not in SKIP_REASONS else "not a story"}
            for r, n in sorted(self.dropped.items())
        ]
        out.append(
            (
                "drops",
                "Drops and failures by reason",
                alt.Chart(alt.Data(values=drop_rows))
                .mark_bar()
                .encode(
                    x=alt.X("pages:Q", title="pages"),
                    y=alt.Y("reason:N", sort="-x", title=None),
                    color=alt.Color(
                        "type:N",
                        scale=alt.Scale(domain=["not a story", "failure"], range=["#8c9eb5", "#d62728"]),
                    ),
                    tooltip=["reason:N", "type:N", "pages:Q"],
                )
                .properties(width=width)
                .to_dict()
                if drop_rows
                else None,
            )
        )
        return out

    # --- HTML -------------------------------------------------------------------------------------

    def html(self, title: str = "euspider crawl report") -> str:
        """The whole report as one HTML document that needs no network to show."""
        import altair as alt
        import vl_convert

        vl_version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
        bundle = vl_convert.javascript_bundle(vl_version=vl_version)
        charts = self.charts()
        specs = {cid: spec for cid, _, spec in charts if spec is not None}
        plots = []
        for cid, heading, spec in charts:
            body = (
                f'<div class="plot" id="plot-{cid}" data-plot="{cid}"></div>'
                if spec is not None
                else '<p class="empty">Nothing to plot: no data for this figure'
                + (" (no run manifests beside the run files)." if cid == "drops" else ".")
                + "</p>"
            )
            plots.append(f"<section><h2>{html.escape(heading)}</h2>{body}</section>")
        numbered: dict[tuple[Any, ...], dict[str, Any]] = {}

        def ref(record: dict[str, Any]) -> int:
            """The record's number in the JSON section (one entry per record, whatever the tables)."""
            key = (record.get("url"), record.get("crawled_at"), record.get("version"), record.get("content_hash"))
            numbered.setdefault(key, record)
            return list(numbered).index(key) + 1

        tables = [
            self._table("oldest", "Oldest stories at capture", self.oldest.sorted(), ref),
            self._table("archival", "Archival mismatches", self.archival.sorted(), ref),
            self._table("suspicious", "Most suspicious records", self.suspicious.sorted(), ref),
        ]
        records_html = "\n".join(
            f'<details class="record" id="record-{n}"><summary>#{n} {html.escape(str(r.get("url")))}</summary>'
            f"<pre>{html.escape(json.dumps(r, ensure_ascii=False, indent=2))}</pre></details>"
            for n, r in enumerate(numbered.values(), 1)
        )
        runs_html = "".join(
            f"<li><code>{html.escape(run.path)}</code>: {run.records} records"
            + (
                "; run {run_id}, {started} to {finished} ({finish_reason})".format(
                    **{k: _e(run.manifest.get(k)) for k in ("run_id", "started", "finished", "finish_reason")}
                )
                if run.manifest
                else "; no manifest beside it"
            )
            + "</li>"
            for run in self.runs
        )
        script_specs = json.dumps(specs, ensure_ascii=False).replace("</", "<\\/")
        return _PAGE.format(
            title=html.escape(title),
            css=_CSS,
            summary=html.escape(self.summary()),
            runs=f"<ul>{runs_html}</ul>" if runs_html else "",
            plots="\n".join(plots),
            tables="\n".join(tables),
            records=records_html,
            bundle=bundle.replace("</script", "<\\/script"),
            specs=script_specs,
        )

    def _table(self, tid: str, heading: str, rows: list[_Kept], ref: Any) -> str:
        if not rows:
            return f'<section id="{tid}"><h2>{heading}</h2><p class="empty">None.</p></section>'
        body = []
        for kept in rows:
            record = kept.record
            age = age_days(record)
            _, reasons = suspicion(record)
            number = ref(record)
            url = str(record.get("url") or "")
            body.append(
                "<tr>"
                f'<td><a href="#record-{number}">#{number}</a></td>'
                f'<td><a href="{_e(url)}">{_e(url)}</a><br>{_e(record.get("title") or "")}</td>'
                f"<td>{_e(record.get('published') or '-')}<br>"
                f"<small>{_e(record.get('published_source') or '')}</small></td>"
                f"<td>{_e(record.get('crawled_at') or '-')}</td>"
                f"<td>{'-' if age is None else f'{age / 365.25:.1f}'}</td>"
                f"<td>{_e(', '.join(kinds_of(record)) or '-')}</td>"
                f"<td>{_e('; '.join(reasons) or '-')}</td>"
                "</tr>"
            )
        return (
            f'<section id="{tid}"><h2>{heading}</h2><table><thead><tr><th>JSON</th><th>story</th><th>published</th>'
            "<th>captured</th><th>age (years)</th><th>date mismatch</th><th>why it stands out</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></section>"
        )


def collect(paths: Iterable[str | Path]) -> Collector:
    """A collector over run files (JSON lines); a folder stands for the ``*.jsonl`` files in it."""
    collector = Collector()
    for path in run_files(paths):
        collector.read_run(path)
    return collector


_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
pre.summary { background: #f6f8fa; padding: 1em; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 4px 6px; text-align: left; vertical-align: top; }
td a { word-break: break-all; } .empty { color: #777; font-style: italic; }
details.record pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 12px; }
details.record:target { outline: 2px solid #4c78a8; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{css}</style>
<script>{bundle}</script>
</head>
<body>
<h1>{title}</h1>
<pre class="summary">{summary}</pre>
{runs}
{plots}
{tables}
<section id="records"><h2>Records in the tables (JSON)</h2>
{records}
</section>
<script>
const specs = {specs};
const drawn = Object.keys(specs).map((id) =>
  vegaEmbed("#plot-" + id, specs[id], {{renderer: "svg", actions: false}})
    .then(() => document.getElementById("plot-" + id).setAttribute("data-drawn", "true"))
    .catch((err) => console.error("plot " + id + " failed: " + err)));
Promise.all(drawn).then(() => document.body.setAttribute("data-plots-done", "true"));
function openTarget() {{
  const el = document.getElementById(location.hash.slice(1));
  if (el && el.tagName === "DETAILS") {{ el.open = true; }}
}}
window.addEventListener("hashchange", openTarget);
openTarget();
</script>
</body>
</html>
"""
