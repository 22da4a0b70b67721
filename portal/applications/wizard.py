"""The application wizard's steps: which apply to an application, what each still lacks, and which the
user may open. A step is *done* when it has been saved and nothing it requires is missing; a step may be
opened only when every step before it is done, so steps cannot be skipped by typing URLs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy import bindparam, exists, select

from portal.applications.catalogue import ROLE_TITLES, SERVICES_BY_KEY, needs_billing_step, required_roles
from portal.applications.models import (
    Application,
    ConnectionPoint,
    InformationSystem,
    ServiceDescriptionAcceptance,
)
from portal.applications.services import APPLICATION_OF_ORGANISATION, application_row
from portal.billing.models import BillingDetails
from portal.contacts.models import ApplicationContact
from portal.documents.models import CommitmentSignature
from portal.extensions import db
from portal.registry.models import RegisterUnit
from portal.texts import lazy_gettext as _l


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


@dataclass(frozen=True)
class Facts:
    """What the step checks need beyond the application row, read in one query."""

    has_points: bool
    has_systems: bool
    has_billing: bool
    accepted_description: bool
    organisation_signed: bool  # the organisation has signed the commitment (in any application)


def _fact_columns(application_id, business_id) -> tuple:
    """Facts' columns, for the application ``application_id`` of the organisation ``business_id``."""
    return (
        exists().where(ConnectionPoint.application_id == application_id),
        exists().where(InformationSystem.application_id == application_id),
        exists().where(BillingDetails.application_id == application_id),
        exists().where(ServiceDescriptionAcceptance.application_id == application_id),
        exists().where(CommitmentSignature.organisation_business_id == business_id),
    )


_ID = bindparam("id")
READ_FACTS = select(*_fact_columns(_ID, bindparam("business_id")))
# A wizard request reads the application and its facts in one statement.
WITH_FACTS = APPLICATION_OF_ORGANISATION.add_columns(
    *_fact_columns(Application.id, Application.organisation_business_id)
)
WITH_FACTS_LOCKED = WITH_FACTS.with_for_update(of=Application)


def read_facts(application: Application) -> Facts:
    row = db.session.execute(
        READ_FACTS, {"id": application.id, "business_id": application.organisation_business_id}
    ).one()
    return Facts(*(bool(value) for value in row))


def open_application(application_id: int, *, for_update: bool = False) -> tuple[Application, Facts]:
    """An application of the acting organisation (or 404) and its facts, in one round trip;
    ``for_update`` locks the application's row as ``get_application`` does."""
    application, *facts = application_row(WITH_FACTS_LOCKED if for_update else WITH_FACTS, application_id)
    return application, Facts(*(bool(value) for value in facts))


def commitment_needed(application: Application, facts: Facts) -> bool:
    """The commitment is signed once per organisation: on its first application."""
    return application.commitment_signature_id is not None or not facts.organisation_signed


def steps_for(application: Application, facts: Facts) -> list[Step]:
    service = service_of(application)
    skip = set()
    if not needs_billing_step(service, pharmacy=is_pharmacy(application)):
        skip.add("billing")
    if not commitment_needed(application, facts):
        skip.add("commitment")
    return [s for s in ALL_STEPS if s.key not in skip]


CUSTOMER_FIELDS = (
    ("street_address", _l("Enter the street address")),
    ("postal_code", _l("Enter the postcode")),
    ("post_office", _l("Enter the post office")),
    ("phone", _l("Enter the phone number")),
    ("decision_email", _l("Enter the e-mail address for the decision")),
)


def step_problems(application: Application, facts: Facts, key: str) -> list[Problem]:
    """What the step ``key`` still lacks. Only the contacts step (its role holders) and a social
    welfare application's or a renewal unit's connection step query beyond ``facts``."""
    found: list[Problem] = []

    def add(message: Any, anchor: str) -> None:
        found.append(Problem(key, message, anchor, application.id))

    if key == "connection":
        if not facts.has_points:
            add(_l("Add at least one connection point"), "points-0-oid")
        if not facts.has_systems:
            add(_l("Add at least one information system"), "systems-0-product")
        if application.service == "social_archive" and facts.has_systems:
            for i, system in enumerate(application.systems):
                if not (system.profile and system.stores and system.service_tasks):
                    add(
                        _l(
                            "Give the profile, the stored data and the service tasks of %(system)s",
                            system=system.product,
                        ),
                        f"systems-{i}-profile",
                    )
        if (
            application.renewal_requests
            and application.renewal_unit_oid
            and db.session.get(RegisterUnit, application.renewal_unit_oid) is None
        ):
            add(_l("Choose a receiving unit that is in the register"), "unit")
    elif key == "customer":
        for field, message in CUSTOMER_FIELDS:
            if not getattr(application, field):
                add(message, field.replace("_", "-"))
    elif key == "contacts":
        _contact_problems(application, add)
    elif key == "billing":
        if not facts.has_billing:
            add(_l("Give the billing details"), "method")
    elif key == "description":
        if not facts.accepted_description:
            add(_l("Accept the service description"), "accept")
    elif key == "commitment" and application.commitment_signature_id is None:
        add(_l("Sign the commitment"), "sign")
    return found


CONTACTS_OF_APPLICATION = select(ApplicationContact).where(ApplicationContact.application_id == _ID)


def _contact_problems(application: Application, add) -> None:
    assigned = {
        a.role: a.contact for a in db.session.scalars(CONTACTS_OF_APPLICATION, {"id": application.id})
    }
    for role in required_roles(service_of(application), pharmacy=is_pharmacy(application)):
        contact = assigned.get(role)
        if contact is None:
            add(_l("Choose a contact for the role: %(role)s", role=ROLE_TITLES[role]), f"role-{role}")
        elif role == "disruption" and not contact.can_hold(role):
            add(
                _l("The recipient of disruption notices needs an e-mail address and a mobile phone number"),
                f"role-{role}",
            )
        elif role == "archivist" and not contact.can_hold(role):
            add(_l("The archivist needs a certificate number"), f"role-{role}")


@dataclass(frozen=True)
class StepState:
    key: str
    title: str
    url: str
    status: str  # done | todo | error | locked | current


class Wizard:
    """The steps of one application and what they lack, worked out once per request, step by step
    as needed: opening a step needs the checks of the steps before it; the step list needs all."""

    def __init__(self, application: Application, facts: Facts | None = None) -> None:
        self.application = application
        self.application_id = application.id
        self.facts = read_facts(application) if facts is None else facts
        self.steps = steps_for(application, self.facts)
        self._problems: dict[str, list[Problem]] = {}

    def problems_of(self, key: str) -> list[Problem]:
        if key not in self._problems:
            self._problems[key] = step_problems(self.application, self.facts, key)
        return self._problems[key]

    @property
    def problems(self) -> list[Problem]:
        """Everything required that is missing, in step order (for the step list and for "Send")."""
        return [p for s in self.steps for p in self.problems_of(s.key)]

    def done(self, key: str) -> bool:
        return key in self.application.completed_steps and not self.problems_of(key)

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
            elif (show_errors or step.key in self.application.completed_steps) and self.problems_of(step.key):
                status = "error"
            else:
                status = "todo"
            url = url_for(step.endpoint, application_id=self.application.id)
            states.append(StepState(step.key, str(step.title), url, status))
            reachable = reachable and done
        return states
