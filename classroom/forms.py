"""The base class of every form in the app, and the select field every form uses.

Flask-WTF ships no type information, so mypy sees FlaskForm as `Any` and refuses a class built on
it. Saying so once, here, keeps every form class below typed as an ordinary class.
"""

from __future__ import annotations

from typing import Any, cast

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import widgets


class Form(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no types (see above)
    """A form with Flask-WTF's CSRF token and `validate_on_submit`."""


class Select(widgets.Select):  # type: ignore[misc]  # WTForms has no types either
    """WTForms' <select>, each option written as one plain string. Built through the general
    `html_params` (a `str.format` per attribute), the options were most of the incident
    record's rendering: every pupil in the school to link, every lesson to follow up with. The
    HTML is the same, byte for byte (tests/test_forms.py)."""

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:  # attributes beyond value and selected: the general way
            return cast(Markup, super().render_option(choice, **kwargs))
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        attribute = str(escape(value)).replace('"', "&quot;")  # a Markup value keeps quotes
        selected = "selected " if choice.selected else ""  # html_params sorts it before value
        label = escape(choice.label or choice.value)
        html = f'<option {selected}value="{attribute}">{label}</option>'
        return Markup(html)  # noqa: S704 - the value and label are escaped just above


class SelectField(wtforms.SelectField):  # type: ignore[misc]  # no types (see above)
    """A select whose options render as `Select` writes them."""

    widget = Select()
