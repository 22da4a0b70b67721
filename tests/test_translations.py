"""The translation catalogues: complete, up to date with the source, placeholders kept, and used.

``scripts/translations update`` extracts the messages and merges them into the catalogues;
``scripts/translations compile`` builds the .mo files the app reads. The .mo files are not committed:
``compile_catalogues()`` builds the stale ones, and runs before these tests (the whole suite should call
it once before any app renders a page, e.g. from tests/conftest.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import tinyhtml5
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
SCRIPT = ROOT / "scripts" / "translations"
LANGUAGES = ("fi", "sv", "en")
TRANSLATED = ("fi", "sv")
RUN_UPDATE = (
    "Run `scripts/translations update` and translate the new entries in fi and sv (en: msgstr = msgid)."
)

# %(name)s and %s for Python, %{count} for GOV.UK Frontend's JavaScript, %% for a literal per cent.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|%\{[^}]*\}")
MARKUP = re.compile(r"</?[A-Za-z][^>]*>|&#?\w+;")


def po_path(lang: str, directory: Path = TRANSLATIONS) -> Path:
    return directory / lang / "LC_MESSAGES" / "messages.po"


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every catalogue whose .mo is missing or older than its .po; returns the .mo files written.

    Fuzzy entries are left out, as ``pybabel compile`` does. The .mo is written beside the .po under a
    temporary name and renamed, so a concurrent test run never reads half a file."""
    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=po.parent, prefix=".compiling-", suffix=".mo")  # git-ignored
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(mo)
    return written


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> list[Path]:
    return compile_catalogues()


def load(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def entries(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def key(message: Message) -> tuple:
    return (message.context, message.id if isinstance(message.id, str) else tuple(message.id))


def name(message_key: tuple) -> str:
    context, msgid = message_key
    text = msgid if isinstance(msgid, str) else " / ".join(msgid)
    return f"{context}: {text!r}" if context else repr(text)


def strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


@pytest.fixture(scope="module")
def catalogues() -> dict[str, Catalog]:
    return {lang: load(po_path(lang), lang) for lang in LANGUAGES}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """The messages in the source now, extracted exactly as ``scripts/translations update`` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    env = {**os.environ, "PYBABEL": str(pybabel)} if pybabel.exists() else None
    subprocess.run(["bash", str(SCRIPT), "extract", str(pot)], cwd=ROOT, env=env, check=True)
    return load(pot)


# (a) complete ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(catalogues, lang):
    catalog = catalogues[lang]
    untranslated = [name(key(m)) for m in entries(catalog) if not all(s.strip() for s in strings(m))]
    fuzzy = [name(key(m)) for m in entries(catalog) if m.fuzzy]

    assert not catalog.fuzzy, f"{lang}: the catalogue's header is marked fuzzy; pybabel compile would skip it"
    assert str(catalog.locale) == lang
    assert not untranslated, f"{lang}: untranslated entries: {untranslated}. {RUN_UPDATE}"
    assert not fuzzy, f"{lang}: fuzzy entries (check the translation, then remove the flag): {fuzzy}"


def test_english_catalogue_gives_the_source_text(catalogues):
    # A plural entry gives the msgid and the msgid_plural.
    different = [
        name(key(m))
        for m in entries(catalogues["en"])
        if strings(m) != ([m.id] if isinstance(m.id, str) else list(m.id))
    ]
    assert not different, f"en: msgstr should be the msgid in: {different}"


# (b) up to date with the source -------------------------------------------------------------------


def test_extraction_finds_the_portal_messages(extracted):
    found = {key(m) for m in entries(extracted)}
    assert (None, "Kanta customer portal") in found  # templates/base.html
    assert (None, "Patient data archive") in found  # portal/applications/catalogue.py


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_every_message_of_the_source(catalogues, extracted, lang):
    # Entries no longer in the source are harmless (the next update drops them), so only the missing
    # ones fail: a string someone added that would show in English on a Finnish or Swedish page.
    in_source = {key(m) for m in entries(extracted)}
    in_catalogue = {key(m) for m in entries(catalogues[lang])}

    missing = sorted(in_source - in_catalogue, key=str)
    assert not missing, f"{lang}: not in the catalogue: {', '.join(map(name, missing))}. {RUN_UPDATE}"


def test_committed_template_has_every_message_of_the_source(extracted):
    template = load(TRANSLATIONS / "messages.pot")
    in_template = {key(m) for m in entries(template)}

    missing = sorted({key(m) for m in entries(extracted)} - in_template, key=str)
    assert not missing, f"messages.pot lacks: {', '.join(map(name, missing))}. {RUN_UPDATE}"


# (c) placeholders and markup kept -----------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders_and_markup(catalogues, lang):
    wrong = []
    for message in entries(catalogues[lang]):
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        expected_placeholders = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        expected_markup = set().union(*(MARKUP.findall(s) for s in sources))
        for translation in strings(message):
            if not translation:
                continue  # reported by the completeness test
            if set(PLACEHOLDER.findall(translation)) != expected_placeholders:
                wrong.append(f"{name(key(message))} -> {translation!r} (placeholders)")
            if set(MARKUP.findall(translation)) != expected_markup:
                wrong.append(f"{name(key(message))} -> {translation!r} (markup)")

    assert not wrong, f"{lang}: " + "; ".join(wrong)


# (d) the compiled catalogues are used --------------------------------------------------------------


def test_compiled_catalogues_are_current(compiled_catalogues):
    for lang in LANGUAGES:
        po = po_path(lang)
        mo = po.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} was not compiled"


@pytest.mark.parametrize(
    ("lang", "service_name"),
    [("fi", "Kanta-asiakasportaali"), ("sv", "Kanta-kundportalen"), ("en", "Kanta customer portal")],
)
def test_page_is_rendered_in_the_chosen_language(client, lang, service_name):
    client.set_cookie("portal_lang", lang)
    refresh()  # the app fixture's context is shared by the client's requests: forget a cached locale

    response = client.get("/")
    page = tinyhtml5.parse(response.get_data(as_text=True), namespace_html_elements=False)

    assert response.status_code == 200
    assert page.get("lang") == lang
    header_name = page.find(".//header//span[@class='portal-header__service-name']")
    assert " ".join(header_name.itertext()).strip() == service_name
    assert page.find(".//title").text.strip().endswith(service_name)


@pytest.mark.parametrize(
    ("msgid", "fi", "sv"),
    [
        ("Kanta services", "Kanta-palvelut", "Kanta-tjänster"),
        ("Kanta customer portal", "Kanta-asiakasportaali", "Kanta-kundportalen"),
        ("Business ID", "Y-tunnus", "FO-nummer"),
    ],
)
def test_names_of_the_service_follow_kanta_usage(catalogues, msgid, fi, sv):
    assert catalogues["fi"][msgid].string == fi
    assert catalogues["sv"][msgid].string == sv


def test_templates_follow_the_locale_as_it_changes_within_a_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    template = "{{ _('Description') }} / {{ ngettext('%(num)d unit', '%(num)d units', 2) }}"
    with app.test_request_context("/", headers={"Cookie": "portal_lang=sv"}):
        assert render_template_string(template).startswith("Beskrivning")
        with force_locale("fi"):
            assert render_template_string(template).startswith("Kuvaus")
        assert render_template_string(template).startswith("Beskrivning")
        with force_locale("en"):
            assert render_template_string(template).startswith("Description")
    with app.test_request_context("/", headers={"Cookie": "portal_lang=fi"}):
        refresh()  # a new request (the app fixture's context, and so its g, is shared by the tests')
        assert render_template_string(template).startswith("Kuvaus")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # The variables are escaped in an HTML template; the text itself is the portal's own.
        (
            "{{ _('Acting for %(organisation)s (%(business_id)s)', organisation='<b>', business_id=1) }}",
            "Acting for &lt;b&gt; (1)",
        ),
        # Without autoescape (the e-mails' text bodies) nothing is escaped.
        (
            "{% autoescape false %}{{ gettext('Acting for %(organisation)s (%(business_id)s)', "
            "organisation='<b>', business_id=1) }}{% endautoescape %}",
            "Acting for <b> (1)",
        ),
        # Always a format string, as Jinja's newstyle gettext: "%%" is "%" with or without variables.
        ("{{ _('100%% sure') }}", "100% sure"),
        ("{{ _('%(n)s%% sure', n=100) }}", "100% sure"),
    ],
)
def test_template_texts_are_formatted_as_newstyle_gettext(app, template, expected):
    from flask import render_template_string

    with app.test_request_context("/", headers={"Cookie": "portal_lang=en"}):
        refresh()
        assert render_template_string(template) == expected


def test_python_texts_follow_the_locale_as_it_changes_within_a_request(app):
    from flask_babel import force_locale

    from portal.texts import gettext, lazy_gettext

    later = lazy_gettext("Description")
    with app.test_request_context("/", headers={"Cookie": "portal_lang=sv"}):
        refresh()
        assert (gettext("Description"), str(later)) == ("Beskrivning", "Beskrivning")
        with force_locale("fi"):
            assert (gettext("Description"), str(later)) == ("Kuvaus", "Kuvaus")
        assert gettext(
            "Acting for %(organisation)s (%(business_id)s)", organisation="<b>", business_id=1
        ) == ("Du företräder <b> (1)")
