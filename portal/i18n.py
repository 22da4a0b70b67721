"""Languages: Finnish, Swedish and English. The user's choice is remembered in a cookie (a year);
until they choose, the browser's preference decides."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, request
from flask_babel import get_locale, get_translations

from portal.access import Access, access
from portal.extensions import csrf

LANG_COOKIE = "portal_lang"
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def translations():
    """The current locale's translations, as ``flask_babel.get_translations()`` gives them, kept on the
    request's Babel context for as long as its locale stays the same object (``force_locale`` and
    ``refresh`` replace it): a page's fifty or more template texts then cost a lookup each, not three
    context lookups, a locale lookup and a catalogue lookup each."""
    try:
        context = g._flask_babel
        locale = context.babel_locale
        kept_locale, kept = context.portal_translations
    except (AttributeError, RuntimeError):  # nothing kept yet, or outside an app context
        return _keep(get_translations())
    return kept if kept_locale is locale else _keep(get_translations())


def _keep(found):
    try:
        context = g._flask_babel
        context.portal_translations = (context.babel_locale, found)
    except (AttributeError, RuntimeError):  # outside a request, or before the locale was chosen
        pass
    return found


def install_template_gettext(app: Flask) -> None:
    """Templates translate through ``translations()`` (Flask-Babel's own callables look everything up
    again for each text)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (no open redirect)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/language")
@access(Access.PUBLIC)
@csrf.exempt  # it only sets a language cookie; a token here would give every visitor a session row
def choose_language():
    lang = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")), code=303)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
