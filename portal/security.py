"""Response headers, request ids and log scrubbing."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, g, request

from portal.identifiers import scrub_hetu


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def register_security(app: Flask) -> None:
    # The sign-in and organisation choice start with a form POST that redirects to these services;
    # browsers apply form-action to that redirect.
    form_targets = " ".join(sorted({_origin(app.config["OIDC_ISSUER"]), _origin(app.config["MANDATES_URL"])}))
    csp = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"font-src 'self'; connect-src 'self'; form-action 'self' {form_targets}; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 8 <= len(incoming) <= 64 and incoming.isalnum() else uuid.uuid4().hex

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Pages may carry personal data: never cache them.
            headers["Cache-Control"] = "no-store"
        if g.get("request_id"):
            headers["X-Request-ID"] = g.request_id
        return response


_TRACEBACKS = logging.Formatter()


def install_log_scrubbing() -> None:
    """Mask anything shaped like a henkilötunnus in every log record, whichever logger or handler
    writes it (the record factory sees every record, propagated or not)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "scrubs_hetu", False):
        return

    def scrubbing_factory(*args, **kwargs) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a badly formed record is logged unchanged, as logging would
            return record
        # Request lines carry paths percent-encoded ("%2B" for the "+" century sign).
        scrubbed = scrub_hetu(unquote(message) if "%" in message else message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters use a record's exc_text when it is set: the traceback, with the exception's
            # message (which may quote input), masked too.
            record.exc_text = scrub_hetu(_TRACEBACKS.formatException(record.exc_info))
        return record

    scrubbing_factory.scrubs_hetu = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(scrubbing_factory)
