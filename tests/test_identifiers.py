from __future__ import annotations

import logging

from hypothesis import given
from hypothesis import strategies as st

from portal.identifiers import is_valid_hetu, is_valid_oid, is_valid_ytunnus, mask_hetu, scrub_hetu
from portal.security import install_log_scrubbing

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(day: int, month: int, year: int, individual: int) -> str:
    century = {18: "+", 19: "-", 20: "A"}[year // 100]
    birth = f"{day:02d}{month:02d}{year % 100:02d}"
    return f"{birth}{century}{individual:03d}{CHECK_CHARS[int(birth + f'{individual:03d}') % 31]}"


hetus = st.builds(
    make_hetu,
    st.integers(1, 28),
    st.integers(1, 12),
    st.integers(1900, 2025),
    st.integers(900, 999),
)


@given(hetus)
def test_test_identities_are_valid_and_masked_to_birth_date(hetu):
    assert is_valid_hetu(hetu)
    masked = mask_hetu(hetu)
    assert masked == hetu[:7] + "****"
    assert hetu[7:] not in masked


@given(hetus, st.text(max_size=30), st.text(max_size=30))
def test_scrub_removes_henkilotunnus_from_any_text(hetu, before, after):
    text = f"{before} {hetu} {after}"
    assert hetu not in scrub_hetu(text)


def test_wrong_check_character_is_invalid():
    assert is_valid_hetu("150378-934B")
    assert not is_valid_hetu("150378-934C")


def test_log_records_never_carry_henkilotunnus(caplog):
    install_log_scrubbing()
    logger = logging.getLogger("portal.test")
    with caplog.at_level(logging.INFO):
        logger.info("calling /register/kanta-portal/%s?requestId=1", "150378-934B")
    assert "150378-934B" not in caplog.text
    assert "150378-****" in caplog.text


def test_business_id_check_digit():
    assert is_valid_ytunnus("2958423-0")
    assert not is_valid_ytunnus("2958423-1")
    assert not is_valid_ytunnus("2958423")


def test_oid_arcs_without_leading_zeros():
    assert is_valid_oid("1.2.246.10.2958423.10.1")
    assert not is_valid_oid("1.2.246.010")
    assert not is_valid_oid("1..2")
    assert not is_valid_oid("1")
