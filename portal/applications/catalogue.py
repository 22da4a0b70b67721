"""The four Kanta services and which organisations may apply for them (portal.md, "The four services")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal.texts import lazy_gettext as _l


@dataclass(frozen=True)
class KantaService:
    key: str
    name: Any  # lazy string
    description: Any
    billing_step: bool
    archivist: bool
    for_health_care: bool
    for_social_care: bool
    for_pharmacies: bool


SERVICES: tuple[KantaService, ...] = (
    KantaService(
        "patient_archive",
        _l("Patient data archive"),
        _l("Storing patient records in the national archive and using them across organisations."),
        billing_step=True,
        archivist=True,
        for_health_care=True,
        for_social_care=False,
        for_pharmacies=False,
    ),
    KantaService(
        "social_archive",
        _l("Social welfare client data archive"),
        _l("Storing social welfare client documents in the national archive."),
        billing_step=False,
        archivist=True,
        for_health_care=False,
        for_social_care=True,
        for_pharmacies=False,
    ),
    KantaService(
        "eprescription",
        _l("ePrescription"),
        _l("Writing, dispensing and renewing electronic prescriptions."),
        billing_step=True,
        archivist=False,
        for_health_care=True,
        for_social_care=False,
        for_pharmacies=True,
    ),
    KantaService(
        "image_archive",
        _l("Image archive"),
        _l("Storing medical images and their viewer information in the national archive."),
        billing_step=False,
        archivist=False,
        for_health_care=True,
        for_social_care=False,
        for_pharmacies=False,
    ),
)
SERVICES_BY_KEY = {s.key: s for s in SERVICES}


def services_for(*, health_care: bool, social_care: bool, pharmacy: bool) -> list[KantaService]:
    """The services an organisation may apply for, from its register attributes.

    A pharmacy applies only for ePrescription, with the shorter application (no billing step)."""
    if pharmacy:
        return [s for s in SERVICES if s.for_pharmacies]
    return [s for s in SERVICES if (health_care and s.for_health_care) or (social_care and s.for_social_care)]


# Contact roles: who the portal asks for, and for which services (portal.md, "Contact persons").
COMMON_ROLES = ("technical", "disruption", "data_protection", "administrative")
ROLE_TITLES = {
    "technical": _l("Technical contact point"),
    "disruption": _l("Recipient of disruption notices"),
    "data_protection": _l("Data protection officer"),
    "administrative": _l("Administrative contact"),
    "billing": _l("Billing contact"),
    "archivist": _l("Archivist"),
    "image_technical": _l("Technical contact for the image archive"),
}
ROLE_HINTS = {
    "technical": _l("Opens the technical connections to the Kanta service with your system vendor."),
    "disruption": _l("Gets notices of disruptions and maintenance breaks by e-mail and text message."),
    "data_protection": _l("The organisation's data protection officer."),
    "administrative": _l("Receives the decision and the commitment, and answers Kela's questions."),
    "billing": _l("Answers questions about the invoices for this service."),
    "archivist": _l("Responsible for the archive; needs the number of their certificate card."),
    "image_technical": _l("Technical contact for the image archive and the image viewer."),
}


def required_roles(service: KantaService, *, pharmacy: bool) -> tuple[str, ...]:
    """The contact roles the application cannot be sent without.

    A pharmacy's application is shorter: no billing contact, no archivist."""
    roles = list(COMMON_ROLES)
    if service.key in ("patient_archive", "social_archive", "eprescription") and not pharmacy:
        roles.append("billing")
    if service.archivist and not pharmacy:
        roles.append("archivist")
    if service.key == "image_archive":
        roles.append("image_technical")
    return tuple(roles)


def needs_billing_step(service: KantaService, *, pharmacy: bool) -> bool:
    return service.billing_step and not pharmacy
