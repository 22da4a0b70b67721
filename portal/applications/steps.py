"""What every wizard step's view does around its own form: load the application through the acting
organisation, refuse steps that may not be opened yet, and go on after a save."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from portal.applications.models import Application
from portal.applications.wizard import STEPS_BY_KEY, Wizard, open_application
from portal.texts import gettext as _


class StepRefused(Exception):
    def __init__(self, response) -> None:
        super().__init__()
        self.response = response


def open_step(application_id: int, key: str) -> tuple[Application, Wizard]:
    """The application and its wizard, if the step may be opened; otherwise StepRefused with a redirect."""
    application, facts = open_application(application_id, for_update=request.method == "POST")
    if not application.editable:
        raise StepRefused(redirect(url_for("applications.status", application_id=application.id)))
    wizard = Wizard(application, facts)
    if key not in {s.key for s in wizard.steps}:
        raise StepRefused(redirect(url_for(wizard.first_open_step().endpoint, application_id=application.id)))
    if not wizard.may_open(key):
        flash(_("Complete the steps in order. Continue from here."), "info")
        raise StepRefused(redirect(url_for(wizard.first_open_step().endpoint, application_id=application.id)))
    return application, wizard


def returning_to_summary() -> bool:
    return request.args.get("return") == "summary"


def after_save(application: Application, wizard: Wizard, key: str):
    """Back to the summary after a "Change", otherwise on to the next step (a save changes what the
    steps lack, never which steps there are, so the wizard of the request still knows the next)."""
    # The id as read before the save: after the commit, reading application.id would load the row again.
    application_id = wizard.application_id
    if returning_to_summary():
        return redirect(url_for("applications.summary", application_id=application_id), code=303)
    return redirect(url_for(wizard.next_step(key).endpoint, application_id=application_id), code=303)


def step_context(application: Application, wizard: Wizard, key: str, **extra) -> dict:
    from portal.applications.catalogue import SERVICES_BY_KEY

    return {
        "application": application,
        "service": SERVICES_BY_KEY[application.service],
        "step": STEPS_BY_KEY[key],
        "steps": wizard.states(key),
        "action_url": url_for(
            STEPS_BY_KEY[key].endpoint,
            application_id=application.id,
            **({"return": "summary"} if returning_to_summary() else {}),
        ),
        **extra,
    }
