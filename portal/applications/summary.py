"""What an application says, in readable form: the frozen snapshot taken at sending, and the sections
that the summary page and the PDF show from it (labels in the reader's language)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.applications.catalogue import ROLE_TITLES, SERVICES_BY_KEY
from portal.applications.models import Application, ServiceDescriptionAcceptance
from portal.billing.models import BillingDetails
from portal.contacts.models import ApplicationContact
from portal.documents.models import CommitmentSignature, DocumentVersion
from portal.extensions import db
from portal.registry.models import RegisterUnit
from portal.registry.services import service_tasks
from portal.texts import lazy_gettext as _l

SNAPSHOT_VERSION = 1

PROFILE_LABELS = {
    "joining": _l("Joining system (stores and queries)"),
    "storing": _l("Storing system (stores only)"),
    "reading": _l("Reading system (queries only)"),
    "own_documents": _l("A service that stores the organisation's own documents"),
}
STORES_LABELS = {
    "before_deployment": _l("Client data from before deployment"),
    "new_documents": _l("New documents"),
    "both": _l("Both client data from before deployment and new documents"),
}
KIND_LABELS = {"person": _l("Person"), "point": _l("Organisation point")}
METHOD_LABELS = {"address": _l("Paper invoice to a billing address"), "einvoice": _l("E-invoice")}


def build_snapshot(application: Application) -> dict[str, Any]:
    """Everything the application says now, as plain data (frozen into the application when sent)."""
    unit = db.session.get(RegisterUnit, application.organisation_oid)
    contacts = db.session.scalars(
        select(ApplicationContact).where(ApplicationContact.application_id == application.id)
    ).all()
    billing = db.session.scalar(select(BillingDetails).where(BillingDetails.application_id == application.id))
    documents = []
    acceptance = db.session.scalar(
        select(ServiceDescriptionAcceptance).where(
            ServiceDescriptionAcceptance.application_id == application.id
        )
    )
    if acceptance is not None:
        version = db.session.get(DocumentVersion, acceptance.document_version_id)
        documents.append(_document(version, acceptance.person_name, acceptance.accepted_at, None))
    if application.commitment_signature_id is not None:
        signature = db.session.get(CommitmentSignature, application.commitment_signature_id)
        version = db.session.get(DocumentVersion, signature.document_version_id)
        documents.append(
            _document(version, signature.signer_name, signature.signed_at, signature.signer_hetu_masked)
        )
    renewal_unit = (
        db.session.get(RegisterUnit, application.renewal_unit_oid) if application.renewal_unit_oid else None
    )
    return {
        "version": SNAPSHOT_VERSION,
        "application_id": application.id,
        "service": application.service,
        "organisation": {
            "name": application.organisation_name,
            "business_id": application.organisation_business_id,
            "oid": application.organisation_oid,
            "register": application.organisation_register,
            "municipality": (unit.municipality_name if unit else None),
        },
        "customer": {
            "street_address": application.street_address,
            "postal_code": application.postal_code,
            "post_office": application.post_office,
            "phone": application.phone,
            "decision_email": application.decision_email,
        },
        "connection_points": [{"oid": p.oid, "name": p.name} for p in application.connection_points],
        "systems": [
            {
                "product": s.product,
                "vendor": s.vendor,
                "version": s.version,
                "profile": s.profile,
                "stores": s.stores,
                "service_tasks": list(s.service_tasks or []),
            }
            for s in application.systems
        ],
        "renewal": (
            {
                "requested": bool(application.renewal_requests),
                "unit_oid": application.renewal_unit_oid,
                "unit_name": renewal_unit.long_name if renewal_unit else None,
            }
            if application.service == "eprescription"
            else None
        ),
        "contacts": [
            {
                "role": c.role,
                "kind": c.contact.kind,
                "name": c.contact.name,
                "email": c.contact.email,
                "phone": c.contact.phone,
                "certificate_number": c.contact.certificate_number,
            }
            for c in sorted(contacts, key=lambda c: list(ROLE_TITLES).index(c.role))
        ],
        "billing": (
            {
                "business_id": billing.business_id,
                "method": billing.method,
                "street_address": billing.street_address,
                "postal_code": billing.postal_code,
                "post_office": billing.post_office,
                "einvoice_address": billing.einvoice_address,
                "operator_code": billing.operator_code,
                "reference": billing.reference,
            }
            if billing
            else None
        ),
        "documents": documents,
    }


def _document(version: DocumentVersion, by: str, at, hetu_masked: str | None) -> dict[str, Any]:
    return {
        "id": version.id,
        "kind": version.kind,
        "title": version.title,
        "version": version.version,
        "language": version.language,
        "sha256": version.sha256,
        "by": by,
        "at": at.isoformat(),
        "signer_hetu_masked": hetu_masked,
    }


def _row(label: Any, value: Any) -> dict[str, Any]:
    return {"label": str(label), "value": value}


def sections(snapshot: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The application in readable sections, each naming the wizard step it comes from."""
    task_names = dict(service_tasks(lang))
    customer = snapshot["customer"]
    result = [
        {
            "step": "customer",
            "title": str(_l("Customer details")),
            "rows": [
                _row(_l("Organisation"), snapshot["organisation"]["name"]),
                _row(_l("Business ID"), snapshot["organisation"]["business_id"]),
                _row(_l("Organisation identifier (OID)"), snapshot["organisation"]["oid"]),
                _row(
                    _l("Address"),
                    [
                        customer["street_address"] or "",
                        " ".join(filter(None, (customer["postal_code"], customer["post_office"]))),
                    ],
                ),
                _row(_l("Phone"), customer["phone"]),
                _row(_l("E-mail address for the decision"), customer["decision_email"]),
            ],
        }
    ]
    connection_rows = [
        _row(_l("Connection point %(number)d", number=i + 1), [p["oid"], p["name"]])
        for i, p in enumerate(snapshot["connection_points"])
    ]
    for i, system in enumerate(snapshot["systems"]):
        lines = [f"{system['product']} {system['version']}", system["vendor"]]
        if system.get("profile"):
            lines.append(str(PROFILE_LABELS[system["profile"]]))
        if system.get("stores"):
            lines.append(str(STORES_LABELS[system["stores"]]))
        if system.get("service_tasks"):
            lines.append(", ".join(task_names.get(code, code) for code in system["service_tasks"]))
        connection_rows.append(_row(_l("Information system %(number)d", number=i + 1), lines))
    renewal = snapshot.get("renewal")
    if renewal is not None:
        value = str(_l("Not requested"))
        if renewal["requested"]:
            value = (
                f"{renewal['unit_name']} ({renewal['unit_oid']})"
                if renewal["unit_oid"]
                else str(_l("Requested; the receiving unit will be given later"))
            )
        connection_rows.append(_row(_l("Prescription renewal requests"), value))
    result.insert(
        0, {"step": "connection", "title": str(_l("Connection points and systems")), "rows": connection_rows}
    )
    result.append(
        {
            "step": "contacts",
            "title": str(_l("Contact persons")),
            "rows": [
                _row(
                    ROLE_TITLES[c["role"]],
                    [
                        line
                        for line in (
                            c["name"],
                            str(KIND_LABELS[c["kind"]]),
                            c["email"],
                            c["phone"],
                            c["certificate_number"]
                            and str(_l("Certificate number %(number)s", number=c["certificate_number"])),
                        )
                        if line
                    ],
                )
                for c in snapshot["contacts"]
            ],
        }
    )
    billing = snapshot.get("billing")
    if billing is not None:
        rows = [
            _row(_l("Business ID"), billing["business_id"]),
            _row(_l("Invoicing"), str(METHOD_LABELS[billing["method"]])),
        ]
        if billing["method"] == "einvoice":
            rows += [
                _row(_l("E-invoice address"), billing["einvoice_address"]),
                _row(_l("Operator"), billing["operator_code"]),
            ]
        else:
            rows.append(
                _row(
                    _l("Billing address"),
                    [
                        billing["street_address"] or "",
                        " ".join(filter(None, (billing["postal_code"], billing["post_office"]))),
                    ],
                )
            )
        rows.append(_row(_l("Reference"), billing["reference"]))
        result.append({"step": "billing", "title": str(_l("Billing details")), "rows": rows})
    for document in snapshot["documents"]:
        step = "description" if document["kind"] == "service_description" else "commitment"
        verb = _l("Accepted by") if step == "description" else _l("Signed by")
        result.append(
            {
                "step": step,
                "title": document["title"],
                "rows": [
                    _row(_l("Version"), str(document["version"])),
                    _row(verb, document["by"]),
                ],
            }
        )
    return result


def service_name(snapshot: dict[str, Any]) -> str:
    return str(SERVICES_BY_KEY[snapshot["service"]].name)
