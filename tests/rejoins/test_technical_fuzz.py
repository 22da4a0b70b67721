"""Random technical-data files: each row is taken or told as a problem exactly as the file format's rules
(written out here, not taken from the code) say, and random posts of the prepare form never give a 5xx."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.integrations.demo_data import CLINIC, WELFARE_AREA
from portal.rejoins.models import RejoinCampaign, RejoinOldUnit
from portal.rejoins.technical import read_technical
from tests.applications.conftest import codeserver, world  # noqa: F401
from tests.applications.test_forms_fuzz import FUZZ
from tests.forms.strategies import any_text, business_ids, oids
from tests.reviews.staff_helpers import sign_in_staff


@pytest.fixture
def app_config(codeserver) -> dict:  # noqa: F811
    """The register from the stand-in; no upload limit (the fuzzing posts the form hundreds of times)."""
    return {"CODESERVER_URL": codeserver.url, "RATE_LIMITS": {"sign_in": None, "upload": None, "pdf": None}}


HEADER = ["palvelu", "liityntäpisteen oid", "liityntäpisteen nimi", "järjestelmä", "toimittaja", "versio"]
SERVICE_WRITINGS = {
    "patient_archive": "patient_archive",
    "Potilastiedon arkisto": "patient_archive",
    "Klientdataarkivet för socialvården": "social_archive",
    "ePrescription": "eprescription",
    "KUVA-AINEISTOJEN ARKISTO": "image_archive",
}
OID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+")

words = st.text(st.characters(categories=["L", "Nd"]), min_size=1, max_size=12)
cells = st.one_of(st.just(""), words, any_text.map(lambda t: t.replace("\x00", "")[:300]))
rows = st.fixed_dictionaries(
    {
        "service": st.one_of(st.sampled_from(sorted(SERVICE_WRITINGS)), st.just(""), words),
        "point_oid": st.one_of(st.just(""), oids, st.sampled_from(["1.02.3", "1.", "x.y"])),
        "point_name": st.one_of(st.just(""), words),
        "product": st.one_of(st.just(""), words),
        "vendor": st.one_of(st.just(""), words),
        "version": st.one_of(st.just(""), words, cells),
    }
)


def expected(row: dict[str, str]) -> tuple[str | None, bool]:
    """(the service key, whether the row is taken), by the rules of the format."""
    values = {k: v.strip() for k, v in row.items()}
    writings = {name.casefold(): key for name, key in SERVICE_WRITINGS.items()}
    service = writings.get(values["service"].casefold())
    system = [values["product"], values["vendor"], values["version"]]
    point = values["point_oid"] or values["point_name"]
    ok = (
        service is not None
        and all(len(v) <= 200 for v in values.values())
        and bool(point or any(system))
        and (not point or (bool(OID.fullmatch(values["point_oid"])) and bool(values["point_name"])))
        and (all(system) or not any(system))
    )
    return service, ok


def csv_file(data: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for row in data:
        writer.writerow(
            [row[k] for k in ("service", "point_oid", "point_name", "product", "vendor", "version")]
        )
    return out.getvalue().encode()


@FUZZ
@given(data=st.lists(rows, min_size=1, max_size=8))
def test_every_row_is_taken_or_told_by_the_rules(app, data):
    # Rows whose cells hold line breaks or separators are still one row each in the CSV.
    data = [{k: v.replace("\r", " ").replace("\n", " ") for k, v in row.items()} for row in data]
    data = [row for row in data if any(v.strip() for v in row.values())]  # a blank row is skipped
    with app.test_request_context(), force_locale("en"):
        found = read_technical(csv_file(data))
    problem_rows = {p.row for p in found.problems}
    want_services: dict[str, dict[str, list]] = {}
    for number, row in enumerate(data, start=2):
        service, ok = expected(row)
        assert (number not in problem_rows) == ok, (number, row, [str(p.message) for p in found.problems])
        if ok:
            values = {k: v.strip() for k, v in row.items()}
            into = want_services.setdefault(service, {"points": [], "systems": []})
            if values["point_oid"] and values["point_oid"] not in [p["oid"] for p in into["points"]]:
                into["points"].append({"oid": values["point_oid"], "name": values["point_name"]})
            system = {k: values[k] for k in ("product", "vendor", "version")}
            if values["product"] and system not in into["systems"]:
                into["systems"].append(system)
    assert found.services == want_services


@FUZZ
@given(
    area=st.one_of(st.just(WELFARE_AREA.business_id), business_ids, any_text),
    old_units=st.one_of(
        st.just(CLINIC.business_id), st.lists(business_ids, max_size=3).map("\n".join), any_text
    ),
    content=st.one_of(
        st.lists(rows, max_size=3).map(csv_file), st.binary(max_size=200), any_text.map(str.encode)
    ),
)
def test_random_posts_of_the_prepare_form_never_give_a_5xx(client, world, area, old_units, content):  # noqa: F811
    sign_in_staff(client)
    before = db.session.scalar(select(func.count()).select_from(RejoinCampaign))
    response = client.post(
        "/staff/rejoins/new",
        data={"area": area, "old_units": old_units, "file": (io.BytesIO(content), "data.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 400), response.get_data(as_text=True)[:500]
    after = db.session.scalar(select(func.count()).select_from(RejoinCampaign))
    if response.status_code == 303:
        assert after == before + 1
        assert (
            db.session.scalar(select(RejoinCampaign).order_by(RejoinCampaign.id.desc())).area_business_id
            == area.strip()
        )
        db.session.execute(RejoinOldUnit.__table__.delete())
        db.session.execute(RejoinCampaign.__table__.delete())
        db.session.commit()
    else:
        assert after == before
        assert "govuk-error-summary" in response.get_data(as_text=True)
