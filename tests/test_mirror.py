"""The mirror replay server: real HTTP on loopback with archive headers, 304s and 404s."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from euspider.mirror import Mirror, MirrorError, replay_path


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_serves_a_capture_with_archive_headers(mirror_server):
    assert mirror_server.base_url.startswith("http://127.0.0.1:")
    status, headers, body = fetch(mirror_server.replay_url("https://euobserver.com/world/26823"))
    assert status == 200
    assert headers["Memento-Datetime"] == "Sat, 04 Feb 2023 09:12:31 GMT" or headers["Memento-Datetime"].startswith(
        "Sat, 04 Feb 2023"
    )
    assert headers["Link"] == '<https://euobserver.com/world/26823>; rel="original"'
    assert headers["Content-Type"].startswith("text/html")
    assert b"Russia renews push" in body
    assert "Date" in headers


def test_conditional_request_gets_304(mirror_server):
    url = mirror_server.replay_url("https://euobserver.com/world/26823")
    _, headers, _ = fetch(url)
    status, _, body = fetch(url, {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""


def test_unknown_url_is_404(mirror_server):
    status, _, _ = fetch(mirror_server.replay_url("https://euobserver.com/world/1"))
    assert status == 404


def test_host_root_and_query_urls(mirror_server):
    assert fetch(mirror_server.replay_url("https://euobserver.com/"))[0] == 200
    assert fetch(mirror_server.replay_url("https://euobserver.com/?aid=23383"))[0] == 200
    assert replay_path("https://xml.euobserver.com/rss.xml") == "/xml.euobserver.com/rss.xml"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (None, "captures.json is missing"),
        ("{", "cannot read the manifest"),
        (
            '[{"url": "https://a/", "file": "nope.html", "captured_at": "2023-02-04T10:00:00Z", "content_type": "text/html"}]',
            "does not exist",
        ),
        (
            '[{"url": "https://a/", "file": "p.html", "captured_at": "2023-02-04T10:00:00", "content_type": "text/html"}]',
            "no timezone",
        ),
        ('[{"url": "https://a/"}]', "needs url, file, captured_at"),
    ],
    ids=["no-manifest", "bad-json", "missing-file", "naive-time", "missing-keys"],
)
def test_bad_mirror_is_a_clear_error(tmp_path, manifest, message):
    (tmp_path / "p.html").write_text("<html></html>")
    if manifest is not None:
        (tmp_path / "captures.json").write_text(manifest)
    with pytest.raises(MirrorError, match=message):
        Mirror(tmp_path)


def test_bundled_mirror_manifest_is_complete(mirror):
    data = json.loads((mirror.root / "captures.json").read_text())
    assert len(mirror.captures) == len(data)
    assert {"euobserver.com", "xml.euobserver.com"} <= mirror.hosts
