"""Random input posted to every step of the wizard through the test client: any text (control
characters, other scripts, huge strings), fields missing, repeated or added (rows like points-99-oid).

Whatever is posted: never a 5xx. A step that does not go on (200/400) shows its error summary when it
has errors, and keeps what was typed. It goes on (303) only when the input was valid: where the rules
of the step are simple enough to state (customer details, a contact, billing, the document boxes),
the expected outcome is worked out here from the rules and compared; for the connection step, input
known to be invalid must not go on. After a 303, what the database holds passes the field validators
(the stored OID is an OID, phones are E.164, certificate numbers 11 characters, ...).
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from flask import current_app
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import delete, func, select
from werkzeug.datastructures import MultiDict

from portal.applications.models import PROFILES, STORES, Application, ServiceDescriptionAcceptance
from portal.audit.models import AuditEvent
from portal.billing.models import BillingDetails
from portal.billing.operators import OPERATORS
from portal.contacts.models import KINDS, ApplicationContact, Contact
from portal.documents.models import CommitmentSignature, DocumentVersion
from portal.extensions import db
from portal.forms.base import strip_whitespace
from portal.forms.validators import EInvoiceAddress, OperatorCode
from portal.identifiers import (
    is_valid_business_id,
    is_valid_certificate_number,
    is_valid_email,
    is_valid_iban,
    is_valid_oid,
    is_valid_ovt,
    is_valid_postal_code,
    normalise_certificate_number,
    normalise_mobile,
    normalise_phone,
)
from portal.integrations.demo_data import CARE_HOME, CLINIC
from portal.registry.models import RegisterUnit
from portal.registry.services import service_tasks
from tests.applications.conftest import (
    accept,
    act_for,
    fill_billing,
    fill_connection,
    fill_contacts,
    fill_customer,
    start,
    walk_to_summary,
)
from tests.forms.probe import probe
from tests.forms.strategies import (
    any_text,
    bics,
    business_ids,
    certificate_numbers,
    emails,
    ibans,
    mobiles,
    near,
    oids,
    ovts,
    postal_codes,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OMIT = object()  # the field is not posted at all
ERROR_SUMMARY = "govuk-error-summary"

# --- what is posted -------------------------------------------------------------------------------

junk = st.one_of(
    any_text,
    st.sampled_from(["", " ", "\x00", "\t\n", "0", "y", "false", "new", "²", "٣", "-1", "9" * 30]),
)
names = st.one_of(
    st.sampled_from(["Maija Meikäläinen", "Kanta-tuki", "Åsa Öberg", "O'Brien <b>&amp;</b>"]),
    st.text(min_size=1, max_size=60),
)
landlines = st.sampled_from(["09 123 4567", "+358 9 765 4321", "(09) 1234 567", "+46 8 123 456 78"])
typed_mobiles = mobiles.map(lambda typed_and_e164: typed_and_e164[0])
phones = st.one_of(typed_mobiles, landlines)


def spoiled(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Instead of a valid value: the value with spaces around it (to be stripped), one a few characters
    off, junk, several values, or nothing at all (the field left out)."""
    return st.one_of(
        valid.map(lambda value: f" \t{value} " if isinstance(value, str) else value),
        near(valid.map(str)),
        junk,
        st.lists(st.one_of(valid, junk), min_size=2, max_size=3),
        st.just(OMIT),
    )


extra_names = st.one_of(
    st.sampled_from(
        [
            "points-99-oid",
            "points-20-name",
            "points--1-oid",
            "points-x-oid",
            "points-٣-oid",
            "points-0",
            "systems-21-product",
            "systems-0-service_tasks",
            "systems-99-profile",
            "contact",
            "version_id",
            "csrf_token",
            "action",
            "return",
        ]
    ),
    st.builds(
        lambda rows, index, name: f"{rows}-{index}-{name}",
        st.sampled_from(["points", "systems"]),
        st.integers(-2, 10**6),
        st.sampled_from(["oid", "name", "product", "vendor", "version", "profile", "stores", "x"]),
    ),
    st.text(max_size=20),
)
extras = st.dictionaries(extra_names, st.one_of(junk, st.lists(junk, max_size=3)), max_size=4)


def posted(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict[str, Any]]:
    """A form: every field valid, then a few of them spoiled (OMIT: left out), over random extra fields.
    Often nothing is spoiled, so valid input is sent as often as invalid."""
    spoiling = st.one_of(*(st.tuples(st.just(name), spoiled(valid)) for name, valid in fields.items()))
    return st.builds(
        lambda extra, values, spoils: {
            k: v for k, v in {**extra, **values, **dict(spoils)}.items() if v is not OMIT
        },
        extras,
        st.fixed_dictionaries(dict(fields)),
        st.lists(spoiling, max_size=3),
    )


def with_examples(*examples: dict[str, Any]):
    """Explicit examples, run before the random ones: the cases that once gave a 500 or were let in."""

    def decorate(test):
        for data in reversed(examples):
            test = example(data=data)(test)
        return test

    return decorate


def multidict(data: dict[str, Any]) -> MultiDict:
    return MultiDict(
        [(k, v) for k, values in data.items() for v in (values if isinstance(values, list) else [values])]
    )


def first(data: dict[str, Any], name: str, default: Any = None) -> Any:
    """What the form reads of a field: its first value."""
    if name not in data:
        return default
    value = data[name]
    if isinstance(value, list):
        return value[0] if value else default
    return value


def text(data: dict[str, Any], name: str, stored: Any = None) -> str | None:
    """A text field as the form sees it: the first value through the forms' filter (no whitespace
    around it, no NUL characters); a field not posted keeps the value the form was given (what is
    stored)."""
    if name not in data or (isinstance(data[name], list) and not data[name]):
        return stored
    return strip_whitespace(first(data, name))


def post(client, path: str, data: dict[str, Any]):
    response = client.post(path, data=multidict(data))
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return response


def expect_error_page(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400), response.status_code
    assert ERROR_SUMMARY in page, page[:500]
    return page


def expect_kept(page: str, values: list[str | None]) -> None:
    """What was typed is in the page again (escaped as the templates escape it)."""
    for value in values:
        if value:
            assert str(escape(value)) in page, value[:80]


def answer(client, path: str, data: dict[str, Any], *, valid: bool, kept: list[str | None]) -> bool:
    """Post; the step goes on (303) exactly when ``valid``; otherwise its page comes back with the error
    summary and ``kept`` (what was typed) in it. Returns whether it went on."""
    response = post(client, path, data)
    event("valid: went on" if valid else "invalid: refused")  # --hypothesis-show-statistics
    assert (response.status_code == 303) == valid, (data, response.status_code)
    if not valid:
        expect_kept(expect_error_page(response), kept)
    return valid


def passes(validator, value: str, business_id: str = "") -> bool:
    """The field validator's own verdict (its messages are translated, hence the request context)."""
    with current_app.test_request_context():
        return probe(validator, value, business_id=business_id).valid


def blank(value: Any) -> bool:
    return value is None or not strip_whitespace(str(value))


def at_most(value: str | None, length: int) -> bool:
    return value is None or len(value) <= length


# --- the applications the examples are posted to ----------------------------------------------------


@pytest.fixture
def clinic(client, world):
    """The test client, acting for the clinic."""
    act_for(client, CLINIC)
    return client


def application(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


# --- connection points and systems ---------------------------------------------------------------


def connection_fields(social: bool, eprescription: bool, units: list[str]) -> dict[str, st.SearchStrategy]:
    fields: dict[str, st.SearchStrategy] = {
        "action": st.sampled_from(["save", "save", "save", "add_point", "add_system", "search_unit"])
    }
    for i in range(3):
        fields[f"points-{i}-oid"] = oids
        fields[f"points-{i}-name"] = names
        fields[f"systems-{i}-product"] = names
        fields[f"systems-{i}-vendor"] = names
        fields[f"systems-{i}-version"] = st.text(string.digits + ".", min_size=1, max_size=8)
        if social:
            tasks = [code for code, _ in service_tasks("en")]
            fields[f"systems-{i}-profile"] = st.sampled_from(PROFILES)
            fields[f"systems-{i}-stores"] = st.sampled_from(STORES)
            fields[f"systems-{i}-service_tasks"] = st.lists(st.sampled_from(tasks), min_size=1, max_size=3)
    if eprescription:
        fields["renewal_requests"] = st.sampled_from(["yes", "no"])
        fields["unit_query"] = st.sampled_from(["Kuusi", "1.2.246", "apteekki", "x"])
        fields["unit"] = st.sampled_from(units)
    return fields


def surely_invalid_connection(data: dict[str, Any], service: str) -> bool:
    """Input that must not be saved: a connection point that breaks its rules, a social welfare system
    without a listed profile, stored data and service tasks, ePrescription without yes or no."""
    if service == "eprescription" and first(data, "renewal_requests") not in ("yes", "no"):
        return True
    tasks = {code for code, _ in service_tasks("en")}
    for i in range(3):
        system = [text(data, f"systems-{i}-{name}") for name in ("product", "vendor", "version")]
        if service == "social_archive" and any(system):
            chosen = data.get(f"systems-{i}-service_tasks", [])
            chosen = chosen if isinstance(chosen, list) else [chosen]
            if (
                first(data, f"systems-{i}-profile") not in PROFILES
                or first(data, f"systems-{i}-stores") not in STORES
                or not chosen
                or not set(chosen) <= tasks
            ):
                return True
        oid = text(data, f"points-{i}-oid")
        name = text(data, f"points-{i}-name")
        if oid and not (oid.isascii() and oid.isprintable() and is_valid_oid(oid) and len(oid) <= 200):
            return True
        if (oid or name) and not (oid and name):
            return True
        if name and len(name) > 200:
            return True
    return False


def check_stored_connection(app: Application, data: dict[str, Any]) -> None:
    assert app.connection_points and app.systems
    oids_stored = [p.oid for p in app.connection_points]
    assert len(set(oids_stored)) == len(oids_stored)
    posted_values = {
        strip_whitespace(v)
        for values in data.values()
        for v in (values if isinstance(values, list) else [values])
    }
    for point in app.connection_points:
        assert point.oid.isascii() and point.oid.isprintable() and is_valid_oid(point.oid), point.oid
        assert point.oid in posted_values
        assert point.name.strip() and point.name == point.name.strip() and len(point.name) <= 200
        assert "\x00" not in point.name
    tasks = {code for code, _ in service_tasks("en")}
    for system in app.systems:
        for value, length in ((system.product, 200), (system.vendor, 200), (system.version, 50)):
            assert value.strip() and value == value.strip() and len(value) <= length
        if app.service == "social_archive":
            assert system.profile in PROFILES and system.stores in STORES
            assert system.service_tasks and set(system.service_tasks) <= tasks, system.service_tasks
        else:
            assert (system.profile, system.stores, system.service_tasks) == (None, None, [])
    if app.service == "eprescription":
        assert app.renewal_requests in (True, False)
        if app.renewal_unit_oid is not None:
            assert app.renewal_requests is True
            assert db.session.get(RegisterUnit, app.renewal_unit_oid) is not None
    else:
        assert app.renewal_requests is None and app.renewal_unit_oid is None


@pytest.mark.parametrize(
    ("organisation", "service"),
    [
        (CLINIC, "patient_archive"),
        (CARE_HOME, "social_archive"),
        (CLINIC, "eprescription"),
        (CLINIC, "image_archive"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.kind,
)
def test_connection(client, world, organisation, service):
    act_for(client, organisation)
    application_id = start(client, service)
    units = [*db.session.scalars(select(RegisterUnit.oid).limit(3)), "1.2.246.10.99999999.1"]
    fields = connection_fields(service == "social_archive", service == "eprescription", units)
    valid = {
        "action": "save",
        "points-0-oid": "1.2.246.10.29584230.10.1",
        "points-0-name": "Päivystyksen liityntäpiste",
        "systems-0-product": "Terveyskirjo",
        "systems-0-vendor": "Ohjelmisto Oy",
        "systems-0-version": "5.2",
    }
    if service == "social_archive":
        valid.update(
            {
                "systems-0-profile": "joining",
                "systems-0-stores": "both",
                "systems-0-service_tasks": service_tasks("en")[0][0],
            }
        )
    if service == "eprescription":
        valid["renewal_requests"] = "no"
    examples = [
        valid,
        {**valid, "points-0-oid": "1.2.246.10.29584230.10.2"},  # saved again
        {**valid, "points-0-name": "Päivystys\x00"},  # PostgreSQL stores no NUL in text
        {**valid, "systems-0-product": "\x00"},
    ]
    if service == "social_archive":
        examples += [
            {**valid, "systems-0-profile": " "},
            {**valid, "systems-0-stores": " "},
            {**valid, "systems-0-service_tasks": ["", "bogus"]},
        ]
    if service == "eprescription":
        examples += [
            {**valid, "renewal_requests": " "},
            {**valid, "action": "search_unit", "unit_query": "Kuusi\x00"},
        ]

    @FUZZ
    @with_examples(*examples)
    @given(data=posted(fields))
    def run(data):
        response = post(client, f"/applications/{application_id}/connection", data)
        action = first(data, "action", "save")
        event(f"{action[:20]!r}: {response.status_code}")
        if response.status_code == 303:
            assert action == "save"
            assert not surely_invalid_connection(data, service), data
            check_stored_connection(application(application_id), data)
        elif action == "save":
            page = expect_error_page(response)
            expect_kept(page, [text(data, f"points-{i}-oid") for i in range(3)])

    run()


# --- customer details -----------------------------------------------------------------------------

CUSTOMER = ("street_address", "postal_code", "post_office", "phone", "decision_email")


def customer_is_valid(values: dict[str, str | None]) -> bool:
    return (
        not blank(values["street_address"])
        and at_most(values["street_address"], 200)
        and not blank(values["postal_code"])
        and is_valid_postal_code(values["postal_code"])
        and not blank(values["post_office"])
        and at_most(values["post_office"], 100)
        and not blank(values["phone"])
        and normalise_phone(values["phone"]) is not None
        and not blank(values["decision_email"])
        and is_valid_email(values["decision_email"])
    )


def test_customer(clinic, world):
    application_id = start(clinic, "image_archive")
    fill_connection(clinic, application_id, "image_archive")
    fields = {
        "street_address": st.sampled_from(["Mannerheimintie 1", "Storgatan 3 B 12"]) | names,
        "postal_code": postal_codes,
        "post_office": st.sampled_from(["Helsinki", "Mariehamn"]) | names,
        "phone": phones,
        "decision_email": emails,
    }

    valid = {
        "street_address": "Mannerheimintie 1",
        "postal_code": "00100",
        "post_office": "Helsinki",
        "phone": "09 123 4567",
        "decision_email": "paatokset@example.fi",
    }

    @FUZZ
    @with_examples({**valid, "street_address": "Mannerheimintie\x00 1"}, {**valid, "post_office": "\x00"})
    @given(data=posted(fields))
    def run(data):
        before = application(application_id)
        stored_before = {name: getattr(before, name) for name in CUSTOMER}
        values = {name: text(data, name, stored_before[name]) for name in CUSTOMER}
        kept = [text(data, name) for name in ("street_address", "post_office", "decision_email")]
        path = f"/applications/{application_id}/customer"
        if not answer(clinic, path, data, valid=customer_is_valid(values), kept=kept):
            after = application(application_id)
            assert {name: getattr(after, name) for name in CUSTOMER} == stored_before  # nothing saved
            return
        stored = application(application_id)
        assert stored.street_address == values["street_address"]
        assert stored.post_office == values["post_office"]
        assert is_valid_postal_code(stored.postal_code)
        assert stored.phone == normalise_phone(values["phone"]) and stored.phone.startswith("+")
        assert normalise_phone(stored.phone) == stored.phone  # E.164 already
        assert is_valid_email(stored.decision_email)

    run()


# --- contact persons ------------------------------------------------------------------------------

PATIENT_ARCHIVE_ROLES = (
    "technical",
    "disruption",
    "data_protection",
    "administrative",
    "billing",
    "archivist",
)


def new_contact_is_valid(role: str, data: dict[str, Any]) -> bool:
    kind = first(data, "kind")
    name, email, phone = text(data, "name"), text(data, "email"), text(data, "phone")
    if kind not in KINDS or (role == "archivist" and kind != "person"):
        return False
    if blank(name) or len(name) > 200 or blank(email) or not is_valid_email(email):
        return False
    if role == "disruption":
        if blank(phone) or normalise_mobile(phone) is None:
            return False
    elif not blank(phone) and normalise_phone(phone) is None:
        return False
    if role == "archivist":
        certificate = text(data, "certificate_number")
        if blank(certificate) or not is_valid_certificate_number(certificate):
            return False
    return True


def fits_role(role: str, contact: Contact) -> bool:
    if role == "disruption":  # notices go by e-mail and text message
        return bool(contact.email and contact.phone and normalise_mobile(contact.phone))
    if role == "archivist":
        return bool(contact.certificate_number) and contact.kind == "person"
    return True


def check_stored_contact(role: str, contact: Contact) -> None:
    assert contact.kind in KINDS
    assert contact.name.strip() and contact.name == contact.name.strip() and len(contact.name) <= 200
    assert contact.email is None or is_valid_email(contact.email)
    assert contact.phone is None or normalise_phone(contact.phone) == contact.phone
    if role == "disruption":
        assert contact.email and contact.phone and normalise_mobile(contact.phone) == contact.phone
    if role == "archivist":
        number = contact.certificate_number
        assert contact.kind == "person" and number and len(number) == 11
        assert is_valid_certificate_number(number) and normalise_certificate_number(number) == number


@pytest.mark.parametrize(
    ("service", "role"),
    [("patient_archive", role) for role in PATIENT_ARCHIVE_ROLES] + [("image_archive", "image_technical")],
)
def test_contact_for_a_role(clinic, world, service, role):
    application_id = start(clinic, service)
    fill_connection(clinic, application_id, service)
    fill_customer(clinic, application_id)
    # Contacts to choose from: one fit for every role, an organisation point without a phone, and a
    # person with a landline (no text messages).
    complete = {"kind": "person", "phone": "040 123 4567", "certificate_number": "12345678901"}
    for contact_role, details in (
        ("archivist" if service == "patient_archive" else "disruption", complete),
        ("technical", {"kind": "point"}),
        ("data_protection", {"kind": "person", "phone": "09 123 4567"}),
    ):
        response = clinic.post(
            f"/applications/{application_id}/contacts/{contact_role}",
            data={"contact": "new", "name": f"Valmis {contact_role}", "email": "a@example.fi", **details},
        )
        assert response.status_code == 303
    contact_ids = [str(i) for i in db.session.scalars(select(Contact.id))]
    fields = {
        "contact": st.sampled_from(["new", "new", *contact_ids, "999999"]),
        "kind": st.sampled_from(["person", "point"]),
        "name": names,
        "email": emails,
        "phone": phones,
        "certificate_number": certificate_numbers,
    }

    @FUZZ
    @with_examples(
        {**complete, "contact": "new", "name": "Maija\x00", "email": "m@example.fi"},
        {**complete, "contact": "new", "kind": "person\x00", "name": "Maija", "email": "m@example.fi"},
    )
    @given(data=posted(fields))
    def run(data):
        contacts = {str(c.id): c for c in db.session.scalars(select(Contact))}
        chosen = first(data, "contact")
        if chosen == "new":
            valid = new_contact_is_valid(role, data)
        else:
            valid = chosen in contacts and fits_role(role, contacts[chosen])
        kept = [text(data, "name"), text(data, "email")] if chosen == "new" else []
        if not answer(
            clinic, f"/applications/{application_id}/contacts/{role}", data, valid=valid, kept=kept
        ):
            return
        db.session.expire_all()
        assignment = db.session.scalar(
            select(ApplicationContact).where(
                ApplicationContact.application_id == application_id, ApplicationContact.role == role
            )
        )
        check_stored_contact(role, assignment.contact)
        if chosen == "new":
            assert assignment.contact.name == text(data, "name")
            assert assignment.contact.email == text(data, "email")
        else:
            assert str(assignment.contact_id) == chosen

    run()


def contacts_step_ready(client) -> int:
    """A patient archive application at its contacts step."""
    application_id = start(client, "patient_archive")
    fill_connection(client, application_id, "patient_archive")
    fill_customer(client, application_id)
    return application_id


def test_contact_role_in_the_url(clinic, world):
    """A role the service does not ask for, or no role at all, is a 404."""
    application_id = contacts_step_ready(clinic)

    @FUZZ
    @given(role=st.text(string.ascii_letters + string.digits + "_-.%~", min_size=1, max_size=30), data=extras)
    def run(role, data):
        response = post(clinic, f"/applications/{application_id}/contacts/{role}", data)
        if role not in PATIENT_ARCHIVE_ROLES:
            assert response.status_code == 404

    run()


def test_contacts_step(clinic, world):
    """The step goes on when every role has its contact; otherwise the error summary lists what is
    missing, linking to the role."""
    application_id = contacts_step_ready(clinic)
    fill_contacts(clinic, application_id)
    saved = {a.role: a.contact_id for a in db.session.scalars(select(ApplicationContact))}

    @FUZZ
    @given(data=extras, drop=st.sampled_from([None, *PATIENT_ARCHIVE_ROLES]))
    def run(data, drop):
        if drop:
            db.session.execute(delete(ApplicationContact).where(ApplicationContact.role == drop))
            db.session.commit()
        try:
            response = post(clinic, f"/applications/{application_id}/contacts", data)
            if drop:
                page = expect_error_page(response)
                assert f'href="#role-{drop}"' in page
            else:
                assert response.status_code == 303
        finally:
            if drop:
                db.session.add(
                    ApplicationContact(application_id=application_id, role=drop, contact_id=saved[drop])
                )
                db.session.commit()

    run()


# --- billing details ------------------------------------------------------------------------------

OPERATOR_CODES = [operator.code for operator in OPERATORS]


def billing_is_valid(values: dict[str, Any]) -> bool:
    business_id = values["business_id"]
    if blank(business_id) or not is_valid_business_id(business_id):
        return False
    if values["method"] not in ("einvoice", "address"):
        return False
    einvoice, operator = values["einvoice_address"], values["operator_code"]
    if not blank(einvoice) and not passes(EInvoiceAddress("business_id"), einvoice, business_id):
        return False
    if not blank(operator) and not passes(OperatorCode(), operator):
        return False
    if not blank(values["postal_code"]) and not is_valid_postal_code(values["postal_code"]):
        return False
    if not (at_most(values["street_address"], 200) and at_most(values["post_office"], 100)):
        return False
    if not at_most(values["reference"], 70):
        return False
    required = (
        ("einvoice_address", "operator_code")
        if values["method"] == "einvoice"
        else ("street_address", "postal_code", "post_office")
    )
    return not any(blank(values[name]) for name in required)


def check_stored_billing(billing: BillingDetails) -> None:
    assert is_valid_business_id(billing.business_id)
    assert billing.method in ("einvoice", "address")
    assert billing.reference is None or len(billing.reference) <= 70
    if billing.method == "einvoice":
        address = billing.einvoice_address
        assert address and (
            (is_valid_iban(address) and address == address.upper() and " " not in address)
            or is_valid_ovt(address, billing.business_id)
        ), address
        code = billing.operator_code
        assert code and not blank(code) and code == "".join(code.split()).upper(), repr(code)
        assert passes(OperatorCode(), code)
        assert (billing.street_address, billing.postal_code, billing.post_office) == (None, None, None)
    else:
        assert billing.street_address and billing.post_office and is_valid_postal_code(billing.postal_code)
        assert (billing.einvoice_address, billing.operator_code) == (None, None)


def test_billing(clinic, world):
    application_id = start(clinic, "patient_archive")
    fill_connection(clinic, application_id, "patient_archive")
    fill_customer(clinic, application_id)
    fill_contacts(clinic, application_id)
    own = CLINIC.business_id
    fields = {
        "business_id": st.one_of(st.just(own), business_ids),
        "method": st.sampled_from(["einvoice", "address"]),
        "einvoice_address": st.one_of(st.just("0037" + own.replace("-", "")), ovts, ibans),
        "operator_code": st.one_of(st.sampled_from(OPERATOR_CODES), bics, st.just("   ")),
        "street_address": st.sampled_from(["Mannerheimintie 1", "PL 450"]),
        "postal_code": postal_codes,
        "post_office": st.sampled_from(["Helsinki", "Kela"]),
        "reference": st.text(max_size=80),
    }
    strings = ("business_id", "einvoice_address", "street_address", "postal_code", "post_office", "reference")

    @FUZZ
    @with_examples(
        {
            "business_id": own,
            "method": "einvoice",
            "einvoice_address": "0037" + own.replace("-", ""),
            "operator_code": "   ",
        },
        {
            "business_id": own,
            "method": "address",
            "street_address": "PL 450\x00",
            "postal_code": "00101",
            "post_office": "Helsinki",
            "reference": "\x00",
        },
    )
    @given(data=posted(fields))
    def run(data):
        db.session.expire_all()
        stored = db.session.scalar(
            select(BillingDetails).where(BillingDetails.application_id == application_id)
        )
        values = {name: text(data, name, getattr(stored, name, None)) for name in strings}
        for name in ("method", "operator_code"):  # choices: taken as posted
            values[name] = first(data, name, getattr(stored, name, None))
        kept = [text(data, name) for name in ("business_id", "street_address", "reference")]
        path = f"/applications/{application_id}/billing"
        if answer(clinic, path, data, valid=billing_is_valid(values), kept=kept):
            db.session.expire_all()
            check_stored_billing(
                db.session.scalar(
                    select(BillingDetails).where(BillingDetails.application_id == application_id)
                )
            )

    run()


# --- service description and commitment ----------------------------------------------------------


@pytest.mark.parametrize(("step", "box"), [("description", "accept"), ("commitment", "sign")])
def test_document_step(clinic, world, step, box):
    application_id = start(clinic, "patient_archive")
    fill_connection(clinic, application_id, "patient_archive")
    fill_customer(clinic, application_id)
    fill_contacts(clinic, application_id)
    fill_billing(clinic, application_id)
    if step == "commitment":
        accept(clinic, application_id, "description", "accept")
    version_ids = [str(i) for i in db.session.scalars(select(DocumentVersion.id))]
    fields = {box: st.sampled_from(["y", "on", "1"]), "version_id": st.sampled_from(version_ids)}

    @FUZZ
    @with_examples(*({box: "y", "version_id": garbage} for garbage in ("x9", "²", "", "9" * 20)))
    @given(data=posted(fields))
    def run(data):
        # A box counts as ticked with any value but "false" or nothing (WTForms' BooleanField).
        ticked = box in data and first(data, box) not in ("false", "", None)
        if not answer(clinic, f"/applications/{application_id}/{step}", data, valid=ticked, kept=[]):
            return
        db.session.expire_all()
        app = application(application_id)
        if step == "description":
            acceptance = db.session.scalar(
                select(ServiceDescriptionAcceptance).where(
                    ServiceDescriptionAcceptance.application_id == application_id
                )
            )
            version = db.session.get(DocumentVersion, acceptance.document_version_id)
            assert (version.kind, version.service) == ("service_description", app.service)
            assert acceptance.text_sha256 == version.sha256
        else:
            signature = db.session.get(CommitmentSignature, app.commitment_signature_id)
            assert signature.organisation_business_id == CLINIC.business_id
            assert signature.document_version.kind == "commitment"
            assert signature.text_sha256 == signature.document_version.sha256

    run()


# --- send -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "role-missing"])
def test_send(clinic, world, complete):
    application_id = walk_to_summary(clinic, "image_archive")
    if not complete:
        db.session.execute(delete(ApplicationContact).where(ApplicationContact.role == "disruption"))
        db.session.commit()

    @FUZZ
    @given(data=extras)
    def run(data):
        response = post(clinic, f"/applications/{application_id}/send", data)
        if complete:
            assert response.status_code == 303
            assert response.headers["Location"].endswith(f"/applications/{application_id}")
        else:
            page = expect_error_page(response)
            assert f"/applications/{application_id}/contacts#role-disruption" in page

    run()
    submitted = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.kind == "application_submitted", AuditEvent.object_id == str(application_id)
        )
    )
    assert application(application_id).status == ("submitted" if complete else "draft")
    assert submitted == (1 if complete else 0)
