"""The components written in Python (``portal.components``) give the markup of the Jinja macros they
replaced (kept in ``tests/templates/components_reference.html``: the GOV.UK button and summary list
macros fed as the portal fed them, and the step list), whatever they are given."""

from __future__ import annotations

from pathlib import Path

from flask_babel import refresh
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from portal.components import button, step_list, summary_list
from tests.test_templating import texts, tree

REFERENCE = (Path(__file__).parent / "templates" / "components_reference.html").read_text()
SETTINGS = settings(
    max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)

urls = st.sampled_from(["/a", "/applications/3/customer?return=summary", "/x?a=1&b=<2>"])
maybe_texts = st.none() | texts
values = st.one_of(
    st.none(),
    st.just(""),
    texts,
    st.lists(texts, max_size=3),
    texts.map(lambda t: Markup("<strong>{}</strong>").format(t)),
    st.integers(-5, 5),
)


def assert_same(app, component, first, kwargs: dict, lang: str = "en") -> None:
    """``component(first, **kwargs)`` and the reference macro of the same name give the same markup."""
    with app.test_request_context(headers={"Cookie": f"portal_lang={lang}"}):
        refresh()  # the app fixture's context is shared: forget the locale of the previous example
        fast = component(first, **kwargs)
        call = "{{ " + component.__name__ + "(first, **kwargs) }}"
        reference = app.jinja_env.from_string(REFERENCE + call).render(first=first, kwargs=kwargs)
    assert tree(fast) == tree(reference)


BUTTON_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "href": st.none() | urls,
        "secondary": st.booleans(),
        "warning": st.booleans(),
        "start": st.booleans(),
        "name": st.none() | st.just("action"),
        "value": st.none() | st.sampled_from(["save", "add_point"]),
        "classes": st.sampled_from(["", "govuk-!-margin-bottom-0", "a b"]),
        "prevent_double_click": st.booleans(),
        "attributes": st.none() | st.dictionaries(st.sampled_from(["aria-describedby", "data-x"]), texts),
    },
)


@SETTINGS
@given(text=texts, options=BUTTON_OPTIONS)
def test_button_is_the_macros_markup(app, text, options):
    assert_same(app, button, text, options)


ROWS = st.lists(
    st.none()
    | st.fixed_dictionaries(
        {"label": texts, "value": values}, optional={"change_url": urls, "change_hidden": texts}
    ),
    max_size=4,
)
SUMMARY_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "title": maybe_texts,
        "change_url": st.none() | urls,
        "change_label": maybe_texts,
        "heading_level": st.integers(2, 4),
        "classes": st.none() | st.just("govuk-!-margin-bottom-9"),
    },
)


@SETTINGS
@given(rows=ROWS, options=SUMMARY_OPTIONS, lang=st.sampled_from(["fi", "sv", "en"]))
def test_summary_list_is_the_macros_markup(app, rows, options, lang):
    assert_same(app, summary_list, rows, options, lang)


STEPS = st.lists(
    st.fixed_dictionaries(
        {
            "key": st.sampled_from(["connection", "customer", "contacts", "summary"]),
            "title": texts,
            "url": st.none() | urls,
            "status": st.sampled_from(["done", "current", "todo", "error", "locked", "other"]),
        },
        optional={"hint": texts},
    ),
    max_size=5,
)
STEP_LIST_OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "current": st.none() | st.sampled_from(["customer", "/a"]),
        "label": maybe_texts,
        "id_prefix": st.sampled_from(["step", "wizard"]),
    },
)


@SETTINGS
@given(steps=STEPS, options=STEP_LIST_OPTIONS, lang=st.sampled_from(["fi", "sv", "en"]))
def test_step_list_is_the_macros_markup(app, steps, options, lang):
    assert_same(app, step_list, steps, options, lang)
