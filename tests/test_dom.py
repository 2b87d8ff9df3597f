"""The tree helpers extraction leans on: parsing, visible text, whitespace, containment."""

from __future__ import annotations

import pytest
from lxml.html import FormElement, HtmlElement, InputElement, LabelElement, tostring
from trafilatura.utils import load_html

from euspider.dom import is_inside, norm_space, parse_html, text_cache, visible_text


@pytest.mark.parametrize(
    "html",
    [
        "<!DOCTYPE html><html><head><title>T</title></head><body><p>One <b>two</b> three</p></body></html>",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Declared encoding</p></body></html>',
        "<html/><body><p>Self-closed html</p></body>",
        "<html><body><form><label>Name</label><input name=q><select><option>a</option></select>"
        "<textarea>t</textarea></form><!-- note --><p>after</p></body></html>",
        "<p>A fragment without html</p>",
        "plain words, no markup at all",
        "<html><body><p>Control \x0b character and \ufffe non-character</p></body></html>",
    ],
    ids=["doctype", "xml-declaration", "self-closed-html", "form", "fragment", "no-markup", "bad-characters"],
)
def test_parse_html_gives_trafilaturas_tree_and_element_classes(html):
    ours, theirs = parse_html(html), load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is None:
        return
    assert tostring(ours) == tostring(theirs)
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]


def test_parse_html_keeps_lxml_html_form_classes():
    tree = parse_html("<html><body><form><label>Q</label><input name=q></form><p>x</p></body></html>")
    assert isinstance(tree.find(".//form"), FormElement)
    assert isinstance(tree.find(".//input"), InputElement)
    assert isinstance(tree.find(".//label"), LabelElement)
    assert type(tree.find(".//p")) is HtmlElement
    assert tree.find(".//form").inputs["q"].name == "q"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<div><a>Read more</a></div>", "Read more"),
        ("<div><p>  Line\n one </p><p>two<b>three</b>four</p></div>", "Line one two three four"),
        (
            "<div>Before<script>var hidden = 1;</script> after <section><p>Deep"
            "<style>.x{}</style>er</p><p>kept <noscript>no</noscript>tail</p></section>end</div>",
            "Before after Deep er kept tail end",
        ),
        ("<div><template><p>never</p></template></div>", ""),
    ],
    ids=["text-only", "nested", "scripts-at-depth", "only-a-template"],
)
def test_visible_text_reads_text_and_tails_but_not_scripts(html, text):
    tree = parse_html(f"<html><body>{html}</body></html>")
    div = tree.find(".//div")
    assert visible_text(div) == text
    with text_cache(tree):
        assert visible_text(div) == text
        assert visible_text(div) == text  # from the cache


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  a \t b\n\nc  ", "a b c"),
        ("no\u00a0break\u2009thin\u3000ideographic", "no break thin ideographic"),
        ("\u200bzero-width stays", "\u200bzero-width stays"),
        ("", ""),
        (None, ""),
    ],
    ids=["ascii", "unicode-spaces", "zero-width", "empty", "none"],
)
def test_norm_space(raw, normalised):
    assert norm_space(raw) == normalised


def test_is_inside_looks_fifty_levels_up():
    html = "<html><body>" + "<div>" * 60 + "<p>deep</p>" + "</div>" * 60 + "</body></html>"
    tree = parse_html(html)
    p = tree.find(".//p")
    divs = list(tree.iter("div"))
    assert is_inside(p, p)
    assert is_inside(p, divs[-1])  # its parent
    assert is_inside(p, divs[-50])  # fifty levels up
    assert not is_inside(p, divs[-51])  # beyond the limit
    assert not is_inside(divs[0], p)
    assert not is_inside(p, None)
