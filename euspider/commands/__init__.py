"""Scrapy commands of euspider (``COMMANDS_MODULE = "euspider.commands"`` in a project's settings)."""
