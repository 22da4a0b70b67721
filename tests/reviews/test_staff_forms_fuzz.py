"""Random input to the staff forms: the filters of the queue, the audit log and the outbox (query strings
anyone can type), and the decision forms. Whatever comes: never a 5xx. A filter that cannot be read gets
its message at the field (400, the error summary); a list comes back (200) exactly when the rules below,
worked out here from what the forms promise, say the input was valid. A decision is made exactly when its
form was valid and named the round waiting, and never twice.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.applications.models import SERVICE_KEYS, Application
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.identifiers import is_valid_business_id
from portal.outbox.models import STATES
from portal.reviews.models import Decision
from tests.applications.test_forms_fuzz import (
    FUZZ,
    expect_error_page,
    first,
    multidict,
    posted,
    text,
    with_examples,
)
from tests.forms.strategies import any_text, business_ids, oids
from tests.reviews.staff_helpers import make_application, page_ids, sign_in_staff

SENT = ("submitted", "returned", "approved", "rejected", "withdrawn")
ASCII_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})|([0-9]{4})-([0-9]{2})-([0-9]{2})")

days = st.builds(
    lambda day, iso: day.isoformat() if iso else f"{day.day}.{day.month}.{day.year}",
    st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    st.booleans(),
)
searches = st.one_of(
    business_ids, oids, st.sampled_from(["Kuusi", "organisation 00", "%", "_", "Å"]), any_text
)
pages = st.one_of(st.integers(1, 4).map(str), st.sampled_from(["0", "-1", "x", "9" * 30, "²"]))


def day_of(value: str | None) -> tuple[bool, date | None]:
    """(readable, the day): a blank is readable and no day."""
    if not value:
        return True, None
    match = ASCII_DATE.fullmatch(value)
    if match is None:
        return False, None
    year, month, day = (match[3], match[2], match[1]) if match[1] else (match[4], match[5], match[6])
    try:
        parsed = date(int(year), int(month), int(day))
    except ValueError:
        return False, None
    return 2000 <= parsed.year <= 2100, parsed


def choices_ok(data: dict[str, Any], choices: dict[str, tuple[tuple[str, ...], str]]) -> bool:
    """A select takes the first value as it was sent (no stripping); left out, its default."""
    return all(first(data, name, default) in allowed for name, (allowed, default) in choices.items())


def range_ok(data: dict[str, Any], start: str, end: str) -> bool:
    (first_ok, first_day), (last_ok, last_day) = day_of(text(data, start)), day_of(text(data, end))
    return first_ok and last_ok and not (first_day and last_day and last_day < first_day)


def short(data: dict[str, Any], name: str) -> bool:
    value = text(data, name)
    return value is None or len(value) <= 200


def get(client, path: str, data: dict[str, Any], valid: bool):
    response = client.get(path, query_string=multidict(data))
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.status_code == (200 if valid else 400), (data, response.status_code)
    if not valid:
        expect_error_page(response)
    return response


# --- the queue --------------------------------------------------------------------------------------


QUEUE_FIELDS = {
    "service": st.sampled_from(["", *SERVICE_KEYS]),
    "status": st.sampled_from([*SENT, "all"]),
    "organisation": searches,
    "submitted_from": days,
    "submitted_to": days,
    "sort": st.sampled_from(["submitted", "organisation", "service"]),
    "order": st.sampled_from(["asc", "desc"]),
    "page": pages,
}
QUEUE_CHOICES = {
    "service": (("", *SERVICE_KEYS), ""),
    "status": ((*SENT, "all"), "submitted"),
    "sort": (("submitted", "organisation", "service"), "submitted"),
    "order": (("asc", "desc"), "asc"),
}


def test_queue_filters_never_fail(app, client):
    sign_in_staff(client)
    for n, status in enumerate(SENT * 3):
        make_application(n, status=status, service=SERVICE_KEYS[n % 4])

    @FUZZ
    @given(data=posted(QUEUE_FIELDS))
    @with_examples(
        {"submitted_from": "9999-12-31"},
        {"submitted_to": "31.12.2100", "submitted_from": "1.1.2000"},
        {"organisation": "\x00"},
        {"page": "99999999999999999999"},
        {"status": ["approved", "x"], "service": ["", "x"]},
    )
    def check(data: dict[str, Any]) -> None:
        valid = choices_ok(data, QUEUE_CHOICES) and range_ok(data, "submitted_from", "submitted_to")
        response = get(client, "/staff/applications", data, valid and short(data, "organisation"))
        if response.status_code == 200:
            status = first(data, "status", "submitted")
            for listed in page_ids(response):
                assert status == "all" or db.session.get(Application, listed).status == status

    check()


# --- the audit log and the outbox -----------------------------------------------------------------------


AUDIT_FIELDS = {
    "business_id": st.one_of(business_ids, st.just("")),
    "person": st.one_of(st.sampled_from(["Kaisa", "anna v", ""]), any_text),
    "kind": st.sampled_from(["", "sign_in", "application_approved", "outbox_retried"]),
    "date_from": days,
    "date_to": days,
    "page": pages,
}


def test_audit_filters_never_fail(app, client):
    sign_in_staff(client)
    from portal.reviews.forms import EVENT_LABELS

    kinds = ("", *EVENT_LABELS)

    @FUZZ
    @given(data=posted(AUDIT_FIELDS))
    @with_examples({"business_id": "1234567-8"}, {"kind": "sign_in'; --"}, {"date_to": "29.2.2100"})
    def check(data: dict[str, Any]) -> None:
        business_id = text(data, "business_id")
        valid = (
            choices_ok(data, {"kind": (kinds, "")})
            and range_ok(data, "date_from", "date_to")
            and short(data, "person")
            and (not business_id or is_valid_business_id(business_id))
        )
        get(client, "/staff/audit", data, valid)

    check()


def test_outbox_filter_never_fails(app, client):
    sign_in_staff(client)

    @FUZZ
    @given(data=posted({"state": st.sampled_from(["", *STATES]), "page": pages}))
    def check(data: dict[str, Any]) -> None:
        get(client, "/staff/outbox", data, choices_ok(data, {"state": (("", *STATES), "")}))

    check()


# --- decisions ----------------------------------------------------------------------------------------


rounds = st.one_of(st.just("1"), st.sampled_from(["2", "01", " 1 ", "", "x", "-1", "1.0", "²", "9" * 12]))
messages = st.one_of(
    st.sampled_from(["Add the second connection point", " ", "\x00", "x" * 4000, "x" * 4001]),
    any_text,
)


def test_decision_forms_never_fail_and_decide_at_most_once(app, client):
    sign_in_staff(client)
    numbers = itertools.count(1)

    @FUZZ
    @given(
        case=st.sampled_from(["approve", "reject", "return"]).flatmap(
            lambda kind: st.tuples(
                st.just(kind), posted({f"{kind}-round": rounds, f"{kind}-message": messages})
            )
        ),
        twice=st.booleans(),
    )
    def check(case: tuple[str, dict[str, Any]], twice: bool) -> None:
        kind, data = case
        application = make_application(next(numbers))
        # The fields as the posted kind's form reads them (another prefix's fields are ignored).
        round_text = text(data, f"{kind}-round") or ""
        message = text(data, f"{kind}-message") or ""
        round_ok = round_text.isascii() and round_text.isdigit() and len(round_text) < 8
        message_ok = kind == "approve" or (bool(message) and len(message) <= 4000)
        for _ in range(2 if twice else 1):
            response = client.post(f"/staff/applications/{application.id}/{kind}", data=multidict(data))
            assert response.status_code < 500, response.get_data(as_text=True)[:500]
            if round_ok and message_ok:
                assert response.status_code == 303, (data, response.status_code)
            else:
                assert response.status_code == 400, (data, response.status_code)
                expect_error_page(response)
        decided = db.session.scalar(
            select(func.count()).select_from(Decision).where(Decision.application_id == application.id)
        )
        expected = 1 if round_ok and message_ok and int(round_text) == 1 else 0
        assert decided == expected, (data, decided)
        events = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_id == str(application.id), AuditEvent.kind.like("application_%"))
        )
        assert events == expected

    check()
