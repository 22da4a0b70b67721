"""Simulated changes to a generated register, stamped with a day, for the changes-only sync."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.integrations.codeserver import names as vocab
from portal.integrations.codeserver.finland import MUNICIPALITIES
from portal.integrations.codeserver.generator import FLAGS, GENERATED_AS_OF, SOTE, Register
from portal.integrations.codeserver.wire import DELETED, Unit

_KIND_OF_FLAGS = {flags: kind for kind, flags in FLAGS.items()}


@dataclass
class Touched:
    """The OIDs a ``touch`` changed, by what happened to them."""

    changed: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def oids(self) -> set[str]:
        return {*self.changed, *self.new, *self.ended, *self.deleted}

    def as_dict(self) -> dict[str, list[str]]:
        return {"changed": self.changed, "new": self.new, "ended": self.ended, "deleted": self.deleted}


def touch(register: Register, count: int, on: date, seed: int = 0) -> Touched:
    """Change ``count`` SOTE units and stamp them ``modifiedDate = on``.

    About a tenth are new units, a twentieth end (``expirationDate`` the day before ``on``), a fiftieth are
    deleted (status ``DELETED``) and the rest get a new phone number, address or name. Demo organisations'
    units are never touched. ``on`` must be after ``GENERATED_AS_OF`` so that a ``modifiedAfter=on`` query
    returns exactly these units.
    """
    if on <= GENERATED_AS_OF:
        raise ValueError(f"changes must be stamped after {GENERATED_AS_OF.isoformat()}")
    rng = random.Random(f"touch:{register.seed}:{seed}:{on.isoformat()}:{count}")
    units = register.units[SOTE]
    by_oid = {u.oid: u for u in units}
    parents = {u.parent_oid for u in units if u.parent_oid}
    candidates = [u for u in units if u.business_id not in register.demo_business_ids and u.is_valid_on(on)]
    endable = [
        u for u in candidates if u.oid not in parents and u.parent_oid and u.begin_date < on - timedelta(1)
    ]
    n_new, n_ended, n_deleted = count // 10, count // 20, count // 50
    n_changed = count - n_new - n_ended - n_deleted
    if n_ended + n_deleted > len(endable) or n_changed + n_ended + n_deleted > len(candidates):
        raise ValueError(f"the register is too small to change {count} units")
    closing = rng.sample(endable, n_ended + n_deleted)
    closing_oids = {u.oid for u in closing}
    changing = rng.sample([u for u in candidates if u.oid not in closing_oids], n_changed)
    touched = Touched()
    for unit in closing[:n_ended]:
        unit.expiration_date = on - timedelta(days=1)
        touched.ended.append(unit.oid)
    for unit in closing[n_ended:]:
        unit.status = DELETED
        touched.deleted.append(unit.oid)
    for unit in changing:
        _change(register, rng, unit)
        touched.changed.append(unit.oid)
    templates = [u for u in changing if u.parent_oid in by_oid] or [u for u in candidates if u.parent_oid]
    for _ in range(n_new):
        touched.new.append(_new_unit(register, rng, rng.choice(templates), by_oid, on).oid)
    for oid in touched.oids:
        by_oid[oid].modified_date = on
    return touched


def _org_of(register: Register, unit: Unit):
    place = MUNICIPALITIES[unit.municipality[:3]]
    return register.org_for(unit.business_id, unit.org_unit_abbreviation, unit.sector, place), place


def _change(register: Register, rng: random.Random, unit: Unit) -> None:
    org, place = _org_of(register, unit)
    what = rng.random()
    if what < 0.5:
        unit.phone = register.phone(org)
    elif what < 0.8:
        for name, value in register.address(org, place).items():
            setattr(unit, name, value)
    else:
        unit.long_name = register.names.take(f"{unit.long_name}, {rng.choice(vocab.DISTRICTS)}")


def _new_unit(register: Register, rng: random.Random, like: Unit, by_oid: dict[str, Unit], on: date) -> Unit:
    """A new unit beside ``like``: same organisation, parent and kind, a name of its own."""
    org, place = _org_of(register, like)
    flags = (like.health_unit, like.social_unit, like.health_service_unit, like.social_service_unit)
    unit = register.add_unit(
        SOTE,
        org,
        name=f"{like.long_name}, {rng.choice(vocab.DISTRICTS)}",
        kind=_KIND_OF_FLAGS.get(flags, "B"),
        place=place,
        begin=on,
        parent=by_oid[like.parent_oid],
    )
    by_oid[unit.oid] = unit
    return unit
