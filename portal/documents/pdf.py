"""PDF copies: the application with the texts the customer accepted and signed.

Rendered by WeasyPrint as PDF/UA-1 (tagged, with the document's language and title), with fonts from
the system (DejaVu Sans, packaged by Debian) and no network access: the URL fetcher serves ``data:``
URLs and the portal's own static files, and refuses everything else.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app
from flask_babel import force_locale
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from portal.texts import gettext

STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()
FINLAND = ZoneInfo("Europe/Helsinki")
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}
PAGE_PLACEHOLDERS = re.compile(r"(%\(pages?\)s)")

_local = threading.local()


class LocalOnlyFetcher(URLFetcher):
    """Fetches ``data:`` URLs and files under ``portal/static``; refuses every other URL, so a PDF
    never makes a request (an address in a value cannot become one either: values are escaped)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers: dict | None = None):
        if url.startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(STATIC_DIR):
                raise ValueError(f"refused: {url} is outside the static files")
        elif not url.startswith("data:"):
            raise ValueError(f"refused: {url.split(':', 1)[0]}: URLs are not fetched")
        return super().fetch(url, headers)


def _font_config() -> FontConfiguration:
    """One font configuration per thread: building one loads the system's fonts through Fontconfig,
    which costs more than laying out a short document; Pango's font maps are not shared across threads."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def render_pdf(html: str, *, forms: bool = False) -> bytes:
    """The HTML as a tagged PDF/UA-1. The ``lang`` of the html element becomes the PDF's /Lang and its
    ``<title>`` the document title, both of which PDF/UA requires. With ``forms`` its ``<input>`` and
    ``<textarea>`` elements become fields that can be filled in on screen (their ``title`` is the
    field's accessible name)."""
    # A lone surrogate cannot be encoded for the layout engine; show it as a replacement character.
    html = html.encode("utf-8", "replace").decode("utf-8")
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=LocalOnlyFetcher())
    return document.write_pdf(font_config=_font_config(), pdf_forms=forms, **PDF_OPTIONS)


# The application PDF ----------------------------------------------------------------------------


def render_application_pdf(context: dict[str, Any], lang: str) -> bytes:
    """The application as a PDF in ``lang``. ``context`` (every text already in ``lang``)::

        {"title": str,
         "organisation": {"name": str, "business_id": str, "oid": str},
         "service_name": str,
         "submitted_at": datetime | None,  # None: a draft, printed as "Not submitted"
         "submitted_by": str | None,
         "reference": str,
         "sections": [{"title": str, "rows": [{"label": str, "value": str | list[str]}]}],
         "documents": [{"title": str, "version": int, "sha256": str, "body": Markup,
                        "accepted_by": str, "accepted_at": datetime,
                        "kind": "service_description" | "commitment",
                        "signer_hetu_masked": str | None}]}

    Values are escaped; only ``body`` (from ``render_body``) is taken as HTML.
    """
    return render_pdf(application_html(context, lang))


def application_html(context: dict[str, Any], lang: str) -> str:
    if lang not in current_app.config["LANGUAGES"]:
        raise ValueError(f"unknown language {lang!r}")
    with force_locale(lang):
        template = current_app.jinja_env.get_template("pdf/application.html")
        return template.render(
            **context,
            lang=lang,
            page_css=page_css(context),
            when=lambda moment: format_moment(moment, lang),
        )


def format_moment(moment: datetime, lang: str) -> str:
    """Date and time in Finnish time with the offset, so that a printed copy is unambiguous."""
    return format_datetime(moment, "long", tzinfo=FINLAND, locale=lang)


def page_css(context: dict[str, Any]) -> Markup:
    """The page's margin boxes: the portal's name and the reference in the header, "Page X of Y" in the
    footer, in the forced locale (``force_locale``). Each margin box is laid out on every page:
    three cost about a tenth of the render, so there is no fourth."""
    page_of = gettext("Page %(page)s of %(pages)s")
    pieces = []
    for part in PAGE_PLACEHOLDERS.split(page_of):
        if part == "%(page)s":
            pieces.append("counter(page)")
        elif part == "%(pages)s":
            pieces.append("counter(pages)")
        elif part:
            pieces.append(css_string(part))
    return Markup(  # noqa: S704  (every value is a CSS string from css_string())
        "@page {"
        f" @top-left {{ content: {css_string(gettext('Kanta customer portal'))}; }}"
        f" @top-right {{ content: {css_string(context.get('reference') or '')}; }}"
        f" @bottom-right {{ content: {' '.join(pieces) or css_string('')}; }}"
        " }"
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string. Quotes, backslashes, control characters and ``<``/``>`` are
    escaped as code points, so the string can neither end early nor close the ``<style>`` element."""
    out = []
    for char in text:
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
