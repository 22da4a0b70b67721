"""The national code server (THL's Elisa CodeServer): client, local stand-in and generated register."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.integrations.codeserver.generator import (
    MUNICIPALITY_CODES,
    PHARMACIES,
    PRACTITIONERS,
    SERVICE_TASKS,
    SOTE,
)

# Which configuration key names each classification's OID.
CLASSIFICATION_SETTINGS = {
    SOTE: "CODESERVER_SOTE_OID",
    PRACTITIONERS: "CODESERVER_PRACTITIONERS_OID",
    PHARMACIES: "CODESERVER_PHARMACIES_OID",
    MUNICIPALITY_CODES: "CODESERVER_MUNICIPALITIES_OID",
    SERVICE_TASKS: "CODESERVER_SERVICE_TASKS_OID",
}


def classification_oids(config: Mapping[str, Any]) -> dict[str, str]:
    """Classification key ("sote", "municipalities", …) → its OID, from the portal's configuration."""
    return {key: config[setting] for key, setting in CLASSIFICATION_SETTINGS.items() if config.get(setting)}
