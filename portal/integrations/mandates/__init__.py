"""Suomi.fi-valtuudet (mandates): the client, and its local stand-in in ``standin.py``."""

from portal.integrations.mandates.client import (
    MandatesClient,
    MandatesError,
    MandatesFailure,
    MandatesSession,
    MandatesUnavailable,
    OrganizationRoles,
    allowed_roles_for,
    authorization_header,
)

__all__ = [
    "MandatesClient",
    "MandatesError",
    "MandatesFailure",
    "MandatesSession",
    "MandatesUnavailable",
    "OrganizationRoles",
    "allowed_roles_for",
    "authorization_header",
]
