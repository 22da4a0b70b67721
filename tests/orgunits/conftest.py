"""``english``: the checks' messages (lazy strings) rendered in English outside a request. Test modules
of the checks use it with ``pytestmark = pytest.mark.usefixtures("english")``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_babel import force_locale


@pytest.fixture
def english(app: Flask) -> Iterator[None]:
    with force_locale("en"):
        yield
