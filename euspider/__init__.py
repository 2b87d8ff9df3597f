"""euspider: boilerplate-free news extraction for Scrapy, with publication dates and their provenance.

Public API:

- :func:`extract_article` — one page's record (the same the pipeline writes), or None for a non-article;
- :class:`ArticleExtractor` / :class:`ExtractOptions` — the same with options built once and the skip
  reason returned;
- ``euspider.addon.Addon`` — enable the pipeline in any Scrapy project
  (``ADDONS = {"euspider.addon.Addon": 0}``).
"""

from .extract import ArticleExtractor, ExtractOptions, Outcome, extract_article
from .items import SCHEMA_VERSION, Article, DateEvidence, DateMismatch, Page

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleExtractor",
    "DateEvidence",
    "DateMismatch",
    "ExtractOptions",
    "Outcome",
    "Page",
    "extract_article",
]
__version__ = "0.1.0"
