"""The demo world shared by the local stand-ins: who can sign in, which organisations they may act for,
and the organisations the generated code-server register must contain.

Every henkilötunnus here uses an individual number 900–999 (a test identity). Business ids have
valid check digits but are made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoOrganisation:
    business_id: str
    name: str
    # welfare_area | municipal | private_health | private_social | practitioner | pharmacy
    kind: str
    municipality: str  # "091 Helsinki"
    in_register: bool = True  # False: the mandates service knows it, the code server does not
    ended: bool = False  # True: in the register, but its validity has ended


@dataclass(frozen=True)
class DemoPerson:
    sub: str  # the subject at the e-identification provider
    given_name: str
    family_name: str
    hetu: str | None  # None: a foreign (eIDAS) identity
    staff: bool = False  # Kela staff (reviewer)
    # business id -> roles at the mandates service
    mandates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""  # what this person demonstrates, printed by the run command


WELFARE_AREA = DemoOrganisation("3221311-5", "Pohjois-Savon hyvinvointialue", "welfare_area", "297 Kuopio")
CLINIC = DemoOrganisation("2958423-0", "Lääkärikeskus Kuusi Oy", "private_health", "091 Helsinki")
CARE_HOME = DemoOrganisation("1938556-1", "Hoivakoti Kotiranta Oy", "private_social", "049 Espoo")
PHARMACY = DemoOrganisation("3104588-5", "Porvoon Keskusapteekki", "pharmacy", "638 Porvoo")
PRACTITIONER = DemoOrganisation("2847311-7", "Fysioterapia Pirjo Mäkinen", "practitioner", "837 Tampere")
NOT_IN_REGISTER = DemoOrganisation(
    "3311207-6", "Uusi Terveyspalvelu Oy", "private_health", "091 Helsinki", in_register=False
)
ENDED = DemoOrganisation("0772119-3", "Vanha Lääkäriasema Oy", "private_health", "853 Turku", ended=True)

DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    WELFARE_AREA,
    CLINIC,
    CARE_HOME,
    PHARMACY,
    PRACTITIONER,
    NOT_IN_REGISTER,
    ENDED,
)

DEMO_PERSONS: tuple[DemoPerson, ...] = (
    DemoPerson(
        "anna",
        "Anna",
        "Virtanen",
        "150378-934B",
        mandates={CLINIC.business_id: ("TJ",), WELFARE_AREA.business_id: ("SOTEDIGI",)},
        description="managing director of a private clinic; holds the mandate for a welfare area",
    ),
    DemoPerson(
        "erik",
        "Erik",
        "Lindqvist",
        "020685-912F",
        mandates={PHARMACY.business_id: ("ELI",), CARE_HOME.business_id: ("TJ",)},
        description="pharmacist (sole trader) and managing director of a care home",
    ),
    DemoPerson(
        "pirjo",
        "Pirjo",
        "Mäkinen",
        "241170-907N",
        mandates={PRACTITIONER.business_id: ("ELI",)},
        description="independent practitioner (physiotherapist)",
    ),
    DemoPerson(
        "mikko",
        "Mikko",
        "Korhonen",
        "300899-9555",
        mandates={
            CLINIC.business_id: ("HAL",),
            NOT_IN_REGISTER.business_id: ("TJ",),
            ENDED.business_id: ("TJ",),
        },
        description="board member without an allowed role; an organisation missing from the register; "
        "one whose validity has ended",
    ),
    DemoPerson(
        "jean",
        "Jean",
        "Dupont",
        None,
        description="foreign (eIDAS) identity without a henkilötunnus: cannot act for an organisation",
    ),
    DemoPerson(
        "kaisa",
        "Kaisa",
        "Kelanen",
        "060701A921F",
        staff=True,
        description="Kela staff (reviewer)",
    ),
)


def person_by_hetu(hetu: str) -> DemoPerson | None:
    return next((p for p in DEMO_PERSONS if p.hetu == hetu), None)


def organisation_by_business_id(business_id: str) -> DemoOrganisation | None:
    return next((o for o in DEMO_ORGANISATIONS if o.business_id == business_id), None)
