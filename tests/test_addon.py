"""The add-on in a Scrapy project of its own: one ADDONS line turns the pipeline and exporter on, and
the project's own settings still win."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from scrapy.settings import Settings

from euspider.addon import Addon
from euspider.exporters import JsonLinesExporter
from euspider.pipelines import ExtractPipeline

from .conftest import ROOT

SPIDER = """
import scrapy
from euspider.items import Page
from euspider.spiders.base import captured_at, headers_of


class Stories(scrapy.Spider):
    name = "stories"

    def __init__(self, base, **kwargs):
        super().__init__(**kwargs)
        self.base = base

    async def start(self):
        for path in ("/euobserver.com/world/26823", "/euobserver.com/eu-political/ar3c9e1f2a", "/euobserver.com/"):
            yield scrapy.Request(self.base + path)

    def parse(self, response):
        yield Page(url="https://" + response.url.split("/", 3)[3], body=response.body, headers=headers_of(response),
                   crawled_at=captured_at(response))
        yield {"plain": "items pass through"}
"""


def test_addon_writes_at_addon_priority():
    settings = Settings({"FEED_EXPORT_ENCODING": "latin-1"}, priority="project")
    Addon().update_settings(settings)
    assert ExtractPipeline in settings.getdict("ITEM_PIPELINES")
    assert settings.getdict("FEED_EXPORTERS")["jsonl"] is JsonLinesExporter
    assert settings["FEED_EXPORT_ENCODING"] == "latin-1"  # the project's own value wins


def test_addon_in_another_project(tmp_path, mirror_server):
    project = tmp_path / "otherproject"
    (project / "otherproject" / "spiders").mkdir(parents=True)
    (project / "scrapy.cfg").write_text("[settings]\ndefault = otherproject.settings\n")
    (project / "otherproject" / "__init__.py").write_text("")
    (project / "otherproject" / "spiders" / "__init__.py").write_text("")
    (project / "otherproject" / "spiders" / "stories.py").write_text(textwrap.dedent(SPIDER))
    (project / "otherproject" / "settings.py").write_text(
        'SPIDER_MODULES = ["otherproject.spiders"]\nADDONS = {"euspider.addon.Addon": 0}\nEUSPIDER_WORKERS = 0\n'
    )
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "stories", "-a", f"base={mirror_server.base_url}", "-O", str(out)],
        cwd=project, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    lines = out.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    stories = [r for r in records if "text" in r]
    assert sorted(r["url"] for r in stories) == [
        "https://euobserver.com/eu-political/ar3c9e1f2a",
        "https://euobserver.com/world/26823",
    ]
    assert sum(1 for r in records if r == {"plain": "items pass through"}) == 3
    assert "'euspider/dropped/no_main_text': 1" in result.stderr  # the homepage
    assert all("\\u" not in line for line in lines)
