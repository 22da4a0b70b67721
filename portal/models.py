"""Every domain's models, imported in one place so that Alembic and the app see the whole schema."""

from portal.audit.models import AuditEvent
from portal.auth.models import Person, WebSession
from portal.registry.models import CodeEntry, RegisterUnit, SyncRun

__all__ = ["AuditEvent", "CodeEntry", "Person", "RegisterUnit", "SyncRun", "WebSession"]
