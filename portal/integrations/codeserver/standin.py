"""A local stand-in for the national code server: the same REST paths and JSON, serving a generated register.

``GET /csapi/v3/classifications/{oid}/conceptcodes`` with ``status`` (``ACTIVE``, ``PROPOSAL`` or ``DELETED``;
left out: every status), ``sortBy=CONCEPTCODEID``, ``pageSize`` (1–500, default 500), ``page`` (from 1) and
``modifiedAfter=YYYY-MM-DD`` (inclusive: units modified on that day or later).

A changes-only client leaves ``status`` out so that it also learns of deleted units; a full download asks for
``status=ACTIVE``. Ended units keep status ``ACTIVE`` and show their ``expirationDate``.

Admin endpoints for the demo and the tests (not part of the real API):
``POST /_standin/touch?count=N[&on=YYYY-MM-DD][&seed=S]`` changes N units (see ``changes.touch``), and
``POST /_standin/fault?kind=down|malformed|slow|none[&after=N]`` makes every request after the next N
classification pages answer 503, broken JSON, or too slowly to be waited for.

``POST /csapi/v3/classifications/{oid}/conceptcodes`` with ``{"conceptCodes": [...]}`` (concept codes as
served) adds or replaces units of a unit register, stamped modified today, and answers
``{"accepted": N}``: the portal's daily export of units changed in organisation-register maintenance. The
real code server takes these changes through its own maintenance interface, which is not public; this
route is ours.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from typing import Any

from flask import Flask, Response, abort, jsonify, request

from portal.config import load_config
from portal.integrations.codeserver import classification_oids
from portal.integrations.codeserver.generator import SOTE, UNIT_REGISTERS, Register, generate_register
from portal.integrations.codeserver.wire import (
    ABBREVIATION,
    ACTIVE,
    ATTRIBUTE_NAME,
    ATTRIBUTE_VALUE,
    ATTRIBUTES,
    BEGIN_DATE,
    BUSINESS_ID,
    DESCRIPTION,
    EXPIRATION_DATE,
    HEALTH_SERVICE_UNIT,
    HEALTH_UNIT,
    ID,
    LONG_NAME,
    MAX_PAGE_SIZE,
    MUNICIPALITY,
    ORG_UNIT_ABBREVIATION,
    PAGE_ITEMS,
    PAGE_NUMBER,
    PARENT_ID,
    PHONE,
    POST_ADDRESS,
    POST_NUMBER,
    POST_OFFICE,
    RENEWAL_REQUESTS,
    REPLACING_CODES,
    SECTOR,
    SHORT_NAME,
    SOCIAL_SERVICE_UNIT,
    SOCIAL_UNIT,
    STATUS,
    STATUSES,
    STREET_ADDRESS,
    TOPI_CODE,
    TOTAL_ITEMS,
    TOTAL_PAGES,
    Code,
    Unit,
)

FAULTS = ("none", "down", "malformed", "slow")


class Catalogue:
    """The register's records, sorted and serialised once, so pages are joined from ready bytes."""

    def __init__(self, register: Register, oids: dict[str, str]) -> None:
        self.register = register
        self.keys = {oid: key for key, oid in oids.items()}
        self.lock = threading.Lock()
        self._sorted: dict[str, list[Unit | Code]] = {}
        self._json: dict[tuple[str, str], bytes] = {}
        self._queries: dict[tuple[str, str | None, date | None], list[bytes]] = {}
        self.received: list[str] = []  # OIDs of units the portal has exported, in order
        for key in self.keys.values():
            self._refresh(key)

    def _refresh(self, key: str, oids: set[str] | None = None) -> None:
        records = sorted(self.register.records(key), key=lambda r: r.oid)
        self._sorted[key] = records
        for record in records:
            if oids is None or record.oid in oids:
                self._json[(key, record.oid)] = json.dumps(record.to_wire(), ensure_ascii=False).encode()
        self._queries = {q: items for q, items in self._queries.items() if q[0] != key}

    def items(self, key: str, status: str | None, modified_after: date | None) -> list[bytes]:
        query = (key, status, modified_after)
        with self.lock:
            if query not in self._queries:
                self._queries[query] = [
                    self._json[(key, r.oid)]
                    for r in self._sorted[key]
                    if (status is None or r.status == status)
                    and (modified_after is None or r.modified_date >= modified_after)
                ]
            return self._queries[query]

    def accept(self, key: str, units: list[Unit]) -> None:
        """Add or replace units (the portal's export)."""
        with self.lock:
            records = self.register.units[key]
            index = {u.oid: i for i, u in enumerate(records)}
            for unit in units:
                if unit.oid in index:
                    records[index[unit.oid]] = unit
                else:
                    index[unit.oid] = len(records)
                    records.append(unit)
                self.register.names.used.add(unit.long_name)
                self.register.abbreviations.used.add(unit.abbreviation)
            self.received.extend(u.oid for u in units)
            self._refresh(key, {u.oid for u in units})

    def touch(self, count: int, on: date, seed: int = 0) -> dict[str, list[str]]:
        with self.lock:
            touched = self.register.touch(count, on=on, seed=seed)
            self._refresh(SOTE, touched.oids)
        return touched.as_dict()


def _page_bytes(items: list[bytes], page: int, page_size: int) -> bytes:
    total = len(items)
    total_pages = -(-total // page_size)
    chunk = items[(page - 1) * page_size : page * page_size]
    tail = f'],"{PAGE_NUMBER}":{page},"{TOTAL_ITEMS}":{total},"{TOTAL_PAGES}":{total_pages}}}'
    return b"".join((f'{{"{PAGE_ITEMS}":['.encode(), b",".join(chunk), tail.encode()))


def _int_arg(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        abort(400, f"{name} must be a whole number from {low}" + (f" to {high}" if high else ""))
    return int(raw)


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, f"{name} must be a date YYYY-MM-DD")


def unit_from_wire(item: Any, today: date) -> Unit:
    """A concept code sent by the portal → a Unit stamped modified ``today``; ValueError when malformed."""
    if not isinstance(item, dict) or not isinstance(item.get(ID), str) or not item[ID]:
        raise ValueError("every concept code needs a conceptCodeId")
    attributes = item.get(ATTRIBUTES) or []
    if not isinstance(attributes, list):
        raise ValueError("attributes must be a list")
    attrs: dict[str, str] = {}
    for attribute in attributes:
        values = attribute.get(ATTRIBUTE_VALUE) if isinstance(attribute, dict) else None
        if not isinstance(values, list) or not isinstance(attribute.get(ATTRIBUTE_NAME), str):
            raise ValueError("an attribute needs attributeName and attributeValue")
        if values and values[0] is not None:
            attrs[attribute[ATTRIBUTE_NAME]] = str(values[0])

    def day(key: str) -> date | None:
        return date.fromisoformat(item[key]) if item.get(key) else None

    def flag(name: str) -> bool:
        return attrs.get(name) == "T"

    sector = attrs.get(SECTOR, "")[:1]
    return Unit(
        oid=item[ID],
        long_name=attrs.get(LONG_NAME, item[ID]),
        abbreviation=attrs.get(ABBREVIATION, ""),
        org_unit_abbreviation=attrs.get(ORG_UNIT_ABBREVIATION, ""),
        parent_oid=attrs.get(PARENT_ID),
        business_id=attrs.get(BUSINESS_ID, ""),
        municipality=attrs.get(MUNICIPALITY, ""),
        sector=int(sector) if sector in ("1", "2", "3") else 2,
        health_unit=flag(HEALTH_UNIT),
        social_unit=flag(SOCIAL_UNIT),
        health_service_unit=flag(HEALTH_SERVICE_UNIT),
        social_service_unit=flag(SOCIAL_SERVICE_UNIT),
        begin_date=day(BEGIN_DATE) or today,
        modified_date=today,
        expiration_date=day(EXPIRATION_DATE),
        status=item.get(STATUS) if item.get(STATUS) in STATUSES else ACTIVE,
        street_address=attrs.get(STREET_ADDRESS),
        post_address=attrs.get(POST_ADDRESS),
        post_number=attrs.get(POST_NUMBER),
        post_office=attrs.get(POST_OFFICE),
        phone=attrs.get(PHONE),
        renewal_requests=flag(RENEWAL_REQUESTS),
        topi_code=attrs.get(TOPI_CODE),
        replacing_codes=tuple(attrs[REPLACING_CODES].split(",")) if attrs.get(REPLACING_CODES) else (),
        short_name=attrs.get(SHORT_NAME),
        description=attrs.get(DESCRIPTION),
    )


def create_standin_app(
    size: int = 300,
    seed: int = 1,
    *,
    register: Register | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    """The stand-in as a WSGI app; classification OIDs from the portal's configuration."""
    app = Flask(__name__)
    catalogue = Catalogue(
        register or generate_register(size, seed), classification_oids(config or load_config())
    )
    fault = {"kind": "none", "after": 0}
    app.extensions["codeserver_standin"] = catalogue

    @app.get("/csapi/v3/classifications/<oid>/conceptcodes")
    def concept_codes(oid: str) -> Response:
        if fault["kind"] != "none":
            if fault["after"] > 0:
                fault["after"] -= 1
            elif fault["kind"] == "down":
                abort(503, "The code server is down for maintenance")
            elif fault["kind"] == "malformed":
                return Response(b'{"conceptCodes": [{"conceptCodeId": "1.2', mimetype="application/json")
            else:
                time.sleep(5)
        key = catalogue.keys.get(oid)
        if key is None:
            abort(404, f"No classification {oid}")
        status = request.args.get("status")
        if status is not None and status not in STATUSES:
            abort(400, "status must be one of " + ", ".join(STATUSES))
        if request.args.get("sortBy", "CONCEPTCODEID") != "CONCEPTCODEID":
            abort(400, "sortBy must be CONCEPTCODEID")
        page_size = _int_arg("pageSize", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        page = _int_arg("page", 1, 1)
        items = catalogue.items(key, status, _date_arg("modifiedAfter"))
        return Response(_page_bytes(items, page, page_size), mimetype="application/json")

    @app.post("/csapi/v3/classifications/<oid>/conceptcodes")
    def accept_concept_codes(oid: str) -> Response:
        key = catalogue.keys.get(oid)
        if key is None or key not in UNIT_REGISTERS:
            abort(404, f"No unit register {oid}")
        body = request.get_json(silent=True)
        items = body.get(PAGE_ITEMS) if isinstance(body, dict) else None
        if not isinstance(items, list):
            abort(400, f"Send JSON {{{PAGE_ITEMS!r}: [...]}}")
        try:
            units = [unit_from_wire(item, date.today()) for item in items]
        except (ValueError, TypeError) as exc:
            abort(400, str(exc))
        catalogue.accept(key, units)
        return jsonify(accepted=len(units))

    @app.post("/_standin/touch")
    def touch() -> Response:
        count = _int_arg("count", 100, 1)
        on = _date_arg("on") or date.today()
        try:
            touched = catalogue.touch(count, on, _int_arg("seed", 0, 0))
        except ValueError as exc:
            abort(400, str(exc))
        return jsonify(touched)

    @app.post("/_standin/fault")
    def set_fault() -> Response:
        kind = request.args.get("kind", "none")
        if kind not in FAULTS:
            abort(400, "kind must be one of " + ", ".join(FAULTS))
        fault.update(kind=kind, after=_int_arg("after", 0, 0))
        return jsonify(fault)

    return app
