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
from wtforms.validators import ValidationError

from classroom.errors import too_long


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


class CharacterLimit:
    """A WTForms validator: at most `limit` characters, refused with the box's name, its limit
    and how long the text is (errors.too_long).

    Unlike WTForms' Length it gives the box no `maxlength`: a browser cuts pasted text at the
    limit without a word, and the end of a note is lost. The field macro
    (templates/_macros/forms.html) reads the limit from `field.flags.count_max`, says it under
    the box and marks it for the character count (static/js/char-count.js); text over the limit
    comes back whole with this message. One number, here, for the box and the check.
    """

    def __init__(self, limit: int, advice: str = "") -> None:
        self.limit = limit
        self.advice = advice  # what to do instead, said after the message
        self.field_flags = {"count_max": limit}

    def __call__(self, _form: Any, field: Any) -> None:
        if not isinstance(field.data, str):
            return
        # As the box counts: a line break is one character, however it was sent (a GET form's
        # text comes as the browser sent it, each line break as CR LF; see web.TextRequest).
        text = field.data.replace("\r\n", "\n")
        if len(text) > self.limit:
            message = too_long(box_name(field.label.text), self.limit, text)
            raise ValidationError(f"{message} {self.advice}".strip())


def box_name(label: str) -> str:
    """A box's label as a message names it: "Note (optional)" is "Note"."""
    return label.split(" (", 1)[0].strip() or label
