"""Forms for an incident's evidence: attaching a file and adding a body-map mark."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import FloatField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import HiddenInput

from classroom.forms import CharacterLimit, SelectField
from classroom.worries.body_map import MAX_NOTE, MAX_SIZE
from classroom.worries.evidence import MAX_DESCRIPTION
from classroom.worries.evidence_models import MARK_LABELS
from classroom.worries.forms import IncidentForm


class AttachmentForm(IncidentForm):
    file = FileField("File (a screenshot, photo of a letter, PDF or other document)")
    description = TextAreaField(
        "What it is and where it came from",
        validators=[CharacterLimit(MAX_DESCRIPTION)],
        description="For example: screenshot of the messages on Amira's phone, taken by Ms "
        "Lopez with Amira's permission.",
    )


class MarkForm(IncidentForm):
    # The region list is drawn by the template (its options carry their place on the map);
    # this field only reads what was chosen. No region, type or side is chosen in advance.
    region = StringField("Where the mark is", validators=[Optional(), Length(max=40)])
    side = HiddenField(validators=[Optional(), Length(max=8)])
    x = FloatField(widget=HiddenInput(), validators=[Optional()])
    y = FloatField(widget=HiddenInput(), validators=[Optional()])
    mark_type = SelectField(
        "Kind of mark",
        choices={"": "Choose…"} | {t.value: label for t, label in MARK_LABELS.items()},
    )
    size = StringField(
        "Size",
        validators=[CharacterLimit(MAX_SIZE)],
        description="For example: 3 cm by 2 cm, or the size of a 10p coin.",
    )
    note = TextAreaField(
        "Note (colour, shape, what the pupil or adult said about it)",
        validators=[CharacterLimit(MAX_NOTE)],
    )
