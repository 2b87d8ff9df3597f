"""Small throwaway sites for crawl tests: a mirror folder of pages under reserved `.example` hosts,
served by the project's replay server on 127.0.0.1 (never fetched from anywhere else)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import MIRROR_DIR, ROOT

CAPTURED = "2023-02-04T10:00:00Z"


def story_html(index: int, paragraphs: int = 6) -> str:
    body = "".join(
        f"<p>Paragraph {p} of story {index}: the council met on Monday and ministers said the talks on the budget would go on.</p>"
        for p in range(paragraphs)
    )
    return f"<!DOCTYPE html><html lang='en'><head><title>Story {index}</title></head><body><article><h1>Story {index}</h1>{body}</article></body></html>"


def make_site(
    folder: Path,
    pages: dict[str, bytes],
    content_type: str = "text/html; charset=utf-8",
    captured_at: str = CAPTURED,
) -> Path:
    """Write a mirror folder holding ``pages`` (URL -> body), captured at ``captured_at``, and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    captures = []
    for index, (url, body) in enumerate(pages.items()):
        name = f"page-{index}.html"
        (folder / name).write_bytes(body)
        captures.append(
            {
                "url": url,
                "file": name,
                "captured_at": captured_at,
                "content_type": content_type,
                "kind": "article",
                "last_modified": None,
            }
        )
    (folder / "captures.json").write_text(json.dumps(captures), encoding="utf-8")
    (folder / "urls.txt").write_text("\n".join(pages), encoding="utf-8")
    return folder


def story_url(index: int) -> str:
    return f"https://news.example/politics/{index}/council-talks-go-on-into-the-night"


def crawl_command(site: Path, output: Path, *settings: str) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"urls={site / 'urls.txt'}",
        "-a",
        f"mirror={site}",
        "-O",
        f"{output}:jsonl",
    ]
    for setting in settings:
        args += ["-s", setting]
    return args


def run_crawl(site: Path, output: Path, *settings: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        crawl_command(site, output, *settings), cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


__all__ = ["MIRROR_DIR", "make_site", "run_crawl", "story_html", "story_url"]
