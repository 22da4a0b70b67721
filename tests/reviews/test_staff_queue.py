"""The queue of sent applications: submitted ones by default, filters (service, status, organisation,
dates), sorting, counts per status, paging; bad filters get a message at the field, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.reviews.staff_helpers import business_id, field_error, make_application, page_ids, sign_in_staff


@pytest.fixture
def staff(client, app):
    sign_in_staff(client)
    return client


def ids(*applications) -> list[int]:
    return [a.id for a in applications]


def get(client, query: str = ""):
    response = client.get(f"/staff/applications{query}")
    assert response.status_code == 200, response.status_code
    return response


def counts(response) -> dict[str, int]:
    """The "By status" table: status label → count."""
    page = response.get_data(as_text=True)
    table = page[page.index("By status") : page.index("</table>", page.index("By status"))]
    rows = re.findall(
        r"status=(\w+)[^>]*>(?:<strong>)?[^<]+(?:</strong>)?</a>\s*</td>\s*<td[^>]*>(\d+)<", table
    )
    return {status: int(count) for status, count in rows}


def test_the_queue_lists_submitted_applications_oldest_first_with_counts_per_status(staff):
    first = make_application(1)
    make_application(2, status="approved")
    second = make_application(3)
    make_application(4, status="returned")
    make_application(5, status="draft", round=0)
    response = get(staff)
    assert page_ids(response) == ids(first, second)
    assert counts(response) == {
        "submitted": 2,
        "returned": 1,
        "approved": 1,
        "rejected": 0,
        "withdrawn": 0,
        "all": 4,
    }
    assert "Showing 1–2 of 2" in response.get_data(as_text=True)


def test_a_draft_is_not_kelas_to_see(staff):
    draft = make_application(1, status="draft", round=0)
    assert page_ids(get(staff, "?status=all")) == []
    assert staff.get(f"/staff/applications/{draft.id}").status_code == 404


def test_filter_by_status_and_service(staff):
    archive = make_application(1, service="patient_archive", status="returned")
    prescription = make_application(2, service="eprescription", status="returned")
    make_application(3, service="eprescription")
    assert page_ids(get(staff, "?status=returned")) == ids(archive, prescription)
    response = get(staff, "?status=returned&service=eprescription")
    assert page_ids(response) == ids(prescription)
    # The counts follow the other filters (here the service), not the status.
    assert counts(response)["submitted"] == 1 and counts(response)["returned"] == 1
    assert len(page_ids(get(staff, "?status=all"))) == 3


def test_one_search_box_finds_an_organisation_by_name_business_id_or_oid(staff):
    kuusi = make_application(1, name="Lääkärikeskus Kuusi Oy")
    koivu = make_application(2, name="Terveystalo KOIVU")
    percent = make_application(3, name="Sata % Hoiva")
    assert page_ids(get(staff, "?organisation=kuusi")) == ids(kuusi)
    assert page_ids(get(staff, "?organisation=koivu")) == ids(koivu)
    assert page_ids(get(staff, f"?organisation={business_id(2)}")) == ids(koivu)
    assert page_ids(get(staff, f"?organisation={koivu.organisation_oid}")) == ids(koivu)
    # LIKE's wildcards are searched for as they are.
    assert page_ids(get(staff, "?organisation=%25")) == ids(percent)
    assert page_ids(get(staff, "?organisation=_")) == []
    # A business id is matched whole, not as part of a name.
    assert page_ids(get(staff, "?organisation=2000001-9")) == []
    # Whitespace around the search is ignored.
    assert page_ids(get(staff, "?organisation=+kuusi+")) == ids(kuusi)


def test_the_date_range_is_in_finnish_days_both_ends_included(staff):
    # 22:30 UTC on 1 March is 00:30 on 2 March in Finland (UTC+2).
    late = make_application(1, submitted_at=datetime(2026, 3, 1, 22, 30, tzinfo=UTC))
    early = make_application(2, submitted_at=datetime(2026, 3, 1, 21, 30, tzinfo=UTC))  # 23:30 on 1 March
    third = make_application(3, submitted_at=datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    assert page_ids(get(staff, "?submitted_from=2.3.2026")) == ids(late, third)
    assert page_ids(get(staff, "?submitted_to=1.3.2026")) == ids(early)
    assert page_ids(get(staff, "?submitted_from=2.3.2026&submitted_to=2.3.2026")) == ids(late)
    # ISO dates too (what a shared link may carry).
    assert page_ids(get(staff, "?submitted_from=2026-03-03")) == ids(third)


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("", ["b", "c", "a"]),
        ("?order=desc", ["a", "c", "b"]),
        ("?sort=organisation", ["a", "b", "c"]),
        ("?sort=organisation&order=desc", ["c", "b", "a"]),
        # Services in the alphabetical order of their names in the page's language, ignoring case:
        # ePrescription, Image archive, Patient data archive.
        ("?sort=service", ["c", "b", "a"]),
        ("?sort=service&order=desc", ["a", "b", "c"]),
    ],
)
def test_sorting(staff, query, order):
    made = {
        "a": make_application(3, name="Alfa", service="patient_archive"),
        "b": make_application(1, name="beta", service="image_archive"),
        "c": make_application(2, name="Gamma", service="eprescription"),
    }
    assert page_ids(get(staff, query)) == [made[key].id for key in order]


def test_paging_fifty_a_page_keeps_the_filters(staff):
    made = [make_application(n, service="image_archive", commit=False) for n in range(120)]
    make_application(500, service="patient_archive")  # commits the rest too
    response = get(staff, "?service=image_archive")
    assert page_ids(response) == [a.id for a in made[:50]]
    page = response.get_data(as_text=True)
    assert "Showing 1–50 of 120" in page
    assert 'href="/staff/applications?service=image_archive&amp;page=2"' in page
    assert 'rel="next"' in page and 'rel="prev"' not in page
    response = get(staff, "?service=image_archive&page=3")
    assert page_ids(response) == [a.id for a in made[100:]]
    assert "Showing 101–120 of 120" in response.get_data(as_text=True)
    assert 'aria-current="page"' in response.get_data(as_text=True)
    # Past the end: the last page; garbage: the first.
    assert page_ids(get(staff, "?service=image_archive&page=99")) == [a.id for a in made[100:]]
    assert page_ids(get(staff, "?service=image_archive&page=x")) == [a.id for a in made[:50]]


def test_no_match_says_so(staff):
    make_application(1)
    assert "No applications match the filters." in get(staff, "?organisation=nobody").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?service=x", "service", "Choose a service from the list"),
        ("?status=draft", "status", "Choose a status from the list"),
        ("?sort=id", "sort", "Choose how to sort from the list"),
        ("?order=up", "order", "Choose the order from the list"),
        ("?submitted_from=1/3/2026", "submitted_from", "Enter the date in the form 1.3.2026"),
        ("?submitted_from=31.2.2026", "submitted_from", "Enter a real date, like 1.3.2026"),
        ("?submitted_to=1.1.1970", "submitted_to", "Enter a year from 2000 to 2100"),
        ("?submitted_to=1.1.99999", "submitted_to", "Enter the date in the form 1.3.2026"),
        ("?submitted_from=2.3.2026&submitted_to=1.3.2026", "submitted_to", "The end date must be"),
        ("?organisation=" + "x" * 201, "organisation", "Enter at most 200 characters"),
    ],
)
def test_bad_filters_get_a_message_at_the_field(staff, query, field, message):
    make_application(1)
    response = staff.get(f"/staff/applications{query}")
    assert response.status_code == 400
    assert field_error(response, field).startswith(message)
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page and f'href="#{field}"' in page
    assert "<title>Error: " in page
    assert page_ids(response) == []  # no list under filters that could not be read


def test_the_filter_form_keeps_what_was_typed(staff):
    response = staff.get("/staff/applications?organisation=Kuusi&submitted_from=31.2.2026")
    page = response.get_data(as_text=True)
    assert 'value="Kuusi"' in page and 'value="31.2.2026"' in page
