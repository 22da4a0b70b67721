"""Who may use which route. Every view declares its rule with ``@access(...)``; a view without one is
refused (and ``tests/test_access_rules.py`` fails on it)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for

from portal.texts import gettext as _

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints that Flask or extensions add, with the rule that applies to them.
BUILTIN_RULES = {"static": "public"}


class Access(StrEnum):
    PUBLIC = "public"  # anyone
    SIGNED_IN = "signed_in"  # a signed-in customer, not yet necessarily acting for an organisation
    ACTING = "acting"  # a signed-in customer acting for an organisation
    STAFF = "staff"  # Kela staff


def access(rule: Access) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def rule_for(app: Flask, endpoint: str | None) -> str | None:
    if endpoint is None:
        return None
    if endpoint in BUILTIN_RULES:
        return BUILTIN_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def enforce_access() -> Any:
    """before_request: apply the declared rule of the matched route."""
    if request.endpoint is None:
        return None  # 404/405 follow
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        current_app.logger.error("route %s has no declared access rule; refused", request.endpoint)
        abort(403)
    if rule == Access.PUBLIC:
        return None
    if not g.get("person_id"):
        if request.method != "GET":
            abort(401)
        if not g.get("session_expired"):  # that notice already says why
            flash(_("Sign in to continue."), "info")
        return redirect(url_for("auth.start"))
    if rule == Access.STAFF:
        if not session.get("staff"):
            _refused("staff_only")
            abort(403)
        return None
    if session.get("staff"):
        # Staff sign in to review, never to act for an organisation through the customer pages.
        _refused("staff_on_customer_page")
        abort(403)
    if rule == Access.ACTING and not g.get("acting"):
        return redirect(url_for("organisations.choose"))
    return None


def _refused(reason: str) -> None:
    from portal.audit.services import record

    record(
        "access_refused",
        object_type="route",
        object_id=request.endpoint,
        detail={"reason": reason},
        commit=True,
    )
