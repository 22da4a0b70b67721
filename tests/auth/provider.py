"""A small OpenID Connect provider for the sign-in tests, served over real HTTP.

Unlike the demo stand-in it can be told to misbehave (wrong nonce, issuer or audience, a signature
from a key it does not publish), and it checks the PKCE verifier at the token endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Behaviour:
    claims: dict[str, Any] = field(default_factory=dict)
    iss: str | None = None  # None: the provider's own issuer
    aud: str | None = None  # None: the client id from the token request
    nonce: str | None = None  # None: the nonce from the authorization request
    sign_with_unpublished_key: bool = False
    sub: str = "tester"


@dataclass
class Provider:
    url: str = ""
    behaviour: Behaviour = field(default_factory=Behaviour)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "published"}))
    rogue_key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "published"})
    )


def create_provider_app(provider: Provider) -> Flask:
    app = Flask(__name__)

    @app.get("/.well-known/openid-configuration")
    def metadata():
        return jsonify(
            issuer=provider.url,
            authorization_endpoint=f"{provider.url}/authorize",
            token_endpoint=f"{provider.url}/token",
            jwks_uri=f"{provider.url}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize():
        args = request.args.to_dict()
        provider.authorize_requests.append(args)
        code = secrets.token_urlsafe(16)
        provider.codes[code] = args
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args['state']})}")

    @app.post("/token")
    def token():
        form = request.form
        auth = request.authorization
        client_id = form.get("client_id") or (auth.username if auth else None)
        pending = provider.codes.pop(form.get("code", ""), None)
        if pending is None:
            return jsonify(error="invalid_grant"), 400
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if pending.get("code_challenge_method") != "S256" or challenge != pending.get("code_challenge"):
            return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
        b = provider.behaviour
        now = int(time.time())
        claims = {
            "iss": b.iss or provider.url,
            "sub": b.sub,
            "aud": b.aud or client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": b.nonce or pending.get("nonce"),
            **b.claims,
        }
        key = provider.rogue_key if b.sign_with_unpublished_key else provider.key
        id_token = jwt.encode({"alg": "RS256", "kid": "published"}, claims, key)
        return jsonify(
            access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300, id_token=id_token
        )

    return app
