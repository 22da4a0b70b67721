"""The portal app pointed at a stand-in code server on 127.0.0.1, with an empty mirror."""

from __future__ import annotations

import pytest
import requests
import sqlalchemy as sa

from portal.extensions import db
from portal.integrations.codeserver.generator import UNIT_REGISTERS, Register
from portal.integrations.serve import ThreadedServer
from portal.registry.models import CodeEntry, RegisterUnit

# The stand-in fixtures (a 300-unit register served over HTTP) are the code-server tests' own.
from tests.integrations.codeserver.conftest import SIZE, catalogue, register, standin  # noqa: F401


@pytest.fixture
def app_config(standin: ThreadedServer) -> dict:  # noqa: F811 (the imported fixture)
    return {"CODESERVER_URL": standin.url, "CODESERVER_TIMEOUT": 2.0}


def set_fault(server: ThreadedServer, kind: str, after: int = 0) -> None:
    requests.post(f"{server.url}/_standin/fault", params={"kind": kind, "after": after}).raise_for_status()


UNIT_FIELDS = ("register", "long_name", "business_id", "parent_oid", "phone", "street_address", "status")


def mirror_units() -> dict[str, tuple]:
    """The mirror's units as comparable tuples, by OID."""
    return {
        u.oid: (*(getattr(u, f) for f in UNIT_FIELDS), u.begin_date, u.expiration_date, u.modified_date)
        for u in db.session.scalars(sa.select(RegisterUnit))
    }


def served_units(register: Register) -> dict[str, tuple]:  # noqa: F811
    """What a full download from the stand-in holds, in the same shape as ``mirror_units``."""
    return {
        u.oid: (
            key,
            u.long_name,
            u.business_id,
            u.parent_oid,
            u.phone,
            u.street_address,
            u.status,
            u.begin_date,
            u.expiration_date,
            u.modified_date,
        )
        for key in UNIT_REGISTERS
        for u in register.units[key]
        if u.status == "ACTIVE"
    }


def mirror_snapshot() -> tuple:
    db.session.expire_all()
    codes = {(c.classification_oid, c.code, c.name_fi) for c in db.session.scalars(sa.select(CodeEntry))}
    return mirror_units(), codes
