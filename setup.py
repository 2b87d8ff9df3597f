"""Kept for scrapyd-deploy, which builds its egg with ``python setup.py bdist_egg`` (and would write a
setup.py of its own, without the package's metadata, if there were none). Everything is declared in
pyproject.toml, the ``scrapy`` entry point naming ``euspider.settings`` among it."""

from setuptools import setup

setup()
