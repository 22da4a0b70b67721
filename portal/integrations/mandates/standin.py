"""A local stand-in for Suomi.fi-valtuudet, speaking the wire format of ``client.py`` (demo and tests).

It checks what the real service checks: the ``X-AsiointivaltuudetAuthorization`` checksum and its
timestamp on API calls, the client id and secret on the token endpoint, single-use codes bound to
their redirect URI, and bearer tokens bound to their session. Its chooser page lets the registered
person pick one organisation they hold a mandate for; ``organizationRoles`` then answers with that one
organisation, as the real service does in its "select one organisation" flow.

Start it with ``serve_in_thread(create_standin_app(client_id, client_secret, api_key))``, or from the
portal's configuration with ``standin_from_config(config)``; ``python -m
portal.integrations.mandates.standin`` serves it on the port of ``MANDATES_URL``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, jsonify, redirect, render_template, request

from portal.identifiers import is_valid_hetu
from portal.integrations.demo_data import DEMO_ORGANISATIONS, DEMO_PERSONS, DemoOrganisation, DemoPerson
from portal.integrations.mandates.client import AUTHORIZATION_HEADER
from portal.security import install_log_scrubbing

TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "standins"
MAX_SKEW = timedelta(minutes=5)
CODE_LIFETIME = timedelta(minutes=10)
STATE_KEY = "mandates_standin"

# The stand-in's own few strings; they are not the portal's and stay out of its catalogues.
TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "service": "Suomi.fi-valtuudet (paikallinen testipalvelu)",
        "title": "Valitse organisaatio, jonka puolesta asioit",
        "intro": "Asiointipalvelu pyytää sinua valitsemaan yhden organisaation.",
        "legend": "Organisaatiot, joiden puolesta voit asioida",
        "business_id": "Y-tunnus",
        "roles": "Roolit",
        "continue": "Jatka",
        "cancel": "Peruuta",
        "problem": "Tarkista valinta",
        "error_prefix": "Virhe:",
        "choose": "Valitse organisaatio",
        "none_title": "Sinulla ei ole valtuuksia asioida organisaation puolesta",
        "none_text": "Et voi asioida minkään organisaation puolesta tässä palvelussa.",
        "back": "Palaa asiointipalveluun",
        "bad_request": "Pyyntö ei kelpaa",
    },
    "sv": {
        "service": "Suomi.fi-fullmakter (lokal testtjänst)",
        "title": "Välj den organisation som du företräder",
        "intro": "E-tjänsten ber dig välja en organisation.",
        "legend": "Organisationer som du kan företräda",
        "business_id": "FO-nummer",
        "roles": "Roller",
        "continue": "Fortsätt",
        "cancel": "Avbryt",
        "problem": "Kontrollera ditt val",
        "error_prefix": "Fel:",
        "choose": "Välj en organisation",
        "none_title": "Du har inte fullmakt att företräda någon organisation",
        "none_text": "Du kan inte företräda någon organisation i den här tjänsten.",
        "back": "Återvänd till e-tjänsten",
        "bad_request": "Begäran är ogiltig",
    },
    "en": {
        "service": "Suomi.fi e-Authorizations (local test service)",
        "title": "Choose the organisation you act for",
        "intro": "The e-service asks you to choose one organisation.",
        "legend": "Organisations you can act for",
        "business_id": "Business ID",
        "roles": "Roles",
        "continue": "Continue",
        "cancel": "Cancel",
        "problem": "Check your choice",
        "error_prefix": "Error:",
        "choose": "Choose an organisation",
        "none_title": "You have no mandate to act for an organisation",
        "none_text": "You cannot act for any organisation in this service.",
        "back": "Return to the e-service",
        "bad_request": "The request is not valid",
    },
}


def check_authorization_header(
    header: str | None,
    *,
    client_id: str,
    key: str,
    path_and_query: str,
    now: datetime,
    max_skew: timedelta = MAX_SKEW,
) -> str | None:
    """Why the header does not authorise this call, or None when it does."""
    parts = (header or "").split(" ")
    if len(parts) != 3:
        return "the header is not '<clientId> <timestamp> <checksum>'"
    sent_id, stamp, checksum = parts
    if not hmac.compare_digest(sent_id.encode(), client_id.encode()):
        return "unknown client id"
    try:
        sent_at = datetime.fromisoformat(stamp)
    except ValueError:
        return "the timestamp is not ISO-8601"
    if sent_at.tzinfo is None:
        return "the timestamp has no time zone"
    if abs(now - sent_at) > max_skew:
        return "the timestamp is more than 5 minutes off"
    digest = hmac.new(key.encode(), f"{path_and_query} {stamp}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(digest), checksum.encode()):
        return "the checksum does not match"
    return None


@dataclass
class _Session:
    user_id: str
    mandates: dict[str, tuple[str, ...]]  # business id -> roles
    chosen: str | None = None


@dataclass
class _Code:
    session_id: str
    redirect_uri: str
    business_id: str
    expires: datetime


@dataclass
class _Fault:
    status: int | None
    body: str
    content_type: str
    delay: float


@dataclass
class StandinState:
    """What the stand-in holds in memory; tests reach it with ``standin_state(app)``."""

    client_id: str
    client_secret: str
    api_key: str
    persons: dict[str, DemoPerson]  # by henkilötunnus
    organisations: dict[str, DemoOrganisation]  # by business id
    sessions: dict[str, _Session] = field(default_factory=dict)
    codes: dict[str, _Code] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> session id
    fault: _Fault | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def simulate_fault(
        self, status: int | None = 503, body: str = "", content_type: str = "text/plain", delay: float = 0.0
    ) -> None:
        """Answer every request with ``status`` and ``body`` (after ``delay`` seconds), until
        ``clear_fault``. ``status=None`` only delays."""
        self.fault = _Fault(status, body, content_type, delay)

    def clear_fault(self) -> None:
        self.fault = None

    def session_for_user(self, user_id: str) -> tuple[str, _Session] | None:
        with self.lock:
            return next(((sid, s) for sid, s in self.sessions.items() if s.user_id == user_id), None)


def standin_state(app: Flask) -> StandinState:
    return app.extensions[STATE_KEY]


@dataclass(frozen=True)
class _AuthorizationRequest:
    redirect_uri: str
    user_id: str
    state: str | None
    lang: str
    session_id: str
    session: _Session

    def back(self, **params: str) -> str:
        if self.state is not None:
            params["state"] = self.state
        return _with_query(self.redirect_uri, params)

    def hidden_fields(self, client_id: str) -> dict[str, str]:
        fields = {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "user": self.user_id,
            "lang": self.lang,
        }
        if self.state is not None:
            fields["state"] = self.state
        return fields


def create_standin_app(
    client_id: str,
    client_secret: str,
    api_key: str,
    persons: Iterable[DemoPerson] = DEMO_PERSONS,
    organisations: Iterable[DemoOrganisation] = DEMO_ORGANISATIONS,
) -> Flask:
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder=None)
    install_log_scrubbing()  # werkzeug's request lines show the register path
    state = StandinState(
        client_id,
        client_secret,
        api_key,
        persons={p.hetu: p for p in persons if p.hetu},
        organisations={o.business_id: o for o in organisations},
    )
    app.extensions[STATE_KEY] = state

    @app.before_request
    def simulated_fault() -> Response | None:
        fault = state.fault
        if fault is None:
            return None
        time.sleep(fault.delay)
        return (
            None
            if fault.status is None
            else Response(fault.body, fault.status, content_type=fault.content_type)
        )

    def refused_signature() -> Response | None:
        reason = check_authorization_header(
            request.headers.get(AUTHORIZATION_HEADER),
            client_id=state.client_id,
            key=state.api_key,
            path_and_query=_path_and_query_as_sent(),
            now=datetime.now(UTC),
        )
        return None if reason is None else _json_error(401, "unauthorized", reason)

    @app.get("/service/ypa/user/register/<path_client_id>/<hetu>")
    def register(path_client_id: str, hetu: str) -> Any:
        if refused := refused_signature():
            return refused
        if path_client_id != state.client_id:
            return _json_error(400, "invalid_request", "the client id in the path is not this client's")
        if not request.args.get("requestId"):
            return _json_error(400, "invalid_request", "requestId is missing")
        if not is_valid_hetu(hetu):
            return _json_error(400, "invalid_request", "not a valid henkilötunnus")
        person = state.persons.get(hetu)
        session_id, user_id = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
        with state.lock:
            state.sessions[session_id] = _Session(user_id, dict(person.mandates) if person else {})
        return jsonify(sessionId=session_id, userId=user_id)

    def authorization_request(values: Mapping[str, str]) -> _AuthorizationRequest | str:
        """The validated request, or what is wrong with it (shown on a page, never redirected with:
        the redirect URI is not trusted until the rest checks out)."""
        if values.get("client_id") != state.client_id:
            return "unknown client_id"
        if values.get("response_type") != "code":
            return "response_type must be code"
        redirect_uri = values.get("redirect_uri", "")
        parts = urlsplit(redirect_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
            return "redirect_uri must be an absolute http(s) URL without a fragment"
        found = state.session_for_user(values.get("user", ""))
        if found is None:
            return "unknown user"
        lang = values.get("lang", "fi")
        return _AuthorizationRequest(
            redirect_uri, values["user"], values.get("state"), lang if lang in TEXTS else "fi", *found
        )

    def chooser(auth: _AuthorizationRequest, error: bool = False) -> Any:
        texts = TEXTS[auth.lang]
        if not auth.session.mandates:
            return render_template(
                "mandates_no_mandates.html", t=texts, lang=auth.lang, back=auth.back(error="access_denied")
            )
        choices = [
            {
                "business_id": business_id,
                "name": org.name if (org := state.organisations.get(business_id)) else business_id,
                "roles": ", ".join(roles),
            }
            for business_id, roles in auth.session.mandates.items()
        ]
        return render_template(
            "mandates_choose.html",
            t=texts,
            lang=auth.lang,
            hidden=auth.hidden_fields(state.client_id),
            choices=choices,
            error=error,
        )

    def bad_request(problem: str, values: Mapping[str, str]) -> tuple[str, int]:
        lang = values.get("lang", "fi")
        lang = lang if lang in TEXTS else "fi"
        return render_template("mandates_error.html", t=TEXTS[lang], lang=lang, problem=problem), 400

    @app.get("/oauth/authorize")
    def authorize() -> Any:
        auth = authorization_request(request.args)
        if isinstance(auth, str):
            return bad_request(auth, request.args)
        return chooser(auth)

    @app.post("/oauth/authorize")
    def decide() -> Any:
        auth = authorization_request(request.form)
        if isinstance(auth, str):
            return bad_request(auth, request.form)
        if request.form.get("action") == "cancel" or not auth.session.mandates:
            return redirect(auth.back(error="access_denied"))
        business_id = request.form.get("organisation", "")
        if business_id not in auth.session.mandates:
            return chooser(auth, error=True), 400
        code = secrets.token_urlsafe(24)
        with state.lock:
            state.codes[code] = _Code(
                auth.session_id, auth.redirect_uri, business_id, datetime.now(UTC) + CODE_LIFETIME
            )
        return redirect(auth.back(code=code))

    @app.post("/oauth/token")
    def token() -> Any:
        credentials = request.authorization
        if (
            credentials is None
            or credentials.type != "basic"
            or not hmac.compare_digest((credentials.username or "").encode(), state.client_id.encode())
            or not hmac.compare_digest((credentials.password or "").encode(), state.client_secret.encode())
        ):
            response = _json_error(401, "invalid_client", "client authentication failed")
            response.headers["WWW-Authenticate"] = 'Basic realm="mandates"'
            return response
        if request.values.get("grant_type") != "authorization_code":
            return _json_error(400, "unsupported_grant_type", "grant_type must be authorization_code")
        with state.lock:
            code = state.codes.pop(request.values.get("code", ""), None)  # single use, even when refused
            if (
                code is None
                or code.expires < datetime.now(UTC)
                or code.redirect_uri != request.values.get("redirect_uri")
                or code.session_id not in state.sessions
            ):
                return _json_error(
                    400, "invalid_grant", "unknown, used or expired code, or another redirect_uri"
                )
            access_token = secrets.token_urlsafe(32)
            state.sessions[code.session_id].chosen = code.business_id
            state.tokens[access_token] = code.session_id
        expires_in = int(CODE_LIFETIME.total_seconds())
        return jsonify({"access_token": access_token, "token_type": "bearer", "expires_in": expires_in})

    @app.get("/service/ypa/api/organizationRoles/<session_id>")
    def organization_roles(session_id: str) -> Any:
        if refused := refused_signature():
            return refused
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        with state.lock:
            session = state.sessions.get(session_id)
            bound = scheme.lower() == "bearer" and state.tokens.get(access_token) == session_id
        if session is None or not bound or session.chosen is None:
            return _json_error(401, "invalid_token", "no valid access token for this session")
        org = state.organisations.get(session.chosen)
        return jsonify(
            [
                {
                    "name": org.name if org else session.chosen,
                    "identifier": session.chosen,
                    "roles": list(session.mandates[session.chosen]),
                    "complete": True,
                }
            ]
        )

    @app.get("/service/ypa/user/unregister/<session_id>")
    def unregister(session_id: str) -> Any:
        if refused := refused_signature():
            return refused
        with state.lock:
            if state.sessions.pop(session_id, None) is None:
                return _json_error(404, "not_found", "unknown session")
            state.tokens = {t: s for t, s in state.tokens.items() if s != session_id}
            state.codes = {c: v for c, v in state.codes.items() if v.session_id != session_id}
        return jsonify({})

    return app


def standin_from_config(config: Mapping[str, Any]) -> Flask:
    """A stand-in that accepts the credentials the portal is configured with."""
    return create_standin_app(
        config["MANDATES_CLIENT_ID"], config["MANDATES_CLIENT_SECRET"], config["MANDATES_API_KEY"]
    )


def _path_and_query_as_sent() -> str:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        parts = urlsplit(raw)  # an absolute-form request target keeps only its path and query
        return urlunsplit(("", "", parts.path, parts.query, "")) if parts.scheme else raw
    return request.full_path if request.query_string else request.path


def _with_query(url: str, params: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _json_error(status: int, error: str, description: str) -> Response:
    response = jsonify(error=error, error_description=description)
    response.status_code = status
    return response


def main() -> None:
    from portal.config import load_config
    from portal.integrations.serve import ThreadedServer

    config = load_config()
    port = urlsplit(config["MANDATES_URL"]).port or 5102
    server = ThreadedServer(standin_from_config(config), port=port)
    print(f"Mandates stand-in on {server.url}")
    server.server.serve_forever()


if __name__ == "__main__":
    main()
