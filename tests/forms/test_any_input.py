"""Whatever is posted, a validator answers with a form error, never with an exception (a 500 page); and
every value built by the identifier's own rules passes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.forms.validators import (
    BusinessId,
    CertificateNumber,
    EInvoiceAddress,
    Email,
    MaxLength,
    MobilePhone,
    Oid,
    OperatorCode,
    Phone,
    PostalCode,
    Required,
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

VALIDATORS = [
    Required("Enter a value"),
    Oid(),
    BusinessId(),
    EInvoiceAddress(),
    EInvoiceAddress("business_id"),
    OperatorCode(),
    MobilePhone(),
    Phone(),
    CertificateNumber(),
    PostalCode(),
    Email(),
    MaxLength(200),
]
near_valid = near(
    st.one_of(
        oids,
        business_ids,
        ovts,
        ibans,
        mobiles.map(lambda typed_and_e164: typed_and_e164[0]),
        certificate_numbers,
        postal_codes,
        emails,
    )
)


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda validator: type(validator).__name__)
@given(value=st.one_of(any_text, near_valid), business_id=st.one_of(any_text, business_ids))
def test_any_text_gets_an_answer_and_an_error_only_with_invalid(validator, value, business_id):
    outcome = probe(validator, value, business_id=business_id)  # ValidationError is caught by WTForms
    assert outcome.valid == (not outcome.errors)
    assert all(error.strip() for error in outcome.errors)


VALID_VALUES = [
    pytest.param(Oid(), oids, id="oid"),
    pytest.param(BusinessId(), business_ids, id="business-id"),
    pytest.param(EInvoiceAddress(), ovts, id="ovt"),
    pytest.param(EInvoiceAddress(), ibans, id="iban"),
    pytest.param(OperatorCode(), bics, id="bic"),
    pytest.param(CertificateNumber(), certificate_numbers, id="certificate-number"),
    pytest.param(PostalCode(), postal_codes, id="postal-code"),
    pytest.param(Email(), emails, id="email"),
]


@pytest.mark.parametrize(("validator", "values"), VALID_VALUES)
@given(data=st.data())
def test_generated_valid_values_pass_as_they_are(validator, values, data):
    value = data.draw(values)
    outcome = probe(validator, value)
    assert outcome.valid, value
    assert outcome.data == value
