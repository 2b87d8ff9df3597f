"""This project's own crawl settings (``scrapy crawl`` in this folder). Plugin users never import
this module: they add ``ADDONS = {"euspider.addon.Addon": 0}`` to their own settings, and
``COMMANDS_MODULE = "euspider.commands"`` for a ``scrapy crawl`` that exits non-zero when the crawl
failed its monitors."""

BOT_NAME = "euspider"
SPIDER_MODULES = ["euspider.spiders"]
NEWSPIDER_MODULE = "euspider.spiders"

ADDONS = {"euspider.addon.Addon": 0}
# `scrapy crawl` exits with EUSPIDER_MONITOR_EXIT_CODE when the crawl failed its monitors
COMMANDS_MODULE = "euspider.commands"
# the add-on registers the Parquet exporter too, but `scrapy crawl -O x.parquet` checks the format
# before add-ons run, so a project that wants it on the command line names it here as well
FEED_EXPORTERS = {"parquet": "euspider.exporters.ParquetExporter"}

# polite by default: a live crawl of a news site
USER_AGENT = "euspider/0.1 (news dataset crawler; +https://github.com/euspider/euspider)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# one JSON lines file per run (and its manifest), unless the command line names its own (`-O file.jsonl`)
EUSPIDER_RUN_DIR = "output/%(name)s"

LOG_LEVEL = "INFO"
