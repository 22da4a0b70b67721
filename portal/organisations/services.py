"""Acting for an organisation: the choice at the mandates service, and the checks against the register.

A person may act for an organisation when the mandates service gives them a role that allows
applying (configuration), and the organisation is in the national code server's register with a
validity that has not ended (seed 001, 1.2 and 5.1). The register is read from the local mirror.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app, g, session, url_for

from portal.audit.services import record
from portal.i18n import current_language
from portal.integrations.mandates.client import (
    MandatesClient,
    MandatesError,
    MandatesUnavailable,
    allowed_roles_for,
)
from portal.registry.services import find_organisation, is_valid_today

__all__ = ["ChoiceOutcome", "MandatesUnavailable", "begin_choice", "complete_choice"]


@dataclass(frozen=True)
class ChoiceOutcome:
    # acting | cancelled | roles_refused | not_in_register | ended | failed
    kind: str
    name: str = ""
    business_id: str = ""
    roles: tuple[str, ...] = ()
    valid_until: date | None = None


def _client() -> MandatesClient:
    return MandatesClient.from_config(current_app.config)


def _redirect_uri() -> str:
    return url_for("organisations.callback", _external=True)


def begin_choice() -> str:
    """Register a session at the mandates service and return the URL of its chooser page."""
    with _client() as client:
        registered = client.register_session(session["hetu"], request_id=g.request_id)
        state = secrets.token_urlsafe(24)
        session["mandates"] = {"state": state, "session_id": registered.session_id}
        return client.authorize_url(registered.user_id, _redirect_uri(), state, current_language())


def complete_choice(args: Any) -> ChoiceOutcome:
    """Finish the choice from the mandates service's redirect back to the portal."""
    pending = session.pop("mandates", None)
    if not pending or not hmac.compare_digest(str(args.get("state", "")), pending["state"]):
        record("access_refused", detail={"reason": "mandates_state_mismatch"}, commit=True)
        return ChoiceOutcome("failed")
    with _client() as client:
        try:
            if args.get("error") or not args.get("code"):
                return ChoiceOutcome("cancelled")
            token = client.exchange_code(str(args["code"]), _redirect_uri())
            organisations = client.organization_roles(pending["session_id"], token)
        except (MandatesError, MandatesUnavailable) as exc:
            current_app.logger.warning("mandates choice failed: %s", exc)
            return ChoiceOutcome("failed")
        finally:
            _unregister(client, pending["session_id"])
    if not organisations:
        return ChoiceOutcome("cancelled")
    chosen = organisations[0]
    allowed = allowed_roles_for(chosen, current_app.config["MANDATES_ALLOWED_ROLES"])
    return _check(chosen.name, chosen.identifier, allowed, chosen.roles)


def _check(name: str, business_id: str, allowed: tuple[str, ...], roles: tuple[str, ...]) -> ChoiceOutcome:
    org = {"business_id": business_id, "name": name}
    if not allowed:
        record(
            "access_refused", organisation=org, detail={"reason": "roles", "roles": list(roles)}, commit=True
        )
        return ChoiceOutcome("roles_refused", name, business_id, roles)
    unit = find_organisation(business_id)
    if unit is None:
        record("access_refused", organisation=org, detail={"reason": "not_in_register"}, commit=True)
        return ChoiceOutcome("not_in_register", name, business_id, roles)
    if not is_valid_today(unit):
        record("access_refused", organisation=org, detail={"reason": "validity_ended"}, commit=True)
        return ChoiceOutcome("ended", unit.long_name, business_id, roles, unit.expiration_date)
    previous = session.get("acting")
    acting = {
        "business_id": business_id,
        "name": unit.long_name,
        "oid": unit.oid,
        "register": unit.register,
        "roles": list(allowed),
    }
    session["acting"] = acting
    g.acting = acting
    record(
        "organisation_switched" if previous else "organisation_chosen",
        object_type="organisation",
        object_id=unit.oid,
        old={"business_id": previous["business_id"], "name": previous["name"]} if previous else None,
        new={"business_id": business_id, "name": unit.long_name},
        organisation=acting,
        commit=True,
    )
    return ChoiceOutcome("acting", unit.long_name, business_id, allowed)


def _unregister(client: MandatesClient, session_id: str) -> None:
    try:
        client.unregister(session_id)
    except (MandatesError, MandatesUnavailable) as exc:  # the session expires there by itself
        current_app.logger.info("mandates unregister failed: %s", exc)
