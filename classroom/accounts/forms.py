"""Forms for signing in and changing a password."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from classroom.forms import Form


class SignInForm(Form):
    username = StringField(
        "Username", validators=[DataRequired("Enter your username."), Length(max=64)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=256)]
    )


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=256)],
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=256)],
        description="At least 12 characters. A few unrelated words together work well.",
    )


class CodeForm(Form):
    code = StringField(
        "Code",
        validators=[DataRequired("Type the code from your authenticator app."), Length(max=32)],
        description="The 6 numbers your authenticator app shows now, or a recovery code.",
    )
    remember = BooleanField("Do not ask again on this iPad for 30 days")


class ConfirmAppForm(Form):
    code = StringField(
        "Code from the app",
        validators=[DataRequired("Type the 6 numbers the app shows."), Length(max=32)],
        description="After adding the account, type the 6 numbers the app shows now.",
    )


class StartForm(Form):
    """Only the CSRF token: starting enrolment is a POST, since a GET writes nothing."""
