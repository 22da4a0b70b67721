"""Every domain's models, imported in one place so that Alembic and the app see the whole schema."""

from portal.applications.models import (
    Application,
    ConnectionPoint,
    InformationSystem,
    ServiceDescriptionAcceptance,
)
from portal.audit.models import AuditEvent
from portal.auth.models import Person, WebSession
from portal.billing.models import BillingDetails
from portal.contacts.models import ApplicationContact, Contact
from portal.documents.models import CommitmentSignature, DocumentVersion
from portal.registry.models import CodeEntry, RegisterUnit, SyncRun

__all__ = [
    "Application",
    "ApplicationContact",
    "AuditEvent",
    "BillingDetails",
    "CodeEntry",
    "CommitmentSignature",
    "ConnectionPoint",
    "Contact",
    "DocumentVersion",
    "InformationSystem",
    "Person",
    "RegisterUnit",
    "ServiceDescriptionAcceptance",
    "SyncRun",
    "WebSession",
]
