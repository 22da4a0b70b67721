"""Client for Suomi.fi-valtuudet (mandates): which organisations a signed-in person may act for.

The wire format is the one the public client libraries speak (integrations.md, section 2): register a
session for the person, send the browser to ``/oauth/authorize`` to choose an organisation, exchange
the code for a token, read the chosen organisation's roles, unregister.

The henkilötunnus travels in the register path (that is the real format), so no URL of a register
call, and no text that may hold one, is ever logged or put in an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode

import requests

from portal.identifiers import scrub_hetu
from portal.security import install_log_scrubbing

log = logging.getLogger(__name__)

AUTHORIZATION_HEADER = "X-AsiointivaltuudetAuthorization"
LANGUAGES = ("fi", "sv", "en")
_EXCERPT_CHARS = 200


class MandatesFailure(Exception):
    """A call to the mandates service failed; ``str(exc)`` is fit for a log line (no henkilötunnus)."""

    def __init__(self, operation: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.operation = operation
        self.status = status


class MandatesUnavailable(MandatesFailure):
    """The service could not answer: unreachable, timed out, a 5xx, or an answer that cannot be read.
    Worth trying again later."""


class MandatesError(MandatesFailure):
    """The service refused the call (a 4xx): wrong credentials, an unknown session, a used code."""


@dataclass(frozen=True)
class MandatesSession:
    session_id: str
    user_id: str


@dataclass(frozen=True)
class OrganizationRoles:
    name: str
    identifier: str  # business id (Y-tunnus)
    roles: tuple[str, ...]
    complete: bool  # False: the service could not read every source, so roles may be missing


def allowed_roles_for(org: OrganizationRoles, allowed: Iterable[str]) -> tuple[str, ...]:
    """The person's roles for ``org`` that allow applying (``MANDATES_ALLOWED_ROLES``), in the order the
    service gave them. Empty: the person may not apply for this organisation."""
    allowed_set = {role.strip() for role in allowed}
    return tuple(role for role in org.roles if role in allowed_set)


def format_timestamp(timestamp: datetime) -> str:
    """UTC ISO-8601 with milliseconds, as the header carries it: ``2026-11-22T09:35:40.123Z``."""
    if timestamp.tzinfo is None:
        raise ValueError("the timestamp must be timezone-aware")
    return timestamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def authorization_header(client_id: str, key: str, path_and_query: str, timestamp: datetime) -> str:
    """The ``X-AsiointivaltuudetAuthorization`` value for one API call:
    ``<clientId> <timestamp> <base64(HMAC-SHA256(key, path_and_query + " " + timestamp))>``."""
    stamp = format_timestamp(timestamp)
    digest = hmac.new(key.encode(), f"{path_and_query} {stamp}".encode(), hashlib.sha256).digest()
    return f"{client_id} {stamp} {base64.b64encode(digest).decode('ascii')}"


class MandatesClient:
    """One client per configuration; safe to share between requests of one thread."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        allowed_roles: Iterable[str] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._api_key = api_key
        self.timeout = timeout
        self.allowed_roles = tuple(allowed_roles)
        # The header's timestamp comes from here; the service refuses one more than 5 minutes off.
        self._clock = clock or (lambda: datetime.now(UTC))
        self._http = requests.Session()
        # urllib3 logs request lines at DEBUG, and the register path carries the henkilötunnus.
        install_log_scrubbing()

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None = None) -> MandatesClient:
        """Build from the portal's configuration (``current_app.config`` when none is given)."""
        if config is None:
            from flask import current_app

            config = current_app.config
        return cls(
            config["MANDATES_URL"],
            config["MANDATES_CLIENT_ID"],
            config["MANDATES_CLIENT_SECRET"],
            config["MANDATES_API_KEY"],
            timeout=float(config.get("MANDATES_TIMEOUT", 10.0)),
            allowed_roles=config.get("MANDATES_ALLOWED_ROLES", ()),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MandatesClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The flow, in the order it happens.

    def register_session(self, hetu: str, request_id: str | None = None) -> MandatesSession:
        """Start a mandates session for the signed-in person."""
        path = f"/service/ypa/user/register/{_segment(self.client_id)}/{_segment(hetu)}"
        answer = self._call(
            "register",
            "GET",
            path,
            query={"requestId": request_id or uuid.uuid4().hex},
            redact=(hetu, _segment(hetu)),
        )
        if not isinstance(answer, dict):
            raise self._failed(
                MandatesUnavailable("register", "mandates register: the answer is not an object")
            )
        session_id, user_id = answer.get("sessionId"), answer.get("userId")
        if not (isinstance(session_id, str) and session_id and isinstance(user_id, str) and user_id):
            raise self._failed(
                MandatesUnavailable("register", "mandates register: the answer lacks sessionId or userId")
            )
        return MandatesSession(session_id, user_id)

    def authorize_url(self, user_id: str, redirect_uri: str, state: str, lang: str) -> str:
        """Where to send the browser to choose the organisation; it comes back to ``redirect_uri`` with
        ``code`` and ``state``, or with ``error=access_denied`` when the person cancels."""
        query = urlencode(
            {
                "client_id": self.client_id,
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "user": user_id,
                "state": state,
                "lang": lang if lang in LANGUAGES else LANGUAGES[0],
            },
            quote_via=quote,
        )
        return f"{self.base_url}/oauth/authorize?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> str:
        """The access token for the code the browser brought back."""
        answer = self._call(
            "token",
            "POST",
            "/oauth/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
            basic_auth=(self.client_id, self._client_secret),
            signed=False,
            redact=(code,),
        )
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise self._failed(MandatesUnavailable("token", "mandates token: the answer has no access_token"))
        return token

    def organization_roles(self, session_id: str, access_token: str) -> list[OrganizationRoles]:
        """The organisation the person chose, with the person's roles for it."""
        answer = self._call(
            "organizationRoles",
            "GET",
            f"/service/ypa/api/organizationRoles/{_segment(session_id)}",
            bearer=access_token,
        )
        try:
            if not isinstance(answer, list):
                raise TypeError("the answer is not a list")
            return [_organization(item) for item in answer]
        except (TypeError, KeyError) as exc:
            failure = MandatesUnavailable(
                "organizationRoles",
                f"mandates organizationRoles: malformed answer ({type(exc).__name__}: {exc})",
            )
        raise self._failed(failure)

    def unregister(self, session_id: str) -> None:
        """End the mandates session (at sign-out, or once the organisation is known)."""
        self._call(
            "unregister",
            "GET",
            f"/service/ypa/user/unregister/{_segment(session_id)}",
            expect_json=False,
        )

    # Transport.

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        bearer: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        signed: bool = True,
        expect_json: bool = True,
        redact: tuple[str, ...] = (),
    ) -> Any:
        url = self.base_url + path + (f"?{urlencode(query, quote_via=quote)}" if query else "")
        headers = {"Accept": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        prepared = self._http.prepare_request(
            requests.Request(method, url, headers=headers, data=data, auth=basic_auth)
        )
        if signed:
            # Signed over the path and query exactly as they go on the wire, after requests' own quoting.
            prepared.headers[AUTHORIZATION_HEADER] = authorization_header(
                self.client_id, self._api_key, prepared.path_url, self._clock()
            )
        # Neither the URL nor the text of a transport exception is used: both may hold the henkilötunnus.
        # Failures are raised outside the except blocks so that no exception chain carries it either.
        failure: MandatesFailure | None = None
        try:
            response = self._http.send(prepared, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout:
            failure = MandatesUnavailable(
                operation, f"mandates {operation}: no answer from {self.base_url} within {self.timeout:g} s"
            )
        except requests.RequestException as exc:
            failure = MandatesUnavailable(
                operation, f"mandates {operation}: cannot reach {self.base_url} ({type(exc).__name__})"
            )
        if failure is not None:
            raise self._failed(failure)

        status = response.status_code
        if not 200 <= status < 300:
            excerpt = _redact(response.text[:_EXCERPT_CHARS], redact)
            kind = MandatesError if 400 <= status < 500 else MandatesUnavailable
            verb = "refused" if kind is MandatesError else "failed"
            raise self._failed(
                kind(operation, f"mandates {operation} {verb}: HTTP {status} {excerpt}".rstrip(), status)
            )
        if not expect_json:
            return None
        try:
            return response.json()
        except ValueError:
            failure = MandatesUnavailable(
                operation, f"mandates {operation}: the answer is not JSON (HTTP {status})", status
            )
        raise self._failed(failure)

    @staticmethod
    def _failed(failure: MandatesFailure) -> MandatesFailure:
        log.warning("%s", failure)
        return failure


def _segment(value: str) -> str:
    return quote(value, safe="")


def _redact(text: str, values: tuple[str, ...]) -> str:
    """Text from the service made fit for a log line: the given values out, and any henkilötunnus
    masked, percent-encoded or not."""
    for value in values:
        if value:
            text = text.replace(value, "[redacted]")
    return scrub_hetu(unquote(" ".join(text.split())))


def _organization(item: Any) -> OrganizationRoles:
    if not isinstance(item, dict):
        raise TypeError("an organisation is not an object")
    name, identifier, roles = item["name"], item["identifier"], item.get("roles") or []
    if not isinstance(name, str) or not isinstance(identifier, str):
        raise TypeError("name and identifier must be strings")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise TypeError("roles must be a list of strings")
    # A missing "complete" is read as incomplete: the safe side.
    return OrganizationRoles(name, identifier, tuple(roles), item.get("complete") is True)
