"""Report a worry tapped on a pupil screen while the class iPad has no network.

The worry flow is a page from the server, and no page is ever kept on the iPad (a shared iPad's
next pupil: static/js/service-worker.js). So every signed-in pupil screen carries what it takes
to keep one worry without the server (templates/pupil_base.html, the `offline_worry` global:
the server's public key and the same signed "reporter" token the worry flow's form carries).
With no network, Report a worry offers one big "I have a worry" (static/js/worry-outbox.js): a
worry with its steps skipped, sealed to the key and kept in the iPad's outbox, sent once the
network is back (its key makes it one worry however often it is sent), filed under the pupil
the screen was rendered for, whoever is signed in by then. It says where it was tapped
(`offline_from`): this module turns that into what the team reads.
"""

from __future__ import annotations

from typing import Any

from classroom.pupils.models import Pupil

# The pupil screens a worry can be tapped on, as the team knows them: by path, then by start.
SCREENS = {"/pupil/": "Home", "/pupil/rules": "Our rules"}
SCREEN_STARTS = (
    ("/pupil/lessons/attempts/", "a lesson screen"),
    ("/pupil/lessons/", "a lesson's first screen"),
)


def screen_name(path: str) -> str:
    """The screen a worry was tapped on, in the team's words."""
    if path in SCREENS:
        return SCREENS[path]
    return next((name for start, name in SCREEN_STARTS if path.startswith(start)), "a pupil screen")


def offline_notes(pupil: Pupil, payload: dict[str, Any]) -> list[str]:
    """What the team should know of a worry kept with no network from a pupil screen: where it
    was tapped, and that the pupil could say nothing more on the iPad. (When it was told:
    worries.views._told_earlier, from the payload's saved_at.)"""
    tapped_on = payload.get("offline_from")
    if not isinstance(tapped_on, str):
        return []
    name = pupil.first_name
    then = (
        " and the iPad was left on that screen"
        if payload.get("left") is True
        else ', then "I have a worry"'
    )
    return [
        f"{name} pressed Report a worry on {screen_name(tapped_on[:200])} while the iPad had no "
        f"internet{then}: the iPad kept it and sent it when the network was back. {name} could "
        f"not choose or say more on the iPad. Speak to {name}."
    ]
