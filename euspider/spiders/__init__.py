"""Spiders: one per source. They choose URLs and hand responses on; the pipeline extracts."""
