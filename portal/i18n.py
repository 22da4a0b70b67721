"""Languages: Finnish, Swedish and English. The user's choice is remembered in a cookie (a year);
until they choose, the browser's preference decides."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, request
from flask_babel import get_locale
from jinja2 import pass_eval_context
from markupsafe import Markup

from portal.access import Access, access
from portal.extensions import csrf
from portal.texts import translations

LANG_COOKIE = "portal_lang"
LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def install_template_gettext(app: Flask) -> None:
    """Templates translate through ``translations()`` (Flask-Babel's own callables look everything up
    again for each text). ``_`` and ``gettext``, a page's commonest call, are ``template_gettext``:
    the newstyle gettext that Jinja would make of ours, without its two extra context calls."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)


@pass_eval_context
def template_gettext(eval_context, string: str, **variables) -> str:
    """As Jinja's newstyle gettext: markup in an autoescaped template, and always a format string
    ("%%" is "%"; the variables are escaped)."""
    text = translations().ugettext(string)
    if eval_context.autoescape:
        text = Markup(text)  # noqa: S704 -- the catalogue's texts are the portal's own
    return text % variables if variables or "%" in text else text


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
