"""Forms for sending a child-protection file, recording its receipt, and importing one."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import DateField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from classroom.export import MIN_PASSPHRASE
from classroom.forms import CharacterLimit, Form, SelectField
from classroom.worries.transfer import MAX_REASON, MAX_SAID

PHRASE = Length(min=MIN_PASSPHRASE, message=f"Use at least {MIN_PASSPHRASE} characters.")
SAID = CharacterLimit(MAX_SAID)  # said under each box and counted, never a maxlength


class ExportForm(Form):
    passphrase = PasswordField(
        "Passphrase for the file",
        validators=[DataRequired("Choose a passphrase."), PHRASE],
        description="A few random words. Tell it to the receiving DSL by phone, never in the "
        "same email or envelope as the file.",
    )
    confirm = PasswordField(
        "Passphrase again",
        validators=[EqualTo("passphrase", "The two passphrases are not the same.")],
    )


class SentForm(Form):
    sent_on = DateField("Date sent", validators=[InputRequired("Give the date it was sent.")])
    sent_to = StringField(
        "Receiving school and DSL",
        validators=[DataRequired("Say who it went to."), SAID],
    )
    method = StringField(
        "How it was sent",
        validators=[DataRequired("Say how it was sent."), SAID],
        description="For example: secure email to their DSL; by hand on an encrypted USB stick.",
    )


class ReceiptForm(Form):
    received_on = DateField(
        "Date they confirmed receipt", validators=[InputRequired("Give the date.")]
    )
    name = StringField("Name of who confirmed", validators=[DataRequired("Give their name."), SAID])
    method = StringField(
        "How they confirmed",
        validators=[DataRequired("Say how they confirmed."), SAID],
        description="For example: signed receipt slip; email from the DSL; phone call.",
    )


KEEP = "Leave it empty to keep what is on record."
WHY = "Say why it is being corrected."


class SentCorrectionForm(Form):
    """A correction of a sending on record: every box starts empty (the record is shown beside
    it as text), an empty box keeps what is on record, and the reason is needed."""

    on = DateField("Correct date sent", validators=[Optional()], description=KEEP)
    who = StringField("Correct receiving school and DSL", validators=[SAID], description=KEEP)
    method = StringField("Correct way it was sent", validators=[SAID], description=KEEP)
    reason = TextAreaField(
        "Why it is being corrected",
        validators=[DataRequired(WHY), CharacterLimit(MAX_REASON)],
        description="For example: I typed the wrong date; it went to their new school's DSL.",
    )


class ReceiptCorrectionForm(Form):
    """A correction of a receipt on record, as for the sending."""

    on = DateField("Correct date of receipt", validators=[Optional()], description=KEEP)
    who = StringField("Correct name of who confirmed", validators=[SAID], description=KEEP)
    method = StringField("Correct way they confirmed", validators=[SAID], description=KEEP)
    reason = TextAreaField(
        "Why it is being corrected",
        validators=[DataRequired(WHY), CharacterLimit(MAX_REASON)],
        description="For example: I typed the wrong date; their deputy DSL signed the slip.",
    )


class ImportForm(Form):
    package = FileField("Child-protection file (.cpfile)")
    passphrase = PasswordField(
        "Passphrase", validators=[DataRequired("Give the passphrase the sending DSL told you.")]
    )
    pupil_id = SelectField("Pupil it belongs to", choices={})
