"""A deterministic, realistic SOTE organisation register for the stand-in code server.

``generate_register(size, seed)`` builds the same data for the same arguments, byte for byte in the JSON:
the 21 welfare areas (hyvinvointialue) with their service hierarchies, Helsinki and HUS, private providers,
the demo organisations of ``demo_data``, the independent practitioners and pharmacy registers, and the
municipality and service-task code lists. Every unit passes the upload rules of org-register-checks.md.
No generated day is later than ``GENERATED_AS_OF``, so changes stamped afterwards (``Register.touch``) are
exactly what a ``modifiedAfter`` query returns.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

from portal.identifiers import oid_root_for_business_id
from portal.integrations import demo_data
from portal.integrations.codeserver import names as vocab
from portal.integrations.codeserver.finland import (
    ALAND_CODES,
    HELSINKI_CODES,
    MUNICIPALITIES,
    WELFARE_AREAS,
    Municipality,
)
from portal.integrations.codeserver.wire import Code, Unit

SOTE, PRACTITIONERS, PHARMACIES = "sote", "practitioners", "pharmacies"
MUNICIPALITY_CODES, SERVICE_TASKS = "municipalities", "service_tasks"
UNIT_REGISTERS = (SOTE, PRACTITIONERS, PHARMACIES)
CODE_LISTS = (MUNICIPALITY_CODES, SERVICE_TASKS)

REGISTER_VERSION_BEGIN = date(2008, 1, 1)
LAST_GENERATED_BEGIN = date(2025, 6, 30)
GENERATED_AS_OF = date(2025, 12, 31)
WELFARE_AREAS_BEGIN = date(2023, 1, 1)
DEMO_ENDED_ON = date(2024, 6, 30)
MIN_SIZE = 60
ABBREVIATION_LIMIT = 60

# Unit-kind flags: (health unit, social unit, health service unit, social service unit).
UNIT_KINDS = {
    "H": "Terveydenhuollon toimintayksikkö",
    "S": "Sosiaalihuollon toimintayksikkö",
    "B": "Sosiaali- ja terveydenhuollon toimintayksikkö",
}
FLAGS = {"H": (True, False, True, False), "S": (False, True, False, True), "B": (True, True, True, True)}
_DEMO_KINDS = {"private_health": "H", "private_social": "S", "welfare_area": "B"}


@dataclass(frozen=True)
class Org:
    """What the units of one organisation share."""

    business_id: str
    abbreviation: str  # Org.Yks.lyhenne
    sector: int
    area_code: str
    postal_prefixes: tuple[str, ...]

    @property
    def root(self) -> str:
        return oid_root_for_business_id(self.business_id)


class UniqueNames:
    """Hands out names unused so far, numbering repeats: "Kotihoito Pohjoinen", "Kotihoito Pohjoinen 2"."""

    def __init__(self, limit: int | None = None) -> None:
        self.used: set[str] = set()
        self.limit = limit
        self._last: dict[str, int] = {}

    def take(self, base: str) -> str:
        base = clip(base, self.limit)
        if base not in self.used:
            self.used.add(base)
            return base
        n = self._last.get(base, 1)
        while True:
            n += 1
            suffix = f" {n}"
            candidate = clip(base, self.limit - len(suffix) if self.limit else None) + suffix
            if candidate not in self.used:
                break
        self._last[base] = n
        self.used.add(candidate)
        return candidate


def clip(text: str, limit: int | None) -> str:
    """Shorten at a word boundary, never leaving a trailing comma or hyphen."""
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,-")


def ytunnus_check_digit(digits: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


class Register:
    """The generated register: units, code-list entries, and what keeps new names unique."""

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.seed = seed
        self.rng = random.Random(f"register:{seed}")
        self.units: dict[str, list[Unit]] = {key: [] for key in UNIT_REGISTERS}
        self.codes: dict[str, list[Code]] = {key: [] for key in CODE_LISTS}
        self.names = UniqueNames()
        self.abbreviations = UniqueNames(ABBREVIATION_LIMIT)
        self.brands = UniqueNames()
        self.business_ids: set[str] = {o.business_id for o in demo_data.DEMO_ORGANISATIONS}
        self.demo_business_ids = frozenset(self.business_ids)
        self._next_arc: dict[str, int] = {}
        self._region = _regions()
        self._places = sorted(self._region, key=lambda code: code)
        weights = [self._region[code][2] for code in self._places]
        self._cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]

    # -- reading -----------------------------------------------------------------------------------------
    def records(self, key: str) -> list[Unit] | list[Code]:
        return self.units[key] if key in self.units else self.codes[key]

    def to_json(self) -> str:
        data = {key: [r.to_wire() for r in self.records(key)] for key in (*UNIT_REGISTERS, *CODE_LISTS)}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def touch(self, count: int, on: date, seed: int = 0):
        """Change ``count`` SOTE units, stamped ``on``: see ``changes.touch``."""
        from portal.integrations.codeserver.changes import touch

        return touch(self, count, on=on, seed=seed)

    # -- building blocks ---------------------------------------------------------------------------------
    def new_business_id(self) -> str:
        while True:
            digits = f"{self.rng.randint(0, 3)}{self.rng.randrange(10**6):06d}"
            check = ytunnus_check_digit(digits)
            if check is None or digits.lstrip("0") == "":
                continue
            business_id = f"{digits}-{check}"
            if business_id not in self.business_ids:
                self.business_ids.add(business_id)
                return business_id

    def org_for(self, business_id: str, abbreviation: str, sector: int, place: Municipality) -> Org:
        area_code, prefixes, _ = self._region[place.code]
        return Org(business_id, abbreviation, sector, area_code, prefixes)

    def place(self) -> Municipality:
        return MUNICIPALITIES[self.rng.choices(self._places, cum_weights=self._cum_weights)[0]]

    def next_oid(self, org: Org, top: bool = False) -> str:
        if top:
            return f"{org.root}.10.1"
        arc = self._next_arc.get(org.business_id, 100000) + 1
        self._next_arc[org.business_id] = arc
        return f"{org.root}.10.{arc}"

    def phone(self, org: Org) -> str:
        rng = self.rng
        if org.sector != 1 and rng.random() < 0.25:
            return f"+358 {rng.choice(('40', '44', '50'))} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        code = org.area_code if org.sector == 1 or rng.random() < 0.6 else "010"
        return f"{code} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"

    def address(self, org: Org, place: Municipality) -> dict[str, str]:
        rng = self.rng
        street = (
            f"{rng.choice(vocab.STREETS)} {rng.randint(1, 60)}{rng.choice(('', '', '', ' A', ' B', ' C'))}"
        )
        prefixes = self._region[place.code][1]
        post_number = f"{rng.choice(prefixes)}{rng.randrange(1000):03d}"
        post_address = f"PL {rng.randint(1, 999)}" if org.sector == 1 and rng.random() < 0.3 else street
        return {
            "street_address": street,
            "post_address": post_address,
            "post_number": post_number,
            "post_office": place.name_fi,
        }

    @staticmethod
    def texts(number: int, long_name: str, kind: str, place: Municipality) -> dict[str, str]:
        """A short name for every tenth unit and a description for another tenth, as few units have
        them in the register (taken from the unit's count, not the random stream, so that adding them
        changed no other generated value)."""
        if number % 10 == 3:
            return {"short_name": " ".join(long_name.split()[:2])}
        if number % 10 == 7:
            return {"description": f"{UNIT_KINDS[kind]}, {place.name_fi}"}
        return {}

    def add_unit(
        self,
        key: str,
        org: Org,
        *,
        name: str,
        kind: str,
        place: Municipality,
        begin: date,
        parent: Unit | None = None,
        expiration: date | None = None,
        abbreviation: str | None = None,
        exact_name: bool = False,
    ) -> Unit:
        """Add a unit; its name is numbered if taken (``exact_name``: a demo name that must stay as given)."""
        rng = self.rng
        long_name = name if exact_name else self.names.take(name)
        if exact_name:
            self.names.used.add(name)
        if abbreviation is None:
            # Public units are abbreviated after their organisation ("PSHVA Kuopion terveysasema"); private
            # units' names already begin with the provider's brand.
            abbreviation = f"{org.abbreviation} {long_name}" if org.sector == 1 else long_name
        health, social, health_service, social_service = FLAGS[kind]
        last_day = expiration or GENERATED_AS_OF
        modified = begin + timedelta(days=rng.randint(0, max(0, (last_day - begin).days)))
        unit = Unit(
            oid=self.next_oid(org, top=parent is None),
            long_name=long_name,
            abbreviation=self.abbreviations.take(abbreviation),
            org_unit_abbreviation=org.abbreviation,
            parent_oid=parent.oid if parent else None,
            business_id=org.business_id,
            municipality=place.label,
            sector=org.sector,
            health_unit=health,
            social_unit=social,
            health_service_unit=health_service,
            social_service_unit=social_service,
            begin_date=begin,
            modified_date=min(modified, GENERATED_AS_OF),
            expiration_date=expiration,
            phone=self.phone(org),
            renewal_requests=health and rng.random() < 0.3,
            topi_code=f"{rng.randrange(100000):05d}" if health and rng.random() < 0.4 else None,
            replacing_codes=(f"{org.root}.10.{rng.randint(900000, 999999)}",) if rng.random() < 0.01 else (),
            **self.address(org, place),
            **self.texts(len(self.units[key]), long_name, kind, place),
        )
        self.units[key].append(unit)
        return unit

    def begin_between(self, first: date, last: date = LAST_GENERATED_BEGIN) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))


def _regions() -> dict[str, tuple[str, tuple[str, ...], float]]:
    """Municipality code → (phone area code, postal-code prefixes, weight for picking places)."""
    regions: dict[str, tuple[str, tuple[str, ...], float]] = {}
    for area in WELFARE_AREAS:
        share = area.weight / (len(area.municipalities) + 3)
        for i, code in enumerate(area.municipalities):
            regions[code] = (
                vocab.AREA_CODES[area.abbreviation],
                area.postal_prefixes,
                share * (4 if i == 0 else 1),
            )
    for code in HELSINKI_CODES:
        regions[code] = (vocab.AREA_CODES["HKI"], ("00",), 660.0)
    for code in ALAND_CODES:
        regions[code] = (vocab.AREA_CODES["ÅHS"], ("22",), 2.0)
    return regions


def generate_register(size: int, seed: int) -> Register:
    """``size`` SOTE units (at least ``MIN_SIZE``), the practitioners and pharmacy registers, code lists."""
    from portal.integrations.codeserver import builders

    if size < MIN_SIZE:
        raise ValueError(f"a generated register has at least {MIN_SIZE} SOTE units")
    register = Register(size, seed)
    demo_units = builders.demo_organisations(register)
    public = int(size * 0.6)
    helsinki = max(2, int(size * 0.06))
    hus = max(2, int(size * 0.04))
    builders.public_sector(register, public, helsinki, hus)
    builders.private_providers(register, size - public - helsinki - hus - demo_units)
    builders.practitioners(register, max(5, size // 25))
    builders.pharmacies(register, max(5, size // 150))
    builders.code_lists(register)
    return register
