"""Writing the audit log. The actor and the acting organisation come from the request."""

from __future__ import annotations

import json
from typing import Any

from flask import g, has_request_context, session

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.identifiers import scrub_hetu


def _scrub(value: Any) -> Any:
    if value is None:
        return None
    # A round trip through text catches a henkilötunnus wherever it hides in nested values.
    return json.loads(scrub_hetu(json.dumps(value, default=str)))


def record(
    kind: str,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    old: dict | None = None,
    new: dict | None = None,
    detail: dict | None = None,
    person_id: int | None = None,
    actor_name: str | None = None,
    organisation: dict | None = None,
    commit: bool = False,
) -> AuditEvent:
    """Add an audit event to the current transaction (or commit it alone with ``commit=True``)."""
    if has_request_context():
        person_id = person_id or g.get("person_id")
        actor_name = actor_name or session.get("person_name")
        organisation = organisation or g.get("acting")
    event = AuditEvent(
        kind=kind,
        person_id=person_id,
        actor_name=actor_name,
        organisation_business_id=(organisation or {}).get("business_id"),
        organisation_name=(organisation or {}).get("name"),
        object_type=object_type,
        object_id=scrub_hetu(object_id) if object_id else None,
        old_value=_scrub(old),
        new_value=_scrub(new),
        detail=_scrub(detail),
        request_id=g.get("request_id") if has_request_context() else None,
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
