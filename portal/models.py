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
from portal.customers.models import Customership, ServiceInUse, ServiceRole
from portal.documents.models import CommitmentSignature, DocumentVersion
from portal.orgunits.models import ExportRun, UnitChange, UnitEvent, Upload
from portal.outbox.models import OutboxMessage
from portal.ratelimits.models import RateLimitCount
from portal.registry.models import CodeEntry, RegisterUnit, SyncRun
from portal.rejoins.models import RejoinCampaign, RejoinOldUnit
from portal.reviews.models import Decision, DecisionDocument
from portal.scheduling.models import JobRun

__all__ = [
    "Application",
    "ApplicationContact",
    "AuditEvent",
    "BillingDetails",
    "CodeEntry",
    "CommitmentSignature",
    "ConnectionPoint",
    "Contact",
    "Customership",
    "Decision",
    "DecisionDocument",
    "DocumentVersion",
    "ExportRun",
    "InformationSystem",
    "JobRun",
    "OutboxMessage",
    "Person",
    "RateLimitCount",
    "RegisterUnit",
    "RejoinCampaign",
    "RejoinOldUnit",
    "ServiceDescriptionAcceptance",
    "ServiceInUse",
    "ServiceRole",
    "SyncRun",
    "UnitChange",
    "UnitEvent",
    "Upload",
    "WebSession",
]
