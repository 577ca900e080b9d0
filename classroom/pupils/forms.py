"""Forms staff use for pupil settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from classroom.pupils.models import Pathway, Scanning, SymbolSize
from classroom.pupils.services import TILE_SYMBOLS, voice_choices


class PupilSettingsForm(FlaskForm):  # type: ignore[misc]
    pathway = SelectField("Pathway", choices={p.value: p.label for p in Pathway})
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

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.voice.choices = list(voice_choices().items())
