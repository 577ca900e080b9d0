"""Every app-wide Jinja global, filter and context processor, registered in one place.

Templates may use these on any page; each is a thin read a feature offers (policy answers,
symbols, speech, the worry badge). Blueprints register none of their own, so a newcomer finds
every name a template can use here. Sits in the shell layer: it may import any feature.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import MutableMapping
from datetime import date
from typing import Any

from flask import Flask
from flask.templating import Environment as FlaskEnvironment
from markupsafe import Markup

from classroom import policy
from classroom.accounts.models import Account
from classroom.assessment.heatmap_cells import svg_cells, table_cells
from classroom.db import get_session
from classroom.installed.views import app_short_name, app_theme_colour
from classroom.ipad.chrome_web import pupil_chrome
from classroom.speech.web import speech_available
from classroom.symbols.fragments_web import fragment
from classroom.symbols.people_views import person_picture
from classroom.symbols.spoken import name, spoken
from classroom.symbols.views import PupilLayers
from classroom.symbols.web import render_labels, render_symbolised, render_words
from classroom.symbols.word_swap_web import preview_symbolise, word_swap
from classroom.web import csrf_token, current_actor, local_time, static_url, zone_name
from classroom.worries import body_map
from classroom.worries import services as worries_services
from classroom.worries.evidence_views import incident_evidence
from classroom.worries.views import offline_worry, unacknowledged_count


class _Globals(ChainMap[str, Any]):
    """A template's globals as Jinja makes them (its own over the app's), whose keys() is a set.

    Every `{% import %}` compares the importing page's globals with the imported template's
    (Jinja's Template._get_default_module): over a ChainMap's key view that is a Python-level
    lookup per name, some 200 function calls per import and a tenth of a lesson step.
    """

    def keys(self) -> set[str]:  # type: ignore[override]
        return set().union(*self.maps)


class Environment(FlaskEnvironment):
    """Flask's Jinja environment, with templates' globals in a `_Globals`."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals({} if d is None else d, self.globals)


def can(right: str) -> bool:
    """Whether the person signed in holds a right (policy.RIGHTS), for showing a link or not."""
    return policy.has_right(current_actor(), right)


def unseen_alert_count() -> int:
    """The header's Alerts link: how many of the signed-in person's own alerts are not seen."""
    actor = current_actor()
    if not isinstance(actor, Account):
        return 0
    return worries_services.unseen_alert_count(get_session(), actor)


def long_date(day: date) -> str:
    """The filter `long_date`: a day with its month in full and no leading zero, as people
    write it ("5 December 2026"); `local` gives the short month ("5 Dec 2026")."""
    return f"{day.day} {day:%B %Y}"


def _lazy_values() -> dict[str, object]:
    # Looked up per render; PupilLayers reads the pupil's symbols only if a template uses it.
    return {
        "pupil_layers": PupilLayers(),
        "incident_evidence": incident_evidence,
        "body_map_regions": body_map.REGIONS,
        "csrf_token": csrf_token,  # over Flask-WTF's own processor, which gives its own
    }


def init_app(app: Flask) -> None:
    """Register every template global, filter and context processor on the app."""
    app.jinja_env.globals.update(
        url_for=app.url_for,  # web.py's: each URL built once per worker
        csrf_token=csrf_token,  # web.py's: signed once per worker
        static_url=static_url,
        pupil_chrome=pupil_chrome,
        fragment=fragment,
        heatmap_svg_cells=svg_cells,
        heatmap_table_cells=table_cells,
        app_short_name=app_short_name,
        app_theme_colour=app_theme_colour,
        can=can,
        rights=policy.RIGHTS,
        zone_name=zone_name,
        symbolise=preview_symbolise,  # staff previews show the layer a tap would change
        word_swap=word_swap,
        render_symbolised=render_symbolised,
        render_words=render_words,
        render_labels=render_labels,
        spoken=spoken,
        person_name=name,
        person_picture=person_picture,
        speech_available=speech_available,
        unacknowledged_count=unacknowledged_count,
        unseen_alert_count=unseen_alert_count,
        offline_worry=offline_worry,  # a worry kept with no network (worries/offline.py)
        # An empty cell's mark as a reference, so pages stay ASCII (see templates/base.html).
        dash=Markup("&mdash;"),
    )
    app.add_template_filter(local_time, "local")
    app.add_template_filter(name, "person_name")
    app.add_template_filter(long_date, "long_date")
    app.context_processor(_lazy_values)
