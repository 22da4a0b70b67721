"""Local stand-in for Suomi.fi e-identification: an OpenID Connect provider with the demo persons.

oidc-provider-mock signs real ID tokens (RS256, JWKS published) and puts custom claims into them,
so the portal's OIDC client runs exactly as against the real provider.
"""

from __future__ import annotations

from collections.abc import Iterable

import oidc_provider_mock

from portal.integrations.demo_data import DEMO_PERSONS, DemoPerson


def user_claims(
    persons: Iterable[DemoPerson], hetu_claim: str, staff_claim: str, staff_value: str
) -> list[oidc_provider_mock.User]:
    users = []
    for person in persons:
        claims: dict[str, object] = {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "name": f"{person.given_name} {person.family_name}",
        }
        if person.hetu:
            claims[hetu_claim] = person.hetu
        if person.staff:
            claims[staff_claim] = [staff_value]
        users.append(oidc_provider_mock.User(sub=person.sub, claims=claims))
    return users


def create_standin_app(
    persons: Iterable[DemoPerson] = DEMO_PERSONS,
    *,
    hetu_claim: str = "urn:oid:1.2.246.21",
    staff_claim: str = "kela_roles",
    staff_value: str = "reviewer",
):
    return oidc_provider_mock.app(
        require_nonce=True,
        issue_refresh_token=False,
        user_claims=user_claims(persons, hetu_claim, staff_claim, staff_value),
    )
