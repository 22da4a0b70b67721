"""The four Kanta services and which organisations may apply for them (portal.md, "The four services")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l


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
