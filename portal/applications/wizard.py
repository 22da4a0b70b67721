"""The application wizard's steps: which apply to an application, what each still lacks, and which the
user may open. A step is *done* when it has been saved and nothing it requires is missing; a step may be
opened only when every step before it is done, so steps cannot be skipped by typing URLs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.applications.catalogue import ROLE_TITLES, SERVICES_BY_KEY, needs_billing_step, required_roles
from portal.applications.models import Application, ServiceDescriptionAcceptance
from portal.billing.models import BillingDetails
from portal.contacts.models import ApplicationContact
from portal.documents.services import latest_commitment_signature
from portal.extensions import db
from portal.registry.models import RegisterUnit


@dataclass(frozen=True)
class Step:
    key: str
    title: Any  # lazy string
    endpoint: str


ALL_STEPS = (
    Step("instructions", _l("Instructions"), "applications.instructions_of"),
    Step("connection", _l("Connection points and systems"), "applications.connection"),
    Step("customer", _l("Customer details"), "applications.customer"),
    Step("contacts", _l("Contact persons"), "contacts.step"),
    Step("billing", _l("Billing details"), "billing.step"),
    Step("description", _l("Service description"), "applications.description"),
    Step("commitment", _l("Commitment"), "applications.commitment"),
    Step("summary", _l("Check and send"), "applications.summary"),
)
STEPS_BY_KEY = {s.key: s for s in ALL_STEPS}


@dataclass(frozen=True)
class Problem:
    step: str
    message: Any  # lazy string
    anchor: str  # the field on the step's page to link to
    application_id: int

    @property
    def href(self) -> str:
        return (
            url_for(STEPS_BY_KEY[self.step].endpoint, application_id=self.application_id) + f"#{self.anchor}"
        )


def is_pharmacy(application: Application) -> bool:
    return application.organisation_register == "pharmacies"


def service_of(application: Application):
    return SERVICES_BY_KEY[application.service]


def commitment_needed(application: Application) -> bool:
    """The commitment is signed once per organisation: on its first application."""
    if application.commitment_signature_id is not None:
        return True
    return latest_commitment_signature(application.organisation_business_id) is None


def steps_for(application: Application) -> list[Step]:
    service = service_of(application)
    skip = set()
    if not needs_billing_step(service, pharmacy=is_pharmacy(application)):
        skip.add("billing")
    if not commitment_needed(application):
        skip.add("commitment")
    return [s for s in ALL_STEPS if s.key not in skip]


def problems(application: Application, steps: list[Step] | None = None) -> list[Problem]:
    """Everything required that is missing, step by step (for the step list and for "Send").
    ``steps``: the application's ``steps_for``, when the caller has them already."""
    found: list[Problem] = []
    keys = {s.key for s in (steps if steps is not None else steps_for(application))}
    service = service_of(application)

    def add(step: str, message: Any, anchor: str) -> None:
        found.append(Problem(step, message, anchor, application.id))

    if not application.connection_points:
        add("connection", _l("Add at least one connection point"), "points-0-oid")
    if not application.systems:
        add("connection", _l("Add at least one information system"), "systems-0-product")
    if application.service == "social_archive":
        for i, system in enumerate(application.systems):
            if not (system.profile and system.stores and system.service_tasks):
                add(
                    "connection",
                    _l(
                        "Give the profile, the stored data and the service tasks of %(system)s",
                        system=system.product,
                    ),
                    f"systems-{i}-profile",
                )
    if application.renewal_requests and application.renewal_unit_oid:
        unit = db.session.get(RegisterUnit, application.renewal_unit_oid)
        if unit is None:
            add("connection", _l("Choose a receiving unit that is in the register"), "unit")

    for field, message in (
        ("street_address", _l("Enter the street address")),
        ("postal_code", _l("Enter the postcode")),
        ("post_office", _l("Enter the post office")),
        ("phone", _l("Enter the phone number")),
        ("decision_email", _l("Enter the e-mail address for the decision")),
    ):
        if not getattr(application, field):
            add("customer", message, field.replace("_", "-"))

    assigned = {
        a.role: a.contact
        for a in db.session.scalars(
            select(ApplicationContact).where(ApplicationContact.application_id == application.id)
        )
    }
    for role in required_roles(service, pharmacy=is_pharmacy(application)):
        contact = assigned.get(role)
        if contact is None:
            add(
                "contacts",
                _l("Choose a contact for the role: %(role)s", role=ROLE_TITLES[role]),
                f"role-{role}",
            )
        elif role == "disruption" and not contact.can_hold(role):
            add(
                "contacts",
                _l("The recipient of disruption notices needs an e-mail address and a mobile phone number"),
                f"role-{role}",
            )
        elif role == "archivist" and not contact.can_hold(role):
            add("contacts", _l("The archivist needs a certificate number"), f"role-{role}")

    if (
        "billing" in keys
        and db.session.scalar(
            select(BillingDetails.id).where(BillingDetails.application_id == application.id)
        )
        is None
    ):
        add("billing", _l("Give the billing details"), "method")

    if (
        db.session.scalar(
            select(ServiceDescriptionAcceptance.id).where(
                ServiceDescriptionAcceptance.application_id == application.id
            )
        )
        is None
    ):
        add("description", _l("Accept the service description"), "accept")

    if "commitment" in keys and application.commitment_signature_id is None:
        add("commitment", _l("Sign the commitment"), "sign")
    return found


@dataclass(frozen=True)
class StepState:
    key: str
    title: str
    url: str
    status: str  # done | todo | error | locked | current


class Wizard:
    """The steps of one application and what they lack, worked out once per request."""

    def __init__(self, application: Application) -> None:
        self.application = application
        self.steps = steps_for(application)

    # Worked out when first needed (opening a step always needs them); finding the next step after a
    # save needs only the steps, not the queries behind the problems.
    @cached_property
    def problems(self) -> list[Problem]:
        return problems(self.application, self.steps)

    @cached_property
    def missing(self) -> set[str]:
        return {p.step for p in self.problems}

    def done(self, key: str) -> bool:
        return key in self.application.completed_steps and key not in self.missing

    def may_open(self, key: str) -> bool:
        """Every step before it is done. The summary opens once every step has been saved, even if
        something has gone missing since: it then lists what is missing."""
        for step in self.steps:
            if step.key == key:
                return True
            saved = step.key in self.application.completed_steps
            if not (saved if key == "summary" else self.done(step.key)):
                return False
        return False

    def first_open_step(self) -> Step:
        """Where "Continue your application" leads: the first step not done."""
        return next((s for s in self.steps if s.key == "summary" or not self.done(s.key)), self.steps[-1])

    def next_step(self, key: str) -> Step:
        keys = [s.key for s in self.steps]
        return self.steps[min(keys.index(key) + 1, len(self.steps) - 1)]

    def states(self, current: str, *, show_errors: bool = False) -> list[StepState]:
        states = []
        reachable = True
        for step in self.steps:
            done = self.done(step.key)
            if step.key == current:
                status = "current"
            elif done:
                status = "done"
            elif not reachable:
                status = "locked"
            elif step.key in self.missing and (show_errors or step.key in self.application.completed_steps):
                status = "error"
            else:
                status = "todo"
            url = url_for(step.endpoint, application_id=self.application.id)
            states.append(StepState(step.key, str(step.title), url, status))
            reachable = reachable and done
        return states
