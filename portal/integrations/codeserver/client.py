"""The code-server client: pages through a classification's concept codes over the REST API.

Everything that can go wrong on the way (no connection, a timeout, a 5xx, an answer that is not the JSON we
expect) becomes one exception type, ``CodeServerError``, whose message a person can act on.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests

from portal.integrations.codeserver.wire import (
    ACTIVE,
    ID,
    MAX_PAGE_SIZE,
    PAGE_ITEMS,
    PAGE_NUMBER,
    TOTAL_ITEMS,
    TOTAL_PAGES,
)


class CodeServerError(Exception):
    """The code server could not give us what we asked for; the message says what happened."""


class CodeServerUnavailable(CodeServerError):
    """The code server is down, too slow, failing (5xx) or answering nonsense: try again later."""


@dataclass(frozen=True)
class Page:
    number: int
    total_items: int
    total_pages: int
    items: list[dict[str, Any]]


class CodeServerClient:
    """A keep-alive session against one code server; use as a context manager or call ``close()``."""

    def __init__(self, base_url: str, timeout: float = 30.0, page_size: int = MAX_PAGE_SIZE) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.page_size = page_size
        self.session = requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": "kanta-portal/registry-sync"}
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CodeServerClient:
        return cls(config["CODESERVER_URL"], timeout=float(config.get("CODESERVER_TIMEOUT", 30)))

    def __enter__(self) -> CodeServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def iter_pages(self, oid: str, modified_after: date | None = None) -> Iterator[Page]:
        """Every page of a classification's concept codes, in OID order.

        Without ``modified_after``: the active concept codes (a full download). With it: every code modified
        on that day or later, whatever its status, so that deleted codes reach the mirror too.
        """
        params: dict[str, Any] = {"sortBy": "CONCEPTCODEID", "pageSize": self.page_size}
        if modified_after is None:
            params["status"] = ACTIVE
        else:
            params["modifiedAfter"] = modified_after.isoformat()
        number, first_total = 1, None
        while True:
            page = self._get_page(oid, {**params, "page": number})
            if first_total is None:
                first_total = page.total_items
            elif page.total_items != first_total:
                raise CodeServerUnavailable(
                    f"The code server's classification {oid} changed while it was being read "
                    f"({first_total} codes, then {page.total_items}). Try again."
                )
            yield page
            if number >= page.total_pages or not page.items:
                return
            number += 1

    def iter_concepts(self, oid: str, modified_after: date | None = None) -> Iterator[dict[str, Any]]:
        for page in self.iter_pages(oid, modified_after):
            yield from page.items

    def send_concepts(self, oid: str, concepts: list[dict[str, Any]]) -> int:
        """Add or update concept codes of a classification (the daily export of units changed in the portal);
        returns how many the code server took."""
        url = f"{self.base_url}/csapi/v3/classifications/{oid}/conceptcodes"
        response = self._request("POST", url, json={PAGE_ITEMS: concepts})
        if response.status_code != 200:
            raise CodeServerError(
                f"The code server refused the changes to classification {oid} "
                f"(HTTP {response.status_code}): {response.text[:300]}"
            )
        try:
            accepted = response.json().get("accepted")
        except (ValueError, AttributeError):
            accepted = None
        if not isinstance(accepted, int):
            raise CodeServerUnavailable(
                f"The code server at {self.base_url} answered the changes with something unexpected."
            )
        return accepted

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """The response, unless the code server cannot be reached, is too slow or fails (5xx)."""
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise CodeServerUnavailable(
                f"The code server at {self.base_url} did not answer within {self.timeout:g} seconds."
            ) from None
        except requests.RequestException as exc:
            raise CodeServerUnavailable(
                f"The code server at {self.base_url} cannot be reached ({type(exc).__name__})."
            ) from None
        if response.status_code >= 500:
            raise CodeServerUnavailable(
                f"The code server at {self.base_url} is not working right now (HTTP {response.status_code})."
            )
        return response

    def _get_page(self, oid: str, params: dict[str, Any]) -> Page:
        url = f"{self.base_url}/csapi/v3/classifications/{oid}/conceptcodes"
        response = self._request("GET", url, params=params)
        if response.status_code != 200:
            raise CodeServerError(
                f"The code server refused the request for classification {oid} "
                f"(HTTP {response.status_code}). "
                "Check the CODESERVER_* settings."
            )
        return _parse_page(response.content, self.base_url, oid)


def _loads(body: bytes) -> Any:
    """Parse with the cyclic garbage collector paused: a page makes tens of thousands of small objects, and
    collections triggered while building them cost several times the parsing itself when the heap is large."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(body)
    finally:
        if enabled:
            gc.enable()


def _parse_page(body: bytes, base_url: str, oid: str) -> Page:
    malformed = CodeServerUnavailable(
        f"The code server at {base_url} sent an answer for classification {oid} "
        "that is not the expected JSON."
    )
    try:
        data = _loads(body)
    except ValueError:
        raise malformed from None
    if not isinstance(data, dict):
        raise malformed
    items, number = data.get(PAGE_ITEMS), data.get(PAGE_NUMBER)
    total_items, total_pages = data.get(TOTAL_ITEMS), data.get(TOTAL_PAGES)
    if not isinstance(items, list) or not all(isinstance(v, int) for v in (number, total_items, total_pages)):
        raise malformed
    if not all(isinstance(item, dict) and isinstance(item.get(ID), str) and item[ID] for item in items):
        raise malformed
    return Page(number, total_items, total_pages, items)
