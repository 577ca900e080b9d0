"""The base class of every form in the app.

Flask-WTF ships no type information, so mypy sees FlaskForm as `Any` and refuses a class built on
it. Saying so once, here, keeps every form class below typed as an ordinary class.
"""

from __future__ import annotations

from flask_wtf import FlaskForm


class Form(FlaskForm):  # type: ignore[misc]  # Flask-WTF has no types (see above)
    """A form with Flask-WTF's CSRF token and `validate_on_submit`."""
