"""The application PDF: its text in the chosen language, tagged PDF/UA with language and title, values
escaped, no network, and any text in a value renders."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.documents.pdf import STATIC_DIR, LocalOnlyFetcher, css_string, render_application_pdf
from tests.documents.conftest import application_context, pdf_catalog, pdf_info, pdf_pages, pdf_text

PORTAL_NAMES = {"fi": "Kanta-asiakasportaali", "sv": "Kanta-kundportalen"}


def values(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_the_pdf_holds_the_sections_and_documents_in_the_chosen_language(app, loaded, tmp_path, lang):
    context = application_context(lang)

    pdf = render_application_pdf(context, lang)
    text = pdf_text(pdf, tmp_path)

    assert context["title"] in text
    assert context["organisation"]["name"] in text
    for section in context["sections"]:
        assert section["title"] in text
        for row in section["rows"]:
            assert row["label"] in text
            for value in values(row["value"]):
                assert value in text
    for document in context["documents"]:
        assert document["title"] in text
        assert document["sha256"] in "".join(text.split())  # may wrap anywhere
    assert "010180-****" in text
    with force_locale(lang):
        assert gettext("Business ID") in text
        assert gettext("Not given") in text  # the empty phone number


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_page_has_the_portal_name_and_its_number_in_the_language(app, loaded, tmp_path, lang):
    context = application_context(lang)

    pages = pdf_pages(render_application_pdf(context, lang), tmp_path)

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert PORTAL_NAMES[lang] in page
        assert context["reference"] in page
        with force_locale(lang):
            assert gettext("Page %(page)s of %(pages)s", page=number, pages=len(pages)) in page


def test_the_pdf_is_tagged_with_language_and_title(app, loaded, tmp_path):
    context = application_context("sv")

    pdf = render_application_pdf(context, "sv")
    catalog = pdf_catalog(pdf)
    info = pdf_info(pdf, tmp_path)

    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true\s*>>", catalog)
    assert re.search(rb"/StructTreeRoot\s+\d+\s+0\s+R", catalog)
    assert re.search(rb"/Lang\s*\(sv\)", catalog)
    assert re.search(rb"/DisplayDocTitle\s+true", catalog)
    assert info["Tagged"] == "yes"
    assert info["Title"] == context["title"]
    assert info["Page size"].endswith("(A4)")


def test_values_are_text_not_markup(app, loaded, tmp_path):
    hostile = '<b>bold</b> & <script>alert("x")</script> <img src="http://127.0.0.1:9/x.png">'
    reference = 'KANTA-1"; } </style><h1>Injected</h1>'
    context = application_context(
        "fi",
        reference=reference,
        sections=[{"title": "Testi", "rows": [{"label": "<i>Nimi</i>", "value": [hostile, "toinen"]}]}],
    )

    text = pdf_text(render_application_pdf(context, "fi"), tmp_path)

    assert hostile in text
    assert "<i>Nimi</i>" in text
    assert reference in text  # in the page header, as it was given


def test_a_draft_is_marked_not_submitted(app, loaded, tmp_path):
    context = application_context("fi", submitted_at=None, submitted_by=None, documents=[])

    text = pdf_text(render_application_pdf(context, "fi"), tmp_path)

    with force_locale("fi"):
        assert gettext("Not submitted") in text


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/image.png",
        "https://example.org/font.woff2",
        "ftp://example.org/x",
        "file:///etc/passwd",
        (STATIC_DIR / ".." / "documents" / "pdf.py").as_uri(),
    ],
)
def test_the_fetcher_refuses_the_network_and_files_outside_static(url):
    with pytest.raises(ValueError, match="refused"):
        LocalOnlyFetcher().fetch(url)


def test_the_fetcher_serves_data_urls_and_static_files():
    data = LocalOnlyFetcher().fetch("data:text/plain;base64,S2FudGE=")
    static = LocalOnlyFetcher().fetch((STATIC_DIR / "images" / "favicon.svg").as_uri())

    assert data.read() == b"Kanta"
    assert static.read().lstrip().startswith(b"<")
    data.close()
    static.close()


def test_css_strings_cannot_end_early_or_close_the_style_element():
    quoted = css_string('a"b\\c</style>\n')

    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert '"' not in inner and "<" not in inner and "\n" not in inner


labels = st.text(max_size=80)
row_values = st.one_of(st.text(max_size=300), st.lists(st.text(max_size=80), max_size=4))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.fixed_dictionaries({"label": labels, "value": row_values}), min_size=1, max_size=6),
    title=st.text(max_size=120),
    reference=st.text(max_size=40),
)
def test_any_unicode_in_the_rows_renders(app, rows, title, reference):
    context = application_context(
        "fi", title=title, reference=reference, sections=[{"title": title, "rows": rows}], documents=[]
    )

    pdf = render_application_pdf(context, "fi")

    assert pdf.startswith(b"%PDF-")
