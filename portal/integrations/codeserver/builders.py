"""The parts of the generated register: welfare areas, Helsinki and HUS, private providers, practitioners,
pharmacies, the demo organisations and the code lists. Each takes the register and adds to it."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache

from portal.integrations import demo_data
from portal.integrations.codeserver import names as vocab
from portal.integrations.codeserver.finland import MUNICIPALITIES, WELFARE_AREAS, Municipality, genitive
from portal.integrations.codeserver.generator import (
    DEMO_ENDED_ON,
    LAST_GENERATED_BEGIN,
    MUNICIPALITY_CODES,
    PHARMACIES,
    PRACTITIONERS,
    REGISTER_VERSION_BEGIN,
    SERVICE_TASKS,
    SOTE,
    WELFARE_AREAS_BEGIN,
    Org,
    Register,
    clip,
    ytunnus_check_digit,
)
from portal.integrations.codeserver.wire import Code, Unit

_KINDS = {"private_health": "H", "private_social": "S"}
_DEMO_SOTE_UNITS = {
    demo_data.CLINIC.business_id: 4,
    demo_data.CARE_HOME.business_id: 2,
    demo_data.ENDED.business_id: 2,
}
HUS_HOSPITALS = (
    "HUS Meilahden sairaala",
    "HUS Jorvin sairaala",
    "HUS Töölön sairaala",
    "HUS Naistenklinikka",
    "HUS Uusi lastensairaala",
    "HUS Syöpäkeskus",
    "HUS Sydän- ja keuhkokeskus",
    "HUS Psykiatriakeskus",
)
HELSINKI_HOSPITALS = ("Laakson sairaala", "Malmin sairaala", "Auroran sairaala", "Suursuon sairaala")


@cache
def _genitive(name: str) -> str:
    return genitive(name)


def _place(label: str) -> Municipality:
    return MUNICIPALITIES[label[:3]]


def _area_business_ids(register: Register) -> list[str]:
    """Business ids of the welfare areas, Helsinki and HUS: the same for every seed."""
    rng = random.Random("public-organisations")
    ids: list[str] = []
    while len(ids) < len(WELFARE_AREAS) + 2:
        digits = f"3{rng.randrange(10**6):06d}"
        check = ytunnus_check_digit(digits)
        business_id = f"{digits}-{check}"
        if check is not None and business_id not in register.business_ids:
            register.business_ids.add(business_id)
            ids.append(business_id)
    return ids


def demo_organisations(register: Register) -> int:
    """The demo's organisations first, so their names stay exactly as given; returns their SOTE unit count."""
    for org in demo_data.DEMO_ORGANISATIONS:
        if not org.in_register:
            continue
        if org.kind == "practitioner":
            practitioner(register, demo=org)
        elif org.kind == "pharmacy":
            pharmacy(register, demo=org)
        elif org.business_id in _DEMO_SOTE_UNITS:
            private_provider(register, _DEMO_SOTE_UNITS[org.business_id], demo=org)
    return sum(_DEMO_SOTE_UNITS.values())


def public_sector(register: Register, areas_budget: int, helsinki_budget: int, hus_budget: int) -> None:
    """The 21 welfare areas, the City of Helsinki and the HUS joint authority, each with its hierarchy."""
    ids = _area_business_ids(register)
    budgets = shares(areas_budget, [a.weight for a in WELFARE_AREAS])
    for area, business_id, area_budget in zip(WELFARE_AREAS, ids, budgets, strict=False):
        if area.name == demo_data.WELFARE_AREA.name:
            business_id = demo_data.WELFARE_AREA.business_id
        central = MUNICIPALITIES[area.municipalities[0]]
        hospital = vocab.HOSPITALS.get(
            area.abbreviation, area.name.removesuffix(" hyvinvointialue") + " keskussairaala"
        )
        public_organisation(
            register,
            register.org_for(business_id, area.abbreviation, 1, central),
            name=area.name,
            places=area.municipalities,
            budget=area_budget,
            hospitals=(hospital,),
            begin=WELFARE_AREAS_BEGIN,
        )
    helsinki = MUNICIPALITIES["091"]
    public_organisation(
        register,
        register.org_for(ids[-2], "HKI", 1, helsinki),
        name="Helsingin kaupunki",
        places=("091",),
        budget=helsinki_budget,
        hospitals=HELSINKI_HOSPITALS,
        begin=date(2009, 1, 1),
    )
    uusimaa = (*(c for a in WELFARE_AREAS[:4] for c in a.municipalities), "091")
    public_organisation(
        register,
        register.org_for(ids[-1], "HUS", 1, helsinki),
        name="HUS-yhtymä",
        places=uusimaa,
        budget=hus_budget,
        hospitals=HUS_HOSPITALS,
        begin=date(2010, 1, 1),
        lines=tuple(line for line in vocab.SERVICE_LINES if line[0] == "Sairaalapalvelut"),
    )


def public_organisation(
    register: Register,
    org: Org,
    *,
    name: str,
    places: tuple[str, ...],
    budget: int,
    hospitals: tuple[str, ...],
    begin: date,
    lines: tuple = vocab.SERVICE_LINES,
) -> None:
    """Exactly ``budget`` units: the organisation, service lines (toimialue), service areas (palvelualue)
    and the units that do the work, in the organisation's municipalities."""
    rng = register.rng
    central = MUNICIPALITIES[places[0]]
    top = register.add_unit(
        SOTE,
        org,
        name=name,
        kind="B",
        place=central,
        begin=begin,
        abbreviation=org.abbreviation,
        exact_name=True,
    )
    rest = budget - 1
    if rest <= 0:
        return
    chosen = [lines[i] for i in sorted(rng.sample(range(len(lines)), min(len(lines), max(1, rest // 60))))]
    rest -= len(chosen)
    heads: list[tuple[Unit, str, tuple[str, ...]]] = []
    areas: list[tuple[Unit, tuple[str, str, tuple[str, ...]]]] = []
    for line_name, service_areas in chosen:
        kinds = {kind for _, kind, _ in service_areas}
        kind = kinds.pop() if len(kinds) == 1 else "B"
        head = _structural(register, org, name, line_name, kind, central, begin, top)
        heads.append((head, kind, tuple(t for _, _, templates in service_areas for t in templates)))
        areas += [(head, service_area) for service_area in service_areas]
    picked = [areas[i] for i in sorted(rng.sample(range(len(areas)), min(len(areas), rest // 8)))]
    rest -= len(picked)
    parents = [
        (_structural(register, org, name, area_name, kind, central, begin, head), kind, templates)
        for head, (area_name, kind, templates) in picked
    ] or heads
    for _ in range(rest):
        parent, kind, templates = rng.choice(parents)
        where = central if rng.random() < 0.3 else MUNICIPALITIES[rng.choice(places)]
        unit_name = rng.choice(templates).format(
            g=_genitive(where.name_fi),
            m=where.name_fi,
            d=rng.choice(vocab.DISTRICTS),
            dir=rng.choice(vocab.DIRECTIONS),
            h=rng.choice(hospitals),
        )
        unit_begin = begin if rng.random() < 0.7 else register.begin_between(begin)
        register.add_unit(
            SOTE,
            org,
            name=unit_name,
            kind=kind,
            place=where,
            begin=unit_begin,
            parent=parent,
            expiration=_maybe_ended(register, unit_begin, 0.02),
        )


def _structural(
    register: Register,
    org: Org,
    name: str,
    part: str,
    kind: str,
    place: Municipality,
    begin: date,
    parent: Unit,
) -> Unit:
    """A level of the hierarchy (toimialue, palvelualue): "Kainuun hyvinvointialue, lastensuojelu"."""
    return register.add_unit(
        SOTE,
        org,
        name=f"{name}, {part.lower()}",
        kind=kind,
        place=place,
        begin=begin,
        parent=parent,
        abbreviation=f"{org.abbreviation} {part}",
    )


def _maybe_ended(register: Register, begin: date, probability: float) -> date | None:
    """Now and then a unit that has closed: its validity ended before the register was generated."""
    if begin >= LAST_GENERATED_BEGIN or register.rng.random() >= probability:
        return None
    return register.begin_between(begin + timedelta(days=1))


def private_providers(register: Register, budget: int) -> None:
    """Mostly small providers, some regional ones and a few national chains, until ``budget`` units."""
    rng = register.rng
    while budget > 0:
        r = rng.random()
        size = rng.randint(1, 3) if r < 0.8 else rng.randint(4, 20) if r < 0.96 else rng.randint(21, 300)
        size = min(size, budget)
        private_provider(register, size)
        budget -= size


def private_provider(register: Register, budget: int, demo: demo_data.DemoOrganisation | None = None) -> None:
    rng = register.rng
    if demo:
        kind, company, home = _KINDS[demo.kind], demo.name, _place(demo.municipality)
        brand = register.brands.take(company.removesuffix(" Oy"))
        business_id, sector = demo.business_id, 2
        begin = date(2012, 3, 1) if demo.ended else date(2015, 9, 1)
        expiration = DEMO_ENDED_ON if demo.ended else None
    else:
        kind = rng.choices("HSB", weights=(5, 4, 1))[0]
        prefix, home = rng.choice(vocab.PROVIDER_PREFIXES[kind]), register.place()
        tries = [f"{prefix} {rng.choice(vocab.PROVIDER_STEMS)}" for _ in range(4)]
        base = next(
            (t for t in tries if t not in register.brands.used), f"{tries[0]} {rng.choice(vocab.DISTRICTS)}"
        )
        brand = register.brands.take(base)
        form = rng.choice(vocab.LEGAL_FORMS)
        company = f"Tmi {brand}" if form == "Tmi" else f"{brand} {form}"
        business_id = register.new_business_id()
        sector = 3 if rng.random() < (0.15 if kind == "S" else 0.04) else 2
        begin = register.begin_between(REGISTER_VERSION_BEGIN)
        expiration = _maybe_ended(register, begin, 0.03)
    org = register.org_for(business_id, clip(brand, 30), sector, home)
    top = register.add_unit(
        SOTE,
        org,
        name=company,
        kind=kind,
        place=home,
        begin=begin,
        expiration=expiration,
        exact_name=bool(demo),
    )
    local: dict[str, Unit] = {}
    for i in range(budget - 1):
        where = home if i < 2 or rng.random() < 0.3 else register.place()
        if where.code in local:
            extra = (
                rng.choice(vocab.CHAIN_SERVICES[kind]) if rng.random() < 0.6 else rng.choice(vocab.DISTRICTS)
            )
            name, parent = f"{brand} {where.name_fi}, {extra}", local[where.code] if budget > 20 else top
        else:
            name, parent = f"{brand} {where.name_fi}", top
        unit_begin = begin if expiration or rng.random() < 0.5 else register.begin_between(begin)
        unit = register.add_unit(
            SOTE,
            org,
            name=name,
            kind=kind,
            place=where,
            begin=unit_begin,
            parent=parent,
            expiration=expiration,
        )
        local.setdefault(where.code, unit)


def practitioners(register: Register, total: int) -> None:
    while len(register.units[PRACTITIONERS]) < total:
        practitioner(register)


def practitioner(register: Register, demo: demo_data.DemoOrganisation | None = None) -> None:
    """An independent practitioner (ammatinharjoittaja), sometimes working in a second place too."""
    rng = register.rng
    if demo:
        name, kind, place, business_id, begin = (
            demo.name,
            "H",
            _place(demo.municipality),
            demo.business_id,
            date(2016, 4, 1),
        )
    else:
        profession, kind = rng.choice(vocab.PROFESSIONS)
        name = f"{profession} {rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.SURNAMES)}"
        place, business_id = register.place(), register.new_business_id()
        begin = register.begin_between(REGISTER_VERSION_BEGIN)
    org = register.org_for(business_id, clip(name, 30), 2, place)
    top = register.add_unit(
        PRACTITIONERS, org, name=name, kind=kind, place=place, begin=begin, exact_name=bool(demo)
    )
    if not demo and rng.random() < 0.2:
        elsewhere = register.place()
        register.add_unit(
            PRACTITIONERS,
            org,
            name=f"{top.long_name}, {elsewhere.name_fi}",
            kind=kind,
            place=elsewhere,
            begin=begin,
            parent=top,
        )


def pharmacies(register: Register, total: int) -> None:
    while sum(1 for u in register.units[PHARMACIES] if u.parent_oid is None) < total:
        pharmacy(register)


def pharmacy(register: Register, demo: demo_data.DemoOrganisation | None = None) -> None:
    """A pharmacy (a health-care unit that may receive prescription renewal requests), maybe with a branch."""
    rng = register.rng
    if demo:
        name, place, business_id, begin = (
            demo.name,
            _place(demo.municipality),
            demo.business_id,
            date(2011, 1, 1),
        )
    else:
        place, business_id = register.place(), register.new_business_id()
        parts = list(vocab.PHARMACY_NAMES)
        rng.shuffle(parts)
        g = _genitive(place.name_fi)
        fallback = f"{g} apteekki, {rng.choice(vocab.DISTRICTS)}"
        name = next((f"{g} {p}" for p in parts if f"{g} {p}" not in register.names.used), fallback)
        begin = register.begin_between(REGISTER_VERSION_BEGIN)
    org = register.org_for(business_id, clip(name, 30), 2, place)
    top = register.add_unit(
        PHARMACIES, org, name=name, kind="H", place=place, begin=begin, exact_name=bool(demo)
    )
    top.renewal_requests = bool(demo) or rng.random() < 0.9
    if not demo and rng.random() < 0.15:
        branch = register.add_unit(
            PHARMACIES,
            org,
            name=f"{name}, sivuapteekki {rng.choice(vocab.DISTRICTS)}",
            kind="H",
            place=place,
            begin=register.begin_between(begin),
            parent=top,
        )
        branch.renewal_requests = top.renewal_requests


def code_lists(register: Register) -> None:
    register.codes[MUNICIPALITY_CODES] = [
        Code(
            m.code,
            m.name_fi,
            m.name_sv,
            m.name_fi,
            begin_date=REGISTER_VERSION_BEGIN,
            modified_date=date(2021, 1, 1),
        )
        for m in sorted(MUNICIPALITIES.values(), key=lambda m: m.code)
    ]
    register.codes[SERVICE_TASKS] = [
        Code(code, fi, sv, en, begin_date=date(2023, 1, 1), modified_date=date(2023, 1, 1))
        for code, fi, sv, en in vocab.SERVICE_TASKS
    ]


def shares(total: int, weights: list[int], minimum: int = 1) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), each part at least ``minimum``."""
    rest = total - minimum * len(weights)
    exact = [rest * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]
