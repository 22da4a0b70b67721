"""Generic error pages in the user's language. They say what the user can do next and nothing about
the cause (no exception text, no stack trace), and they never touch the database, so that they still
render while it is down."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.texts import gettext as _
from portal.texts import lazy_gettext as _l
from portal.texts import ngettext


@dataclass(frozen=True)
class ErrorPage:
    title: object
    paragraphs: tuple[object, ...]


PAGES: dict[int | str, ErrorPage] = {
    400: ErrorPage(
        _l("Sorry, there is a problem with the request"),
        (_l("The service could not understand what the browser sent. Go back and try again."),),
    ),
    "csrf": ErrorPage(
        _l("The form has expired"),
        (
            _l(
                "For your security, a form can only be sent from the page it was opened on, and only for a"
                " limited time. Nothing was saved."
            ),
            _l("Go back to the previous page, reload it and try again."),
        ),
    ),
    401: ErrorPage(
        _l("Sign in to continue"),
        (_l("You need to sign in to do this. If you were signed in, your session may have ended."),),
    ),
    403: ErrorPage(
        _l("You cannot use this page"),
        (
            _l(
                "You do not have the rights to use this page. Check that you are acting for the right"
                " organisation."
            ),
        ),
    ),
    404: ErrorPage(
        _l("Page not found"),
        (
            _l("If you typed the web address, check it is correct."),
            _l("If you pasted the web address, check you copied the entire address."),
        ),
    ),
    405: ErrorPage(
        _l("This page cannot be used like that"),
        (_l("Go back to the previous page and use the links and buttons on it."),),
    ),
    413: ErrorPage(
        _l("The file is too large"),
        (_l("The file you chose is larger than the service accepts. Choose a smaller file and try again."),),
    ),
    429: ErrorPage(
        _l("Too many attempts"),
        (_l("You have tried this too many times in a short time. Wait a few minutes and try again."),),
    ),
    500: ErrorPage(
        _l("Sorry, there is a problem with the service"),
        (
            _l("Try again later."),
            _l("What you saved with “Save and continue” before the problem has been kept."),
        ),
    ),
}

# When even the template cannot be rendered (a broken session store, a failing context processor),
# the browser still gets a page rather than a bare traceback-free "Internal Server Error".
FALLBACK_HTML = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body><h1>{title}</h1><p>{text}</p></body></html>"
)


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    for code in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(code, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
    app.register_error_handler(HTTPException, handle_http_error)


def handle_csrf_error(error: CSRFError):
    return render_error("csrf", 400, error)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code < 400:  # not an error (a redirect raised as an exception): let it through
        return error
    return render_error(code if code in PAGES else (400 if code < 500 else 500), code, error)


def handle_server_error(error: InternalServerError):
    return render_error(500, 500, error)


def render_error(key: int | str, status: int, error: HTTPException):
    page = PAGES[key]
    retry_after = getattr(error, "retry_after", None)
    if status == 429 and isinstance(retry_after, int):
        minutes = max(1, math.ceil(retry_after / 60))
        wait = ngettext(
            "You can try again in %(num)d minute.", "You can try again in %(num)d minutes.", minutes
        )
        page = ErrorPage(page.title, (_("You have tried this too many times in a short time."), wait))
    # Keep the headers the error needs (Allow on 405, Retry-After on 429), not its HTML content type.
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    try:
        body = render_template("errors/error.html", page=page, status=status)
    except Exception:
        current_app.logger.exception("the error page could not be rendered")
        body = _fallback(page)
    return body, status, headers


def _fallback(page: ErrorPage) -> str:
    try:
        from portal.i18n import current_language

        lang = current_language()
    except Exception:
        lang = current_app.config.get("BABEL_DEFAULT_LOCALE", "fi")
    return FALLBACK_HTML.format(
        lang=escape(lang),
        title=escape(str(page.title)),
        text=escape(" ".join(str(p) for p in page.paragraphs)),
    )
