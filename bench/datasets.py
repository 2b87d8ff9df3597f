"""What dataset-ready output costs: language identification and near-duplicate search per record,
against extraction alone, and the near-duplicate index's memory at 10,000 and 100,000 records.

    python bench/datasets.py [--sizes 10000,100000] [--pages 0]

1. Dev pages (eval-dev/trafeval, dates, aeb; ``--pages`` limits them, 0 for all), in one process:
   per page, ``ArticleExtractor.extract`` (which includes language identification), then on the
   record's text the language identification alone (:func:`euspider.language.identify`) and the
   near-duplicate search and insertion (signature, :meth:`NearDuplicateIndex.find` and ``add``, in
   an index of the pages seen so far). Extraction alone is the first minus the second; the extra
   time per record of each step is given in milliseconds and as a share of extraction alone. Also:
   how often the identified language agrees with the declared one, and the near-duplicate pairs the
   index finds among the dev pages (pages of unrelated sites: each pair is printed, to be judged).
2. The index at ``--sizes`` records, each size in a fresh subprocess: synthetic stories (150 to 600
   words drawn from a Zipf vocabulary of 20,000 words, every 50th an earlier one with a phrase rewritten)
   go through signature, ``find`` and ``add``; printed: the growth of the process's RSS over the
   run, the index file's size, the time per record over the last 1,000 records, and the near copies
   found. The same signatures in datasketch's in-memory ``MinHashLSH`` (bands only, the same
   threshold) give the reference RSS.

The last line is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent


def dev_pages(limit: int) -> dict[str, object]:
    from bench.evaldata import aeb_pages, dates_pages, trafeval_pages
    from euspider import language
    from euspider.extract import ArticleExtractor
    from euspider.neardup import NearDuplicateIndex, NearDuplicateSettings

    pages, seen = [], set()
    for page in trafeval_pages() + dates_pages() + aeb_pages():
        if page.id not in seen:  # the trafeval and dates sets share pages (same id, same file)
            seen.add(page.id)
            pages.append(page)
    if limit:
        pages = pages[:limit]
    extractor = ArticleExtractor()
    extractor.extract(pages[0].html(), "https://warm.invalid/", crawled_at="2030-01-01T00:00:00Z")  # load models
    index = NearDuplicateIndex(None, NearDuplicateSettings.threshold)
    extract_s = language_s = neardup_s = 0.0
    records = declared = agree = 0
    pairs = []
    urls = {}
    for page in pages:
        html = page.html()
        url = page.url or f"https://unknown.invalid/{page.set}/{page.id}"
        start = time.perf_counter()
        record = extractor.extract(html, url, crawled_at="2030-01-01T00:00:00Z").record
        urls[f"{page.set}:{page.id}"] = page.url or "(no url)"
        extract_s += time.perf_counter() - start
        if record is None:
            continue
        records += 1
        start = time.perf_counter()
        found = language.identify(record["text"], record["language_declared"])
        language_s += time.perf_counter() - start
        if found.declared:
            declared += 1
            agree += found.source == "agree"
        start = time.perf_counter()
        signature = index.signer.signature(record["text"])
        match = index.find(f"{page.set}:{page.id}", signature) if signature is not None else None
        if signature is not None and (match is None or match.content_hash != record["content_hash"]):
            index.add(f"{page.set}:{page.id}", signature, record["content_hash"])
        neardup_s += time.perf_counter() - start
        if match is not None:
            key = f"{page.set}:{page.id}"
            pairs.append((key, urls[key], match.url, urls[match.url], round(match.similarity, 3)))
    index.close()
    alone = (extract_s - language_s) / records * 1000
    return {
        "pages": len(pages),
        "records": records,
        "extraction_alone_ms": round(alone, 2),
        "language_ms": round(language_s / records * 1000, 3),
        "language_share": round(language_s / (extract_s - language_s), 4),
        "neardup_ms": round(neardup_s / records * 1000, 3),
        "neardup_share": round(neardup_s / (extract_s - language_s), 4),
        "declared": declared,
        "language_agrees": round(agree / declared, 4) if declared else None,
        "neardup_pairs": pairs,
    }


def _texts(count: int, seed: int = 16):
    """Synthetic stories: Zipf-distributed words, 150-600 of them; every 50th repeats an earlier
    story with a phrase of 8 words rewritten (a near copy)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vocabulary = [f"w{n}" for n in range(20_008)]  # the last 8: the rewritten phrase
    weights = 1 / np.arange(1, 20_001) ** 1.1
    weights /= weights.sum()
    kept: list[np.ndarray] = []  # word ids of 500 stories to copy from (a few MB, filled early)
    for number in range(count):
        if number % 50 == 49 and kept:
            words = kept[int(rng.integers(len(kept)))].copy()
            spot = int(rng.integers(len(words) - 8))
            words[spot : spot + 8] = np.arange(20_000, 20_008)
        else:
            words = rng.choice(20_000, size=int(rng.integers(150, 601)), p=weights)
            if len(kept) < 500:
                kept.append(words)
        yield " ".join(vocabulary[w] for w in words)


def index_run(method: str, sizes: list[int]) -> dict[str, object]:
    """In a fresh process: feed the synthetic stories to one index, report at each size."""
    import os

    import psutil

    from euspider.neardup import NUM_PERM, NearDuplicateIndex, NearDuplicateSettings, Signer

    process = psutil.Process()
    threshold = NearDuplicateSettings.threshold
    signer = Signer()
    folder = Path(tempfile.mkdtemp(prefix="euspider-neardup-"))
    if method == "euspider":
        index = NearDuplicateIndex(folder / "index.sqlite", threshold)
    else:
        from datasketch import MinHash, MinHashLSH

        index = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    signer.signature("warm up the signer")
    base = process.memory_info().rss
    marks = {}
    found = 0
    sign_s = index_s = window_s = 0.0
    for number, text in enumerate(_texts(max(sizes)), 1):
        start = time.perf_counter()
        signature = signer.signature(text)
        sign_s += time.perf_counter() - start
        window_s += time.perf_counter() - start
        start = time.perf_counter()
        if method == "euspider":
            match = index.find(str(number), signature)
            index.add(str(number), signature)
            found += match is not None
        else:
            minhash = MinHash(num_perm=NUM_PERM, hashvalues=signature, scheme="affine32")
            found += bool(index.query(minhash))
            index.insert(str(number), minhash, check_duplication=False)
        index_s += time.perf_counter() - start
        window_s += time.perf_counter() - start
        if number in sizes:
            marks[number] = {
                "rss_growth_mb": round((process.memory_info().rss - base) / 1e6, 1),
                "ms_per_record_last_1000": round(window_s, 3),  # seconds per 1,000 = ms per record
                "disk_mb": round(sum(f.stat().st_size for f in folder.iterdir()) / 1e6, 1)
                if method == "euspider"
                else 0.0,
                "near_copies_found": found,
            }
        if number % 1000 == 0:
            window_s = 0.0
    total = max(sizes)
    for path in folder.iterdir():
        os.unlink(path)
    folder.rmdir()
    return {
        "method": method,
        "marks": marks,
        "signature_ms": round(sign_s / total * 1000, 3),
        "index_ms": round(index_s / total * 1000, 3),
        "planted": total // 50,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="index sizes to report, comma-separated")
    parser.add_argument("--pages", type=int, default=0, help="dev pages to use (0: all)")
    parser.add_argument("--index-run", help=argparse.SUPPRESS)  # internal: one index in a subprocess
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.index_run:
        print(json.dumps(index_run(args.index_run, sizes)))
        return

    from bench.evaldata import require_eval_dir

    require_eval_dir()
    figures: dict[str, object] = {}
    dev = dev_pages(args.pages)
    figures["dev"] = dev
    print(f"dev pages: {dev['records']} records of {dev['pages']} pages")
    print(f"  extraction alone           {dev['extraction_alone_ms']:8.2f} ms/record")
    print(f"  + language identification  {dev['language_ms']:8.3f} ms/record ({dev['language_share']:.1%})")
    print(f"  + near-duplicate search    {dev['neardup_ms']:8.3f} ms/record ({dev['neardup_share']:.1%})")
    print(f"  identified language agrees with the declared one: {dev['language_agrees']:.1%} of {dev['declared']}")
    print(f"  near-duplicate pairs among the dev pages: {len(dev['neardup_pairs'])}")  # type: ignore[arg-type]
    for pair in dev["neardup_pairs"]:  # type: ignore[attr-defined]
        print(f"    {pair[0]} {pair[1]}\n      ~ {pair[2]} {pair[3]} ({pair[4]})")
    for method in ("euspider", "datasketch-MinHashLSH"):
        command = [sys.executable, __file__, "--sizes", args.sizes, "--index-run", method]
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
        run = json.loads(result.stdout.strip().splitlines()[-1])
        figures[method] = run
        print(f"index: {method} (signature {run['signature_ms']} ms, index {run['index_ms']} ms per record)")
        for size, mark in run["marks"].items():
            print(
                f"  {int(size):>7,} records: RSS +{mark['rss_growth_mb']} MB, disk {mark['disk_mb']} MB, "
                f"{mark['ms_per_record_last_1000']} ms/record (last 1,000), "
                f"{mark['near_copies_found']} near copies found of {int(size) // 50} planted"
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
