"""Random input to the filters of the staff's customer pages (query strings anyone can type): the list of
customers and its exports, and the changes of customer data. Whatever comes: never a 5xx. A filter that
cannot be read gets its message at the field (400, the error summary), and an export is refused (400); a
list or a file comes back (200) exactly when the forms' rules, as the review pages' fuzzing works them
out, say the input was valid. What a valid filter lists matches it."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.applications.models import SERVICE_KEYS
from portal.customers.models import Customership, ServiceInUse
from portal.customers.staff_views import CHANGE_LABELS
from portal.extensions import db
from portal.identifiers import is_valid_business_id
from tests.applications.test_forms_fuzz import FUZZ, first, multidict, posted, text, with_examples
from tests.reviews.staff_helpers import sign_in_staff
from tests.reviews.test_staff_forms_fuzz import (
    AUDIT_FIELDS,
    choices_ok,
    get,
    pages,
    range_ok,
    searches,
    short,
)

SERVICES = st.sampled_from(["", *SERVICE_KEYS])
EXPORTS = ("contacts.csv", "billing.csv", "customers.xlsx", "customers.json")


def customers_made(count: int = 12) -> None:
    """Customerships with a service in use each (made directly: the filters are what is tested here; the
    other tests make them through decide())."""
    for n in range(count):
        business_id = f"{2000000 + n:07d}-{n % 10}"
        db.session.add(
            Customership(
                organisation_business_id=business_id,
                organisation_oid=f"1.2.246.10.{2000000 + n}.10.0",
                organisation_name=f"Organisation {n:02d} {'%_'[n % 2]}",
            )
        )
        db.session.add(ServiceInUse(organisation_business_id=business_id, service=SERVICE_KEYS[n % 4]))
    db.session.commit()


def listed(response) -> list[str]:
    return re.findall(r'href="/staff/customers/(\d{7}-\d)"', response.get_data(as_text=True))


def test_customer_filters_never_fail(app, client):
    sign_in_staff(client)
    customers_made()

    @FUZZ
    @given(data=posted({"organisation": searches, "service": SERVICES, "page": pages}))
    @with_examples(
        {"organisation": "\x00"},
        {"organisation": "%"},
        {"organisation": "x" * 201},
        {"service": ["image_archive", "x"]},
        {"page": "99999999999999999999"},
    )
    def check(data: dict[str, Any]) -> None:
        valid = choices_ok(data, {"service": (("", *SERVICE_KEYS), "")}) and short(data, "organisation")
        response = get(client, "/staff/customers/", data, valid)
        service = first(data, "service", "")
        if response.status_code == 200 and service:
            for business_id in listed(response):
                services = db.session.scalars(
                    select(ServiceInUse.service).where(ServiceInUse.organisation_business_id == business_id)
                ).all()
                assert service in services

    check()


def test_export_filters_never_fail(app, client):
    sign_in_staff(client)
    customers_made(4)

    @FUZZ
    @given(
        data=posted({"organisation": searches, "service": SERVICES}),
        export=st.sampled_from(EXPORTS),
    )
    def check(data: dict[str, Any], export: str) -> None:
        valid = choices_ok(data, {"service": (("", *SERVICE_KEYS), "")}) and short(data, "organisation")
        response = client.get(f"/staff/customers/export/{export}", query_string=multidict(data))
        assert response.status_code == (200 if valid else 400), (data, response.status_code)
        response.close()

    check()


def test_change_filters_never_fail(app, client):
    sign_in_staff(client)
    kinds = ("", *CHANGE_LABELS)
    # The audit log's fields; among the kinds, two of its events that are no change of customer data.
    fields = {**AUDIT_FIELDS, "kind": st.sampled_from([*kinds, "sign_in", "application_approved"])}

    @FUZZ
    @given(data=posted(fields))
    @with_examples(
        {"kind": "customer_contact_updated'; --"}, {"date_to": "29.2.2100"}, {"business_id": "1234567-8"}
    )
    def check(data: dict[str, Any]) -> None:
        business_id = text(data, "business_id")
        valid = (
            choices_ok(data, {"kind": (kinds, "")})
            and range_ok(data, "date_from", "date_to")
            and short(data, "person")
            and (not business_id or is_valid_business_id(business_id))
        )
        get(client, "/staff/customers/changes", data, valid)

    check()
