"""Every route declares who may use it."""

from __future__ import annotations

from portal.access import Access, rule_for


def test_every_route_declares_an_access_rule(app):
    undeclared = sorted(
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule_for(app, rule.endpoint) is None
    )
    assert undeclared == [], f"routes without @access(...): {undeclared}"


def test_declared_rules_are_known(app):
    known = {a.value for a in Access}
    for rule in app.url_map.iter_rules():
        assert rule_for(app, rule.endpoint) in known, rule.endpoint


def test_a_route_without_a_rule_is_refused(app):
    @app.get("/__undeclared")
    def undeclared():
        return "should never be served"

    response = app.test_client().get("/__undeclared")
    assert response.status_code == 403
    assert b"should never be served" not in response.data


def test_routes_that_are_not_public_send_anonymous_users_to_sign_in(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule_for(app, rule.endpoint) == Access.PUBLIC or "GET" not in rule.methods or rule.arguments:
            continue
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].endswith("/sign-in"), rule.rule
