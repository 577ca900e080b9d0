"""Forms for signing in, changing a password or email address, and the check every email address
passes."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from classroom.forms import Form

# What may stand before the @: the letters browsers accept in <input type="email">. Anything
# else needs quoting, and a comma or bracket would make the outbox read two addresses or none.
_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+")
# One part of a domain as written for sending: letters, digits and inner hyphens (xn-- too).
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# The full stops IDNA accepts between the parts of a domain (ideographic, full-width, halfwidth).
_DOTS = re.compile("[.\u3002\uff0e\uff61]")

SHAPE = "Enter an email address like name@example.com."
NOT_ASCII_NAME = (
    "Emails from school cannot reach an address with accents or other alphabets before the @. "
    "Give a different email address, or leave this empty."
)
BAD_DOMAIN = (
    "The part after the @ is not a domain emails can be sent to. Check it for typing mistakes, "
    "or give a different email address."
)
READ_TWO_WAYS = (
    "Emails from school could go to the wrong place with this domain: it has a letter such as "
    "\u00df or \u03c2, or an invisible character, that mail systems read in different ways. "
    "Give a different email address, or leave this empty."
)
TOO_LONG = "That email address is too long to send emails to. Give a different email address."


def deliverable_email(text: str) -> str:
    """The address as typed, made one our emails can reach, or ValueError saying what to do.

    The outbox sends with smtplib, which never writes a domain in IDNA and sends to an address
    in other alphabets only where the mail server offers SMTPUTF8 (and every server after it
    must too): such an address was stored, and its emails failed where only the Email problems
    page showed it. So a domain in other alphabets (exämple.co.uk) is stored as the IDNA name
    every server accepts (xn--exmple-cua.co.uk), and a name before the @ in them is refused.
    """
    address = text.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address):
        raise ValueError(SHAPE)
    if not local.isascii():
        raise ValueError(NOT_ASCII_NAME)
    if not _LOCAL.fullmatch(local):
        raise ValueError(SHAPE)
    ascii_domain = ".".join(_ascii_label(label) for label in _DOTS.split(domain))
    if ascii_domain.count(".") < 1 or len(ascii_domain) > 253:
        raise ValueError(BAD_DOMAIN)
    if len(local) > 64 or len(local) + 1 + len(ascii_domain) > 254:
        raise ValueError(TOO_LONG)
    return f"{local}@{ascii_domain}"


def _ascii_label(label: str) -> str:
    """One part of a domain in IDNA (ASCII), or ValueError; an ASCII part is kept as typed."""
    if label.isascii():
        written = label
    else:
        try:
            written = label.encode("idna").decode("ascii")
            back = written.encode("ascii").decode("idna")
        except UnicodeError as error:
            raise ValueError(BAD_DOMAIN) from error
        # Python's codec follows IDNA 2003, which quietly rewrites letters that today's IDNA
        # 2008 keeps (faß.de would go to fass.de, someone else's domain) and drops invisible
        # ones. Only what both do (case, full-width letters) may change; anything else is
        # refused rather than sent to another domain.
        if back != unicodedata.normalize("NFKC", label).lower():
            raise ValueError(READ_TWO_WAYS)
    if not _LABEL.fullmatch(written):
        raise ValueError(BAD_DOMAIN)
    return written


class EmailAddress:
    """A WTForms validator: the field's data becomes `deliverable_email` of what was typed."""

    def __call__(self, _form: Any, field: Any) -> None:
        try:
            field.data = deliverable_email(field.data or "")
        except ValueError as problem:
            raise ValidationError(str(problem)) from problem


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
        description="At least 12 characters, without your username, and not the one you have "
        "now. A few unrelated words together work well.",
    )


class StaffEmailForm(Form):
    """A member of staff changes or removes the address their emails go to (password first).

    No length check of its own: the address check refuses one too long to send to, saying so,
    and the password is only compared with the one kept.
    """

    email = EmailField(
        "Email address",
        validators=[Optional(), EmailAddress()],
        description="Alerts and emails from the app go here. Leave it empty to have no email "
        "address and no emails.",
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password.")],
        description="The one you sign in with. It keeps anyone else using this computer or "
        "iPad from sending your school emails somewhere else.",
    )
    # Asked of the safeguarding team only, when they remove their address (email_change).
    understood = BooleanField("I understand that I will get no safeguarding alerts by email")


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


class ConfirmOwnAppForm(ConfirmAppForm):
    """Turning two-step sign-in on from one's own account page: the password as well."""

    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password.")],
        description="The one you sign in with. It keeps anyone else using this computer or "
        "iPad from tying your account to their phone and locking you out.",
    )


class StartForm(Form):
    """Only the CSRF token: starting enrolment is a POST, since a GET writes nothing."""


class NewRecoveryCodesForm(Form):
    """Ten new recovery codes, the old ones stopping: the password first."""

    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password.")],
        description="The one you sign in with. It keeps anyone else using this computer or "
        "iPad from seeing codes that would get them past your phone.",
    )
    # The newest recovery code when the page was drawn: a form sent again (Back, then reload)
    # after new codes were made does not make (and show) another set.
    made_after = HiddenField()
