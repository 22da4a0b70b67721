"""Staff pages are for Kela staff only: a customer acting for an organisation gets 403 on every one of
them (and the refusal is audited), an anonymous user is sent to sign in (a POST: 401)."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.access import Access, rule_for
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.integrations.demo_data import CLINIC
from tests.applications.conftest import act_for
from tests.reviews.staff_helpers import make_application


def argument(rule, name: str, application_id: int):
    """A value for the rule's argument: the application's id, or any value its converter takes (a staff
    route must refuse a customer before it looks anything up)."""
    if name == "application_id":
        return application_id
    converter = rule._converters[name]
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, IntegerConverter):
        return 1
    return "2958423-0"


def staff_routes(app) -> list[tuple[str, str, str]]:
    """(method, URL, endpoint) of every staff route, with real ids where it takes one."""
    application = make_application(1)
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        assert rule_for(app, rule.endpoint) == Access.STAFF, rule.endpoint
        values = {name: argument(rule, name, application.id) for name in rule.arguments}
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url, rule.endpoint))
    return routes


def test_every_staff_route_is_declared_staff_only(app):
    routes = staff_routes(app)
    endpoints = {endpoint for _method, _url, endpoint in routes}
    assert {
        "staff.home",
        "reviews.queue",
        "reviews.application",
        "reviews.decide_application",
        "reviews.application_pdf_download",
        "reviews.decision_document",
        "reviews.audit",
        "reviews.outbox",
        "reviews.retry_message",
    } <= endpoints


def test_a_customer_acting_for_an_organisation_gets_403_on_every_staff_route(app, client, world):
    act_for(client, CLINIC)
    for method, url, _endpoint in staff_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url)
        assert b"You cannot use this page" in response.data
    refused = db.session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.kind == "access_refused")
    ).all()
    assert "reviews.decide_application" in refused and "reviews.queue" in refused


def test_an_anonymous_user_is_sent_to_sign_in(app, client):
    for method, url, _endpoint in staff_routes(app):
        response = client.open(url, method=method)
        if method == "GET":
            assert response.status_code == 302, url
            assert response.headers["Location"].endswith("/sign-in"), url
        else:
            assert response.status_code == 401, url
