"""The stand-in code server over real HTTP: paging, filters, errors and its admin endpoints."""

from __future__ import annotations

import math
from datetime import date

import pytest
import requests

from portal.integrations.codeserver.generator import SOTE

from .conftest import SIZE, SOTE_OID

PATH = "/csapi/v3/classifications/{oid}/conceptcodes"


def get(server, oid=SOTE_OID, **params):
    params = {"status": "ACTIVE", "sortBy": "CONCEPTCODEID", **params}
    return requests.get(server.url + PATH.format(oid=oid), params=params, timeout=10)


def test_pages_count_from_one_and_the_last_page_is_short(standin, register):
    page_size = 70
    first = get(standin, pageSize=page_size, page=1).json()
    expected_pages = math.ceil(SIZE / page_size)
    assert (first["page"], first["totalItems"], first["totalPages"]) == (1, SIZE, expected_pages)
    seen = []
    for number in range(1, expected_pages + 1):
        body = get(standin, pageSize=page_size, page=number).json()
        assert (body["page"], body["totalItems"], body["totalPages"]) == (number, SIZE, expected_pages)
        seen += body["conceptCodes"]
        assert len(body["conceptCodes"]) == (page_size if number < expected_pages else SIZE % page_size)
    assert [c["conceptCodeId"] for c in seen] == sorted(u.oid for u in register.units[SOTE])


def test_a_page_holds_at_most_500_and_that_is_the_default(standin):
    body = get(standin).json()
    assert (len(body["conceptCodes"]), body["totalPages"]) == (SIZE, 1)
    assert get(standin, pageSize=501).status_code == 400


def test_a_page_past_the_end_is_empty(standin):
    body = get(standin, pageSize=100, page=9).json()
    assert (body["conceptCodes"], body["page"], body["totalItems"]) == ([], 9, SIZE)


def test_a_concept_code_has_the_documented_keys_and_attributes(standin):
    code = get(standin, pageSize=1).json()["conceptCodes"][0]
    assert set(code) == {
        "conceptCodeId",
        "status",
        "beginDate",
        "expirationDate",
        "modifiedDate",
        "attributes",
    }
    names = {a["attributeName"] for a in code["attributes"]}
    assert {
        "LongName",
        "Abbreviation",
        "Y-Tunnus",
        "Sektori",
        "Sijainti kunta",
        "Terv.toimintayksikkö",
    } <= names
    assert all(isinstance(a["attributeValue"], list) for a in code["attributes"])


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": 0},
        {"pageSize": "ten"},
        {"page": 0},
        {"page": -1},
        {"modifiedAfter": "22.11.2026"},
        {"status": "RETIRED"},
        {"sortBy": "NAME"},
    ],
    ids=str,
)
def test_bad_parameters_get_400(standin, params):
    assert get(standin, **params).status_code == 400


def test_an_unknown_classification_gets_404(standin):
    assert get(standin, oid="1.2.246.537.6.999").status_code == 404


def test_the_other_classifications_are_served_under_their_configured_oids(standin, register):
    for oid, count in (
        ("1.2.246.537.6.21", 309),
        ("1.2.246.537.6.1221", len(register.codes["service_tasks"])),
    ):
        assert get(standin, oid=oid).json()["totalItems"] == count


def test_modified_after_returns_exactly_the_touched_units_whatever_their_status(standin):
    on = date(2026, 4, 1)
    touched = requests.post(
        f"{standin.url}/_standin/touch", params={"count": 100, "on": on.isoformat()}
    ).json()
    all_touched = {oid for oids in touched.values() for oid in oids}
    body = requests.get(
        standin.url + PATH.format(oid=SOTE_OID), params={"modifiedAfter": on.isoformat()}, timeout=10
    ).json()
    assert {c["conceptCodeId"] for c in body["conceptCodes"]} == all_touched
    assert body["totalItems"] == 100
    statuses = {c["conceptCodeId"]: c["status"] for c in body["conceptCodes"]}
    assert {statuses[oid] for oid in touched["deleted"]} == {"DELETED"}


def test_status_active_leaves_deleted_units_out(standin):
    touched = requests.post(f"{standin.url}/_standin/touch", params={"count": 100}).json()
    active = {c["conceptCodeId"] for c in get(standin).json()["conceptCodes"]}
    assert touched["deleted"] and not set(touched["deleted"]) & active
    assert set(touched["new"]) <= active
    assert get(standin).json()["totalItems"] == SIZE + len(touched["new"]) - len(touched["deleted"])


def test_touch_refuses_a_day_inside_the_generated_history(standin):
    response = requests.post(f"{standin.url}/_standin/touch", params={"count": 5, "on": "2020-01-01"})
    assert response.status_code == 400


def test_a_fault_makes_the_server_answer_503_after_the_given_number_of_pages(standin):
    requests.post(f"{standin.url}/_standin/fault", params={"kind": "down", "after": 1}).raise_for_status()
    assert get(standin).status_code == 200
    assert get(standin).status_code == 503
    requests.post(f"{standin.url}/_standin/fault", params={"kind": "none"}).raise_for_status()
    assert get(standin).status_code == 200


def test_a_malformed_fault_sends_broken_json(standin):
    requests.post(f"{standin.url}/_standin/fault", params={"kind": "malformed"}).raise_for_status()
    response = get(standin)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
