"""The stand-in code server on 127.0.0.1 (real HTTP, no mocks), with a small generated register."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.integrations.codeserver.generator import Register, generate_register
from portal.integrations.codeserver.standin import Catalogue, create_standin_app
from portal.integrations.serve import ThreadedServer, serve_in_thread

SIZE = 300
SEED = 20261122
SOTE_OID = "1.2.246.537.6.202"


@pytest.fixture
def register() -> Register:
    return generate_register(SIZE, SEED)


@pytest.fixture
def standin(register: Register) -> Iterator[ThreadedServer]:
    server = serve_in_thread(create_standin_app(register=register))
    yield server
    server.stop()


@pytest.fixture
def catalogue(standin: ThreadedServer) -> Catalogue:
    return standin.server.app.extensions["codeserver_standin"]
