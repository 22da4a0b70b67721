"""Translating texts in Python code: ``gettext`` and ``lazy_gettext`` as Flask-Babel's, but through the
request's translations kept by ``translations()``. Flask-Babel's own look up the Babel context, the
domain, the locale and the catalogue again for each text; a page translates fifty or more."""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import get_translations
from flask_babel.speaklater import LazyString


def translations():
    """The current locale's translations, as ``flask_babel.get_translations()`` gives them, kept on the
    request's Babel context for as long as its locale stays the same object (``force_locale`` and
    ``refresh`` replace it)."""
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


def gettext(string: str, **variables: Any) -> str:
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``singular`` or ``plural`` as ``num`` asks in the current language; ``%(num)d`` is ``num``."""
    return translations().ungettext(singular, plural, num) % {"num": num, **variables}


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """A text translated each time it is used, in the language of that moment."""
    return LazyString(gettext, string, **variables)
