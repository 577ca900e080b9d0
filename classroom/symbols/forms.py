"""Forms for the staff symbol tools: the text tool, the chooser and setting or clearing a symbol."""

from __future__ import annotations

import re

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from classroom.forms import CharacterLimit, Form, SelectField
from classroom.speech.services import MAX_TEXT_LENGTH
from classroom.symbols.queries import MAX_SEARCH_LENGTH
from classroom.symbols.services import MAX_PHRASE_LENGTH

SIZES = {"medium": "Medium", "large": "Large", "extra_large": "Extra large"}
LAYOUTS = {"strip": "A strip: the words in a line", "cards": "Cards: one card for each word"}
LAYER_KEY = re.compile(r"(?:school|class-\d{1,9}|pupil-\d{1,9})\Z")  # match() anchors the start
LAYER = Regexp(LAYER_KEY, message="Choose who the symbol is for.")


class TextForm(Form):
    """Text to show with symbols. A GET form: it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    text = TextAreaField(
        "Text",
        validators=[CharacterLimit(MAX_TEXT_LENGTH)],  # read aloud in one go
        description="A word, a sentence or a short story.",
    )
    size = SelectField("Symbol size", choices=SIZES, default="large")
    layout = SelectField("Print as", choices=LAYOUTS, default="strip")
    layer = SelectField("Show the symbols chosen for", default="school")


class ChooserForm(Form):
    """Which word to choose a symbol for, on which layer. A GET form, like TextForm."""

    class Meta:
        csrf = False

    phrase = StringField(
        "Word or phrase",
        validators=[CharacterLimit(MAX_PHRASE_LENGTH)],
    )
    search = StringField(
        "Find other pictures by word",
        # A search: its maxlength loses nothing written, so it stays.
        validators=[Length(max=MAX_SEARCH_LENGTH, message="Use at most 40 characters.")],
        description="For example: happy, adult, phone.",
    )
    layer = SelectField("For", default="school")


class OverrideForm(Form):
    """Show a phrase with a chosen symbol (or none) for the school, a class or a pupil."""

    phrase = HiddenField(
        "Word or phrase",
        validators=[DataRequired("Type the word or phrase the symbol is for."), Length(max=80)],
    )
    symbol = StringField(
        "Symbol", validators=[DataRequired("Choose one of the symbols shown."), Length(max=80)]
    )
    layer = StringField("For", validators=[DataRequired("Choose who the symbol is for."), LAYER])


class ClearForm(Form):
    """Go back to the word list's symbol for a phrase on one layer."""

    phrase = HiddenField("Word or phrase", validators=[DataRequired(), Length(max=80)])
    layer = HiddenField("For", validators=[DataRequired(), LAYER])
