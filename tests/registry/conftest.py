"""The portal app pointed at a stand-in code server on 127.0.0.1, with an empty mirror."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa

from portal.extensions import db
from portal.integrations.codeserver.generator import UNIT_REGISTERS, Register, generate_register
from portal.integrations.codeserver.standin import Catalogue, create_standin_app
from portal.integrations.serve import ThreadedServer, serve_in_thread
from portal.registry.models import CodeEntry, RegisterUnit

SIZE = 300
SEED = 4242


@pytest.fixture
def register() -> Register:
    return generate_register(SIZE, SEED)


@pytest.fixture
def standin(register: Register) -> Iterator[ThreadedServer]:
    server = serve_in_thread(create_standin_app(register=register))
    yield server
    server.stop()


@pytest.fixture
def catalogue(standin: ThreadedServer) -> Catalogue:
    return standin.server.app.extensions["codeserver_standin"]


@pytest.fixture
def app_config(standin: ThreadedServer) -> dict:
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


def served_units(register: Register) -> dict[str, tuple]:
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
