"""Forms staff use for pupil settings and for recording a pupil leaving or returning, and how
a pupil who has left is named wherever staff choose a pupil."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from wtforms import BooleanField, IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, NumberRange

from classroom.forms import CharacterLimit, Form, SelectField
from classroom.localtime import STYLES
from classroom.pupils.models import CardChoosing, Pathway, Scanning, SymbolSize
from classroom.pupils.services import HOME_LESSONS_MOST, TILE_SYMBOLS

# Where staff choose a pupil to act for, those who have left come after the pupils at the school,
# under this heading (as on staff home), each saying when they left: a leaver is never picked
# by mistake for a pupil of the same name. One wording for every such list.
LEFT_THE_SCHOOL = "Left the school"


class _Left(Protocol):
    @property
    def left_on(self) -> date | None: ...


def left_note(pupil: _Left) -> str:
    """What a leaver's name is followed by in such a list: "left 3 Dec 2026"."""
    if pupil.left_on is None:  # left before the date was recorded
        return "left the school"
    return "left " + STYLES["date"].format(d=pupil.left_on)


KNOWN_AS_HINT = (
    "The name the pupil answers to, if not their first name. Shown on their tile and said aloud."
)


class PupilSettingsForm(Form):
    known_as = StringField(
        "Known as (optional)",
        validators=[CharacterLimit(80)],  # pupils.known_as
        description=KNOWN_AS_HINT,
    )
    pathway = SelectField("Pathway", choices={p.value: p.label for p in Pathway})
    lessons_on_home = SelectField(
        "Lessons on the pupil's home screen",
        choices={
            "pathway": "As the pathway suggests (pre-formal 1, semi-formal 3, formal all)",
            **{str(n): f"{n} (the next lesson first)" for n in range(1, HOME_LESSONS_MOST + 1)},
            "all": "All their lessons",
        },
        validate_choice=False,  # checked in the view, with a message staff can act on
        description="1 shows just the next lesson, as one big tile.",
    )
    tile_symbol = SelectField(
        "Sign-in tile symbol", choices={code: word.title() for code, word in TILE_SYMBOLS.items()}
    )
    symbol_size = SelectField(
        "Symbol size",
        choices={s.value: s.value.replace("_", " ").capitalize() for s in SymbolSize},
    )
    speech_rate = IntegerField(
        "Speech rate (words a minute)",
        validators=[InputRequired("Enter a speech rate."), NumberRange(80, 260)],
        description="150 is an ordinary pace; lower is slower.",
    )
    voice = SelectField(
        "Voice",
        validate_choice=False,  # checked against the server's voices by the service
        description="The natural voice sounds like a person; espeak is always there.",
    )
    auto_read = BooleanField("Read each new screen aloud")
    card_choosing = SelectField(
        "Tapping an answer card or lesson tile",
        choices={c.value: c.label for c in CardChoosing},
        validate_choice=False,  # checked in the view, with a message staff can act on
        description="Every card also has its own speaker button, which never chooses.",
    )
    high_contrast = BooleanField("High contrast")
    reduced_motion = BooleanField("Reduce motion")
    scanning = SelectField(
        "Switch scanning",
        choices={
            Scanning.OFF.value: "Off (touch)",
            Scanning.AUTO.value: "Auto-scan (one switch)",
            Scanning.STEP.value: "Step-scan (two switches: Space moves, Enter selects)",
        },
    )
    scan_interval_ms = IntegerField(
        "Auto-scan speed (milliseconds per item)",
        validators=[InputRequired("Enter a scan speed."), NumberRange(500, 10000)],
    )
    auditory_scanning = BooleanField(
        "Auditory scanning (a short sound, then each item is said as the highlight reaches it)"
    )

    def __init__(
        self, *args: object, voices: dict[str, str] | None = None, **kwargs: object
    ) -> None:
        """`voices`: the ones this server can speak (speech.services.voice_choices); None only
        where the form's boxes are checked and no voice is offered."""
        super().__init__(*args, **kwargs)
        self.voice.choices = list((voices or {}).items())


class LeavingForm(Form):
    """Confirm a pupil has left the school, or is back at it. Neither answer is chosen for the
    person: recording it by a slip changes what the pupil and their carers can do."""

    # Any other value is refused by the view with the same words (a page from before the
    # pupil's record changed answers by what it asked, and the service says what is so now).
    answer = RadioField(validators=[InputRequired("Choose yes or no.")], validate_choice=False)

    def __init__(self, *args: object, pupil_active: bool, first_name: str, **kw: object) -> None:
        """The question fits where the pupil is now: at the school, or recorded as left."""
        super().__init__(*args, **kw)
        if pupil_active:
            self.answer.label.text = f"Has {first_name} left the school?"
            self.answer.choices = [
                ("left", f"Yes, {first_name} has left the school"),
                ("stay", f"No, {first_name} is still at the school"),
            ]
        else:
            self.answer.label.text = f"Is {first_name} back at the school?"
            self.answer.choices = [
                ("back", f"Yes, {first_name} is back at the school"),
                ("stay", f"No, {first_name} has still left"),
            ]
