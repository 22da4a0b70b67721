"""The daily export to the code-server stand-in over HTTP, and the round trip back through a sync."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.integrations.codeserver.generator import SOTE
from portal.integrations.serve import ThreadedServer, free_port
from portal.orgunits.checks import check
from portal.orgunits.export import export_changes, pending_count, recent_runs
from portal.orgunits.files import ParsedFile
from portal.orgunits.loading import apply
from portal.orgunits.models import ExportRun, UnitChange
from portal.orgunits.records import unit_record
from portal.orgunits.rules import COLUMNS
from portal.registry.models import RegisterUnit
from portal.registry.sync import sync_changes, sync_full

# The stand-in fixtures (a 300-unit register served over HTTP) are the code-server tests' own.
from tests.integrations.codeserver.conftest import catalogue, register, standin  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")
HEADER = [c.name for c in COLUMNS]


@pytest.fixture
def app_config(standin: ThreadedServer) -> dict:  # noqa: F811
    return {"CODESERVER_URL": standin.url, "CODESERVER_TIMEOUT": 2.0}


def a_change() -> tuple[RegisterUnit, list[dict[str, str]]]:
    """A unit of the mirror with a new phone number, and a new unit under it."""
    unit = db.session.scalars(
        sa.select(RegisterUnit).where(RegisterUnit.register == "sote", RegisterUnit.sector == "1").limit(1)
    ).one()
    changed = {**unit_record(unit), "PhoneNumber": "09 555 0101"}
    new = {
        **changed,
        "OrganizationId": f"{unit.oid}.77",
        "ParentId": unit.oid,
        "LongName": "Uusi palveluyksikkö",
        "Abbreviation": "Uusi PY",
        "ExpiringDate": "",
    }
    return unit, [changed, new]


def load(records: list[dict[str, str]]) -> None:
    result = check(ParsedFile.from_records(records, HEADER))
    assert result.passed, result.lines()
    apply(result, person_id=None, person_name="Testi", organisation="1234567-1", source="upload")


def test_changed_units_reach_the_code_server_once_and_come_back_in_a_sync(catalogue):  # noqa: F811
    sync_full()
    unit, records = a_change()
    load(records)
    assert pending_count() == 2

    run = export_changes()
    assert (run.state, run.units, run.detail) == ("succeeded", 2, None)
    assert sorted(catalogue.received) == sorted([unit.oid, f"{unit.oid}.77"])
    served = {u.oid: u for u in catalogue.register.units[SOTE]}
    assert served[unit.oid].phone == "09 555 0101"
    new = served[f"{unit.oid}.77"]
    assert (new.long_name, new.parent_oid, new.sector) == ("Uusi palveluyksikkö", unit.oid, 1)
    assert pending_count() == 0
    assert all(c.export_run_id == run.id for c in db.session.scalars(sa.select(UnitChange)))

    again = export_changes()
    assert (again.state, again.units) == ("succeeded", 0)
    assert [r.id for r in recent_runs()] == [again.id, run.id]

    sync_changes()  # what the code server now holds is what the portal sent
    db.session.expire_all()
    assert db.session.get(RegisterUnit, unit.oid).phone == "09 555 0101"
    assert db.session.get(RegisterUnit, f"{unit.oid}.77").long_name == "Uusi palveluyksikkö"


def test_a_failed_export_keeps_the_changes_pending(app, catalogue):  # noqa: F811
    sync_full()
    _, records = a_change()
    load(records)
    app.config["CODESERVER_URL"] = f"http://127.0.0.1:{free_port()}"
    run = export_changes()
    assert run.state == "failed" and run.units == 0 and "cannot be reached" in run.detail
    assert pending_count() == 2 and catalogue.received == []


def test_the_command(app, runner, standin, catalogue):  # noqa: F811
    sync_full()
    _, records = a_change()
    load(records)
    app.config["CODESERVER_URL"] = f"http://127.0.0.1:{free_port()}"
    failed = runner.invoke(args=["registry", "export-changes"])
    assert failed.exit_code == 1 and "the 2 changed units wait for the next run" in failed.output
    app.config["CODESERVER_URL"] = standin.url
    done = runner.invoke(args=["registry", "export-changes"])
    assert done.exit_code == 0 and done.output == "Exported 2 changed units.\n"
    assert [r.state for r in db.session.scalars(sa.select(ExportRun).order_by(ExportRun.id))] == [
        "failed",
        "succeeded",
    ]


def test_the_stand_in_refuses_what_is_not_concept_codes(standin):  # noqa: F811
    import requests

    url = f"{standin.url}/csapi/v3/classifications/1.2.246.537.6.202/conceptcodes"
    assert requests.post(url, json={"conceptCodes": [{"attributes": []}]}, timeout=5).status_code == 400
    assert requests.post(url, data=b"nonsense", timeout=5).status_code == 400
    other = f"{standin.url}/csapi/v3/classifications/1.2.246.537.6.21/conceptcodes"
    assert requests.post(other, json={"conceptCodes": []}, timeout=5).status_code == 404
