"""E-identification through OpenID Connect (authorization code flow with PKCE).

Authlib keeps ``state``, ``nonce`` and the PKCE verifier in the server-side session, single-use:
the callback pops them, so a replayed callback finds nothing and is refused. The ID token's
signature is checked against the provider's JWKS, and its issuer, audience and nonce here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from requests.exceptions import RequestException

PROVIDER = "eid"


class SignInFailed(Exception):
    """The identity provider's answer could not be accepted; ``reason`` is for the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    given_name: str
    family_name: str
    hetu: str | None
    staff: bool


def register_oidc(app: Flask) -> None:
    oauth = OAuth(app)
    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth.register(
        PROVIDER,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["OIDC_SCOPE"],
            "code_challenge_method": "S256",
            "timeout": 10,
        },
    )
    app.extensions["portal_oidc"] = oauth


def _client() -> Any:
    return current_app.extensions["portal_oidc"].create_client(PROVIDER)


def authorize_redirect(redirect_uri: str, lang: str):
    return _client().authorize_redirect(redirect_uri, ui_locales=lang)


def complete_sign_in() -> Identity:
    """Finish the authorization code flow from the callback request and return who signed in."""
    config = current_app.config
    issuer = config["OIDC_ISSUER"].rstrip("/")
    claims_options = {
        "iss": {"essential": True, "values": [issuer]},
        # Authlib on its own accepts any audience when "azp" names us; the audience must be us.
        "aud": {"essential": True, "values": [config["OIDC_CLIENT_ID"]]},
        "sub": {"essential": True},
        "nonce": {"essential": True},
    }
    try:
        token = _client().authorize_access_token(claims_options=claims_options)
    except OAuthError as exc:
        raise SignInFailed(f"oauth: {exc.error}") from exc
    except JoseError as exc:  # signature, issuer, audience, nonce, expiry
        raise SignInFailed(f"id_token: {exc}") from exc
    except RequestException as exc:
        raise SignInFailed(f"provider unreachable: {type(exc).__name__}") from exc
    except ValueError as exc:  # malformed answers from the provider
        raise SignInFailed(f"malformed answer: {type(exc).__name__}") from exc
    userinfo = token.get("userinfo")
    if not userinfo:
        raise SignInFailed("no id_token")
    hetu = userinfo.get(config["OIDC_HETU_CLAIM"]) or None
    staff_claim = userinfo.get(config["OIDC_STAFF_CLAIM"]) or []
    if isinstance(staff_claim, str):
        staff_claim = staff_claim.split()
    return Identity(
        issuer=userinfo["iss"],
        subject=str(userinfo["sub"]),
        given_name=str(userinfo.get("given_name") or ""),
        family_name=str(userinfo.get("family_name") or ""),
        hetu=str(hetu).upper() if hetu else None,
        staff=config["OIDC_STAFF_VALUE"] in staff_claim,
    )
