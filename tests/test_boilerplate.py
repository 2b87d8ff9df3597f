"""Generic boilerplate rules, one row per rule, on lines and small pages (no site profile)."""

from __future__ import annotations

import pytest
from trafilatura.utils import load_html

from euspider import boilerplate
from euspider.extract import count_words, extract_article, restore_lead, strip_headline

from .test_dates_sources import STORY, page

LINES = [
    ("subscribe-cta", "Subscribe now for unlimited access", "paywall_prompt"),
    ("trial", "Start your 14-day free trial today", "paywall_prompt"),
    ("newsletter-label", "PC Gamer Newsletter", "newsletter_prompt"),
    ("cookie", "We use cookies to improve your experience.", "cookie_notice"),
    ("follow", "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner", "share"),
    (
        "app",
        "For the latest stories and breaking news updates download the Nationnews apps for iOS and Android.",
        "app_promo",
    ),
    ("rights", "© 2020 General Mills All Rights Reserved", "rights_notice"),
    ("reprints", "Order Reprints", "rights_notice"),
    ("read-also-en", "Read more: Ministers clash over the budget again", "related"),
    ("read-also-es", "Lea también: Impiden ingreso a Nicaragua a reportero", "related"),
    ("read-also-de-label", "Schon gelesen?", "related"),
    ("read-also-pl-label", "Czytaj też", "related"),
    ("tagged-headline", "China furious at Macron for Hong Kong protest jibe [INSIGHT]|", "related"),
    ("caption-credit", "Credit:", "caption"),
    ("caption-label", "Titelbild:", "caption"),
    ("comments-counter", "View Comments", "furniture"),
    ("legal", "Datenschutz- und Nutzungsbedingungen.", "furniture"),
    ("bare-url", "https://www.barrons.com/articles/home-depot", "url"),
    ("post-meta", "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde", "byline"),
    ("date-only", "27.01.2022", "dateline"),
    ("time-only", "3:59 PM", "dateline"),
    ("month-day", "January 13", "dateline"),
    ("prose", "The minister said on Monday that talks with the unions would continue next week.", None),
    (
        "prose-mentioning-newsletter",
        "The ministry's newsletter to farmers was read by forty thousand people this spring, officials said on Tuesday.",
        None,
    ),
    ("prose-with-a-year", "In June 2020 the council changed the rules.", None),
    ("long-paragraph-with-cta-words", " ".join(["The paper said it would not subscribe to the new rules."] * 4), None),
]


@pytest.mark.parametrize(("line", "kind"), [row[1:] for row in LINES], ids=[row[0] for row in LINES])
def test_line_kind(line, kind):
    assert boilerplate.line_kind(line) == kind


def test_links_after_a_label_and_shouted_links_go():
    text = "Story paragraph one is long enough to be prose here.\nSchon gelesen?\nLuftwaffe beginnt Training auf dem H145\nSEAN SPICER ELIMINATED FROM THE SHOW TONIGHT\nStory paragraph two."
    titles = frozenset({"Luftwaffe beginnt Training auf dem H145", "SEAN SPICER ELIMINATED FROM THE SHOW TONIGHT"})
    kept, dropped = boilerplate.text_filter(text, titles)
    assert kept.split("\n") == ["Story paragraph one is long enough to be prose here.", "Story paragraph two."]
    assert dropped["related"] == 3


def test_hidden_metadata_copy_is_removed_but_a_hidden_story_is_kept():
    hidden_copy = (
        "<div style='display:none'><div itemprop='articleBody'>"
        + "Hidden copy of the story text. " * 10
        + "</div></div>"
    )
    record = extract_article(page(after=hidden_copy), "https://news.example/a", crawled_at="2023-02-04T10:00:00Z")
    assert "Hidden copy" not in record["text"]
    assert record["boilerplate"]["removed"]["hidden"] == 1
    only_hidden = (
        "<html><body><nav><a href='/'>Home</a></nav><div style='display:none'>" + STORY + "</div></body></html>"
    )
    tree = load_html(only_hidden)
    marks = boilerplate.Marks()
    boilerplate.mark_hidden(tree, marks)
    assert marks.items == []


def test_headline_is_stripped_and_furniture_above_it():
    tree = load_html(page())
    scope = tree.find(".//article")
    text = (
        "Sidebar teaser nobody asked for\nCouncil agrees reform\n"
        + "Paragraph 0 of the story says what the council decided."
    )
    stripped, dropped = strip_headline(text, "Opinion | Council agrees reform", scope)
    assert stripped.startswith("Paragraph 0")
    assert dropped == {"headline": 1, "before_headline": 1}


def test_lead_set_apart_as_teaser_is_restored():
    html = page(
        inside="<p class='teaser-text'>The council agreed on Monday to rewrite the rules that govern how member states borrow, ending months of talks.</p>"
    )
    tree = load_html(html)
    scope = tree.find(".//article")
    restored = restore_lead("Paragraph 0 of the story.", scope)
    assert restored.startswith("The council agreed on Monday")


@pytest.mark.parametrize(
    ("text", "count"), [("two words", 2), ("it's a well-known fact", 4), ("不正に改造したiPhone", 8), ("", 0)]
)
def test_count_words(text, count):
    assert count_words(text) == count
