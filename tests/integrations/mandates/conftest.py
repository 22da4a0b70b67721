"""The mandates stand-in served over real HTTP on 127.0.0.1, and a client configured for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from portal.integrations.mandates.client import MandatesClient
from portal.integrations.mandates.standin import StandinState, create_standin_app, standin_state
from portal.integrations.serve import ThreadedServer, serve_in_thread
from tests.integrations.mandates.helpers import API_KEY, CLIENT_ID, CLIENT_SECRET, make_client


@pytest.fixture
def standin_app() -> Flask:
    return create_standin_app(CLIENT_ID, CLIENT_SECRET, API_KEY)


@pytest.fixture
def standin(standin_app: Flask) -> Iterator[ThreadedServer]:
    server = serve_in_thread(standin_app)
    yield server
    server.stop()


@pytest.fixture
def state(standin_app: Flask) -> StandinState:
    return standin_state(standin_app)


@pytest.fixture
def mandates(standin: ThreadedServer) -> Iterator[MandatesClient]:
    with make_client(standin.url) as client:
        yield client


@pytest.fixture
def web() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
