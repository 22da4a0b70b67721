"""The code-server client against the stand-in over HTTP: paging, and one clear error for every failure."""

from __future__ import annotations

import pytest
import requests

from portal.integrations.codeserver.client import CodeServerClient, CodeServerError, CodeServerUnavailable
from portal.integrations.codeserver.generator import SOTE
from portal.integrations.serve import free_port

from .conftest import SIZE, SOTE_OID


def fault(server, kind, after=0):
    requests.post(f"{server.url}/_standin/fault", params={"kind": kind, "after": after}).raise_for_status()


def test_iter_pages_walks_every_page_in_oid_order(standin, register):
    with CodeServerClient(standin.url, page_size=64) as client:
        pages = list(client.iter_pages(SOTE_OID))
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert len(pages) == pages[0].total_pages == -(-SIZE // 64)
    assert {p.total_items for p in pages} == {SIZE}
    oids = [item["conceptCodeId"] for p in pages for item in p.items]
    assert oids == sorted(u.oid for u in register.units[SOTE])


def test_iter_pages_with_modified_after_asks_for_changes_only(standin, catalogue):
    from datetime import date

    touched = catalogue.touch(40, date(2026, 5, 4), seed=0)
    with CodeServerClient(standin.url) as client:
        oids = {c["conceptCodeId"] for c in client.iter_concepts(SOTE_OID, modified_after=date(2026, 5, 4))}
    assert oids == {oid for group in touched.values() for oid in group}


def test_a_stopped_server_is_unavailable_with_a_message_naming_it():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CodeServerUnavailable, match="cannot be reached") as caught:
        list(CodeServerClient(url, timeout=2).iter_pages(SOTE_OID))
    assert url in str(caught.value)


def test_a_503_is_unavailable(standin):
    fault(standin, "down")
    with pytest.raises(CodeServerUnavailable, match="HTTP 503"):
        list(CodeServerClient(standin.url).iter_pages(SOTE_OID))


def test_malformed_json_is_unavailable(standin):
    fault(standin, "malformed")
    with pytest.raises(CodeServerUnavailable, match="not the expected JSON"):
        list(CodeServerClient(standin.url).iter_pages(SOTE_OID))


def test_a_server_failing_midway_fails_the_iteration_after_the_good_pages(standin):
    fault(standin, "down", after=2)
    received = []
    with pytest.raises(CodeServerUnavailable):
        for page in CodeServerClient(standin.url, page_size=50).iter_pages(SOTE_OID):
            received.append(page.number)
    assert received == [1, 2]


def test_a_slow_server_times_out_as_unavailable(standin):
    fault(standin, "slow")
    with pytest.raises(CodeServerUnavailable, match=r"did not answer within 0\.5 seconds"):
        list(CodeServerClient(standin.url, timeout=0.5).iter_pages(SOTE_OID))


def test_an_unknown_classification_is_an_error_but_not_unavailability(standin):
    with pytest.raises(CodeServerError, match="HTTP 404") as caught:
        list(CodeServerClient(standin.url).iter_pages("1.2.246.537.6.999"))
    assert not isinstance(caught.value, CodeServerUnavailable)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"conceptCodes": [], "page": 1}',
        b'{"conceptCodes": [{}], "page": 1, "totalItems": 1, "totalPages": 1}',
    ],
    ids=["a list", "no totals", "a code without id"],
)
def test_json_of_the_wrong_shape_is_malformed(body):
    from portal.integrations.codeserver.client import _parse_page

    with pytest.raises(CodeServerUnavailable, match="not the expected JSON"):
        _parse_page(body, "http://127.0.0.1:1", SOTE_OID)
