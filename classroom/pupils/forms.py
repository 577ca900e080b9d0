"""Forms staff use for pupil settings."""

from __future__ import annotations

from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from classroom.forms import Form, SelectField
from classroom.pupils.models import CardChoosing, Pathway, Scanning, SymbolSize
from classroom.pupils.services import HOME_LESSONS_MOST, TILE_SYMBOLS


class PupilSettingsForm(Form):
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

    def __init__(self, *args: object, voices: dict[str, str], **kwargs: object) -> None:
        """`voices`: the ones this server can speak (speech.services.voice_choices)."""
        super().__init__(*args, **kwargs)
        self.voice.choices = list(voices.items())
