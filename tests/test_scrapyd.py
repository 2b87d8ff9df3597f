"""Scheduled runs through scrapyd, as the README shows them: start scrapyd on 127.0.0.1, deploy the
project with `scrapyd-deploy local` (the egg names `euspider.settings` through its `scrapy` entry
point), schedule the mirror crawl with `schedule.json`, and read the records from the run's output."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import GOLDEN_PAGES, MIRROR_DIR, ROOT

STORIES = sorted(p.golden["url"] for p in GOLDEN_PAGES if p.golden["kind"] == "article")


def _free_port() -> int:
    # scrapyd cannot listen on port 0 and say which port it got: ask the OS for a free one
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n",
        encoding="utf-8",
    )
    log = open(home / "scrapyd.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "scrapyd"], cwd=home, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _get(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("scrapyd did not start:\n" + (home / "scrapyd.log").read_text(errors="replace")[-2000:])
            time.sleep(0.2)
        yield url, home
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_deploy_and_schedule_the_mirror_crawl(scrapyd, tmp_path):
    url, home = scrapyd
    # a checkout of the project, its deploy target pointed at this scrapyd's port
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, checkout / name)
    shutil.copytree(ROOT / "euspider", checkout / "euspider", ignore=shutil.ignore_patterns("__pycache__"))
    config = (checkout / "scrapy.cfg").read_text(encoding="utf-8")
    assert "url = http://localhost:6800/" in config
    (checkout / "scrapy.cfg").write_text(config.replace("http://localhost:6800/", url), encoding="utf-8")

    deploy = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", "local"], cwd=checkout, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    answer = json.loads(deploy.stdout.strip().splitlines()[-1])
    assert answer["status"] == "ok" and answer["project"] == "euspider"
    assert sorted(_get(url + "listspiders.json?project=euspider")["spiders"]) == ["euobserver", "news", "warc"]

    runs = tmp_path / "runs"
    job = _post(
        url + "schedule.json",
        [("project", "euspider"), ("spider", "euobserver"), ("mirror", str(MIRROR_DIR)),
         ("setting", f"EUSPIDER_RUN_DIR={runs}")],
    )  # fmt: skip
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 240
    while not any(j["id"] == job["jobid"] for j in _get(url + "listjobs.json?project=euspider")["finished"]):
        assert time.monotonic() < deadline, "the scheduled crawl did not finish"
        time.sleep(0.5)

    log = (home / "logs" / "euspider" / "euobserver" / f"{job['jobid']}.log").read_text(encoding="utf-8")
    assert "Traceback" not in log
    outputs = list(runs.glob("euobserver_*.jsonl"))
    assert len(outputs) == 1, log[-3000:]
    records = [json.loads(line) for line in outputs[0].read_text(encoding="utf-8").splitlines()]
    assert sorted(r["url"] for r in records) == STORIES
    manifest = json.loads(Path(str(outputs[0]).replace(".jsonl", ".manifest.json")).read_text(encoding="utf-8"))
    assert manifest["finish_reason"] == "finished" and manifest["records"] == 19
