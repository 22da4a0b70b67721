"""Browser journeys: the portal and every stand-in run on 127.0.0.1 over HTTP, on a database of their
own, and Debian's Chromium is driven through Playwright. Every portal page a journey visits is checked
with axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page

from portal.config import load_config
from portal.devstack import Stack, prepare_database, start_standins
from portal.integrations.serve import ThreadedServer, serve_in_thread
from portal.ratelimits import Limit
from tests.conftest import fresh_database, make_app

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@dataclass
class Portal:
    url: str
    app: Flask
    stack: Stack
    server: ThreadedServer
    checked: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[Portal]:
    stack = start_standins({name: 0 for name in ("eid", "mandates", "codeserver", "smtp")}, register_size=400)
    try:
        with fresh_database(tmp_path_factory.mktemp("browser-db")) as database_url:
            # Every journey starts its sign-in from 127.0.0.1: the address's limit is raised so that a
            # longer suite cannot reach it (the limits are tested in tests/test_rate_limits.py).
            limits = {**load_config()["RATE_LIMITS"], "sign_in": Limit(1000, 300)}
            app = make_app(database_url, **stack.config, WTF_CSRF_ENABLED=True, RATE_LIMITS=limits)
            prepare_database(app, quiet=True)
            server = serve_in_thread(app)
            try:
                yield Portal(url=server.url, app=app, stack=stack, server=server)
            finally:
                server.stop()
                with app.app_context():
                    from portal.extensions import db

                    db.engine.dispose()
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def check_a11y(axe: Axe, portal: Portal):
    """Call after every navigation: fails on any WCAG 2.1 A/AA violation on the page."""

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        portal.checked.append(page.url)

    return check


@pytest.fixture
def browser_context_args(browser_context_args) -> dict[str, Any]:
    return {**browser_context_args, "locale": "fi-FI"}
