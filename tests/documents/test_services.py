"""The version in force, and the signature of the commitment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.documents.models import CommitmentSignature
from portal.documents.services import (
    DocumentNotFound,
    current_version,
    latest_commitment_signature,
    render_body,
    sign_commitment,
    version_by_id,
)
from portal.extensions import db
from portal.identifiers import HETU_PATTERN, mask_hetu
from tests.conftest import BACKEND
from tests.documents.conftest import make_person, make_version

JAN, JUN, NEXT_YEAR = date(2026, 1, 1), date(2026, 6, 1), date(2027, 1, 1)
CLEAR_HETU = "010180-9026"  # a test identity (individual number 900–999)


def sign(version, person_id: int, hetu_masked: str = "010180-****") -> CommitmentSignature:
    return sign_commitment(
        business_id="2958423-0",
        version=version,
        person_id=person_id,
        signer_name="Maija Meikäläinen",
        hetu_masked=hetu_masked,
    )


def assert_refused_by_the_database(version, person_id: int, **columns) -> None:
    """A signature row written past the service, with ``columns`` changed, is refused by the database."""
    row = {
        "organisation_business_id": "2958423-0",
        "document_version_id": version.id,
        "person_id": person_id,
        "signer_name": "Maija Meikäläinen",
        "signer_hetu_masked": "010180-****",
        "text_sha256": version.sha256,
        **columns,
    }
    db.session.add(CommitmentSignature(**row))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.fixture
def versions(app):
    """Three versions of the patient archive description in Finnish, one in Swedish."""
    return {
        "fi1": make_version(kind="service_description", service="patient_archive", version=1, valid_from=JAN),
        "fi2": make_version(kind="service_description", service="patient_archive", version=2, valid_from=JUN),
        "fi3": make_version(
            kind="service_description", service="patient_archive", version=3, valid_from=NEXT_YEAR
        ),
        "sv1": make_version(
            kind="service_description", service="patient_archive", version=1, language="sv", valid_from=JAN
        ),
    }


@pytest.mark.parametrize(
    ("today", "lang", "expected"),
    [
        (JAN, "fi", "fi1"),
        (JUN - timedelta(days=1), "fi", "fi1"),
        (JUN, "fi", "fi2"),
        (NEXT_YEAR - timedelta(days=1), "fi", "fi2"),
        (NEXT_YEAR, "fi", "fi3"),
        (NEXT_YEAR, "sv", "sv1"),
    ],
)
def test_current_version_is_the_latest_in_force_in_the_language(versions, today, lang, expected):
    assert current_version("service_description", "patient_archive", lang, today=today) == versions[expected]


def test_of_two_versions_in_force_from_the_same_day_the_higher_wins(app):
    make_version(version=1, valid_from=JAN)
    second = make_version(version=2, valid_from=JAN)

    assert current_version("commitment", None, "fi", today=JUN) == second


def test_no_version_in_force_is_an_error(versions):
    with pytest.raises(DocumentNotFound):
        current_version("service_description", "patient_archive", "fi", today=JAN - timedelta(days=1))
    with pytest.raises(DocumentNotFound):
        current_version("service_description", "eprescription", "fi", today=JUN)


def test_the_commitment_has_no_service_and_a_description_has_one(app):
    with pytest.raises(ValueError):
        current_version("commitment", "patient_archive", "fi")
    with pytest.raises(ValueError):
        current_version("service_description", None, "fi")


def test_version_by_id(versions):
    assert version_by_id(versions["sv1"].id) == versions["sv1"]
    assert version_by_id(versions["sv1"].id + 1000) is None


def test_the_database_refuses_a_second_commitment_with_the_same_version_and_language(app):
    make_version(version=1)
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_version(version=1)
    db.session.rollback()


def test_signing_stores_the_masked_hetu_and_the_texts_hash(app):
    version = make_version(version=1)
    person = make_person()

    signature = sign(version, person.id, mask_hetu(CLEAR_HETU))
    db.session.commit()

    assert signature.id is not None
    assert signature.signer_hetu_masked == "010180-****"
    assert signature.text_sha256 == version.sha256
    assert latest_commitment_signature("2958423-0") == signature
    # No column of any signature row holds anything shaped like a henkilötunnus.
    rows = db.session.execute(sa.select(CommitmentSignature.__table__)).all()
    assert rows and not any(HETU_PATTERN.search(str(value)) for row in rows for value in row)


def test_a_clear_hetu_is_refused_by_the_service_and_by_the_database(app):
    version = make_version(version=1)
    person = make_person()

    with pytest.raises(ValueError, match="masked"):
        sign(version, person.id, CLEAR_HETU)
    assert_refused_by_the_database(version, person.id, signer_hetu_masked=CLEAR_HETU)
    assert db.session.scalars(sa.select(CommitmentSignature)).all() == []


def test_only_the_commitment_is_signed(app):
    description = make_version(kind="service_description", service="image_archive")
    person = make_person()

    with pytest.raises(ValueError, match="only the commitment"):
        sign(description, person.id)


def test_a_version_whose_text_no_longer_matches_its_hash_is_not_signed(app):
    version = make_version(version=1)
    version.body = version.body + "Added later.\n"

    with pytest.raises(ValueError, match="SHA-256"):
        sign(version, make_person().id)


def test_the_latest_signature_is_returned_and_the_history_kept(app):
    first, second = make_version(version=1), make_version(version=2)
    person = make_person()
    signed = [sign(version, person.id) for version in (first, second)]
    db.session.commit()

    assert latest_commitment_signature("2958423-0") == signed[1]
    assert latest_commitment_signature("0000000-0") is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommitmentSignature)) == 2


@pytest.mark.skipif(BACKEND == "sqlite", reason="foreign keys are not enforced on SQLite here")
def test_the_database_refuses_a_signature_whose_hash_is_not_the_versions(app):
    version = make_version(version=1)

    assert_refused_by_the_database(version, make_person().id, text_sha256="0" * 64)


def test_render_body_gives_safe_html_with_headings_under_the_title(app):
    version = make_version(body="## Terms\n\nUse <b>only</b> certified systems.\n")

    html = render_body(version)

    assert html == "<h3>Terms</h3><p>Use &lt;b&gt;only&lt;/b&gt; certified systems.</p>"
