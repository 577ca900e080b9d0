"""Forms for carers (joining, messages, settings) and for staff (codes, sharing, notices)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from classroom.accounts.forms import EmailAddress
from classroom.forms import CharacterLimit, Form, SelectField
from classroom.parents.models import CONSENT_PURPOSE_LABELS, EMAIL_MODE_LABELS
from classroom.parents.services import MAX_MESSAGE, MAX_NOTE

# Every carer's email address passes the one check (classroom/accounts/forms.py): a domain in
# other alphabets is stored in IDNA, so its emails go; what no email can reach is refused here.
EMAIL = EmailAddress()
CODE_HINT = "The 10 letters and numbers on the slip from school, like 7KQ2M-XR4TB."


def _code_field() -> StringField:
    return StringField(
        "Code from school",
        validators=[DataRequired("Enter the code from school."), Length(max=40)],
        description=CODE_HINT,
    )


class JoinForm(Form):
    code = _code_field()
    display_name = StringField(
        "Your name",
        validators=[DataRequired("Enter your name."), CharacterLimit(120)],
        description="As the school knows you, e.g. Mrs Sara Khan.",
    )
    email = StringField(
        "Email address (optional)",
        validators=[Optional(), CharacterLimit(254), EMAIL],
        description="We email you a link to check the address is right. After that, emails "
        "only say there is something new, never details.",
    )
    username = StringField(
        "Choose a username",
        validators=[DataRequired("Choose a username."), CharacterLimit(64)],
        description="Letters, numbers, dots, dashes and underscores.",
    )
    password = PasswordField(
        "Choose a password",
        validators=[DataRequired("Choose a password."), Length(max=256)],
        description="At least 12 characters, without the username you choose, and not an easy "
        "one like password1234. A few unrelated words together work well.",
    )
    confirm = PasswordField(
        "Type the password again",
        validators=[
            DataRequired("Type the password again."),
            EqualTo("password", "The passwords do not match."),
        ],
    )


class AddChildForm(Form):
    code = _code_field()


class CarerMessageForm(Form):
    # Too long: how long it is and what to do (the page keeps every word to shorten).
    body = TextAreaField(
        "Your message",
        validators=[
            DataRequired("Write your message."),
            CharacterLimit(MAX_MESSAGE, "Shorten it, or send it as two messages."),
        ],
    )
    key = HiddenField()


class SettingsForm(Form):
    email_mode = RadioField(
        "Emails", choices={m.value: label for m, label in EMAIL_MODE_LABELS.items()}
    )
    symbols = BooleanField("Show symbols and read-aloud buttons with school news")


class CarerEmailForm(Form):
    """A carer changes or removes the address school emails go to (their password first)."""

    email = EmailField(
        "Email address",
        validators=[Optional(), CharacterLimit(254), EMAIL],
        description="School emails go here. Leave it empty to have no email address and no emails.",
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired("Enter your password."), Length(max=256)],
        description="The one you sign in with. It keeps anyone else using this phone or "
        "computer from sending your school emails somewhere else.",
    )


class EmailLinkForm(Form):
    """Confirming the address a carer typed: the link from the email, sent back by a button
    (opening the link writes nothing)."""

    link = HiddenField(validators=[DataRequired(), Length(max=200)])


class EmailLinkAgainForm(Form):
    """Only the CSRF token: another link to the address waiting to be confirmed."""


class CarerConsentForm(Form):
    purpose = HiddenField(validators=[DataRequired()])
    given = HiddenField(validators=[DataRequired()])


class InviteForm(Form):
    relationship = StringField(
        "Who is the code for?",
        validators=[DataRequired("Say who the code is for, e.g. Mum."), CharacterLimit(40)],
        description="Their relationship to the pupil, e.g. Mum, Dad, Grandparent, Foster carer.",
    )
    key = HiddenField()  # this form's: sent again (a reload of the slip), it replaces its code


class CarerAccountForm(Form):
    display_name = StringField(
        "Carer's name", validators=[DataRequired("Enter their name."), CharacterLimit(120)]
    )
    username = StringField(
        "Username", validators=[DataRequired("Choose a username."), CharacterLimit(64)]
    )
    email = StringField(
        "Email address (optional)", validators=[Optional(), CharacterLimit(254), EMAIL]
    )
    relationship = StringField(
        "Relationship to the pupil",
        default="Parent/carer",
        validators=[DataRequired("Say how they are related."), CharacterLimit(40)],
    )


class ConsentForm(Form):
    # Both start on "Choose…": a consent recorded that nobody chose would share a child's photos.
    purpose = SelectField(
        "Consent for",
        choices={"": "Choose…"} | {p.value: label for p, label in CONSENT_PURPOSE_LABELS.items()},
        validators=[DataRequired("Choose what the consent is for.")],
    )
    decision = SelectField(
        "Decision",
        choices={"": "Choose…", "given": "Consent given", "withdrawn": "Consent withdrawn"},
        validators=[DataRequired("Choose whether consent was given or withdrawn.")],
    )
    given_by = StringField(
        "Given or withdrawn by",
        validators=[DataRequired("Say who signed the form."), CharacterLimit(120)],
        description="The parent or carer who signed, e.g. Sara Khan (mother).",
    )
    given_on = DateField("Date on the form", validators=[InputRequired("Give the date.")])


class LearningMomentForm(Form):
    # Both start on "Choose…" (see parents.views._moment_form): what reaches home is chosen.
    objective = SelectField(
        "What they were learning",
        choices={},
        validators=[DataRequired("Choose what they were learning.")],
    )
    level = SelectField(
        "How they did", choices={}, validators=[DataRequired("Choose how they did.")]
    )
    note = TextAreaField(
        "A note for home (optional)",
        validators=[CharacterLimit(MAX_NOTE)],
        description="Positive and about this pupil only: never name another pupil.",
    )
    photo = FileField(
        "Photo (optional)",
        description=(
            "Taken on a school device, never a personal phone. Only with photo consent in "
            "date. Location and camera details are removed."
        ),
    )
    # Shown with the photo field and unticked at first (parents.views `moment_form` names the
    # pupil): a photo goes home only if the sharer says no other pupil can be seen in it.
    alone = BooleanField("No other pupil can be seen in this photo")
    key = HiddenField()


class StaffMessageForm(Form):
    to = SelectField("To", choices={})
    # Shown to the safeguarding team only; the service checks whatever arrives.
    incident_id = SelectField(
        "About a safeguarding record (optional)", choices={}, validate_choice=False
    )
    body = TextAreaField(
        "Message", validators=[DataRequired("Write the message."), CharacterLimit(MAX_MESSAGE)]
    )
    key = HiddenField()


class NoticeForm(Form):
    text = TextAreaField(
        "Notice",
        validators=[DataRequired("Write the notice."), CharacterLimit(MAX_MESSAGE)],
        description="Plain and depersonalised: no other pupil's name, nothing from the record.",
    )
    key = HiddenField()
    # Shown only while an agency has not replied to a referral (worries.agencies_not_replied),
    # as on the "inform now" decision; unticked at first, and the notice is refused without it.
    checked = BooleanField(
        "I have checked that telling carers now will not put the child at risk"
    )


class ExportForm(Form):
    passphrase = PasswordField(
        "Passphrase", validators=[DataRequired("Choose a passphrase."), Length(max=256)]
    )
    confirm = PasswordField(
        "Passphrase again",
        validators=[DataRequired("Type it again."), EqualTo("passphrase", "They do not match.")],
    )
