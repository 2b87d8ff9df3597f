"""EUobserver: the RSS feed, the homepage and section pages, then the stories they link to.

Live by default (robots.txt obeyed, throttled). ``-a mirror=fixtures/euobserver`` crawls the bundled
offline mirror instead, through the same code, over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from ..sites import get_profile
from .base import NewsSpider


class EUobserverSpider(NewsSpider):
    name = "euobserver"
    allowed_domains = ("euobserver.com",)
    profile = get_profile("euobserver")
