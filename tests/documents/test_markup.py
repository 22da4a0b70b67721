"""The restricted markup: what it renders, and that nothing in a text becomes markup by accident."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.documents.markup import MarkupError, to_html


def test_headings_paragraphs_lists_and_strong():
    text = (
        "**Demo.** First\nparagraph.\n\n"
        "## Heading\n\n"
        "### Sub\n\n"
        "- one\n- two\n  continued\n\n"
        "1. first\n2. second\n"
    )
    assert to_html(text) == (
        "<p><strong>Demo.</strong> First paragraph.</p>"
        "<h3>Heading</h3>"
        "<h4>Sub</h4>"
        "<ul><li>one</li><li>two continued</li></ul>"
        "<ol><li>first</li><li>second</li></ol>"
    )


def test_heading_level_follows_the_page():
    assert to_html("## A\n\n### B\n", heading_level=2) == "<h2>A</h2><h3>B</h3>"


def test_html_in_a_text_is_shown_as_text():
    html = to_html('A <script>alert("x")</script> & <b>b</b>\n\n- <img src=x onerror=y>\n')

    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# Title\n", "headings"),
        ("#### Deep\n", "headings"),
        ("Para\n- item\n", "blank line between a paragraph and a list"),
        ("- item\n1. other\n", "run together"),
        ("- item\nPara\n", "blank line after a list"),
        ("  indented\n", "indented"),
    ],
)
def test_what_the_markup_does_not_allow_is_an_error_with_the_line(text, message):
    with pytest.raises(MarkupError, match=message):
        to_html(text)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_renders_without_tags_of_its_own_or_is_refused(text):
    try:
        html = str(to_html(text))
    except MarkupError:
        return
    allowed = {"p", "h3", "h4", "ul", "ol", "li", "strong"}
    assert set(re.findall(r"</?([a-z0-9]+)>", html)) <= allowed
    assert "<" not in re.sub(r"</?(?:p|h3|h4|ul|ol|li|strong)>", "", html)
