"""Error pages a pupil can use: one sentence in pictures, spoken, and a big way home.

A pupil on a class iPad cannot read "Page not found" or "This request could not be
understood". Whether the page is a pupil page is decided by who is asking (a signed-in pupil,
or an enrolled class iPad between pupils), never by the address: staff and carers who open a
pupil address keep the staff error page, with its words.
"""

from __future__ import annotations

from flask import render_template, url_for

from classroom.devices.web import current_device, revoked_device
from classroom.errors import PupilPages
from classroom.principals import PupilPrincipal
from classroom.web import current_actor

# One short sentence per answer, made of words the vocabulary has pictures for. "Too many
# tries" (429) is the only one a pupil can do something about by waiting.
SAY_WAIT = "Please wait, then try again."
SAY_WENT_WRONG = "Something went wrong."
SENTENCES = {429: SAY_WAIT, 503: SAY_WAIT}


def is_pupil_context() -> bool:
    """A pupil is signed in, or nobody is and this is an enrolled class iPad (or one revoked
    while pupils used it: its Home is the start screen that says to ask an adult)."""
    actor = current_actor()
    if isinstance(actor, PupilPrincipal):
        return True
    if actor.is_authenticated:
        return False
    return current_device() is not None or revoked_device() is not None


def home() -> str | None:
    """My lessons for a signed-in pupil, the class start screen for a class iPad between
    pupils, or None when the request is not a pupil's."""
    if not is_pupil_context():
        return None
    signed_in = isinstance(current_actor(), PupilPrincipal)
    return url_for("ipad.home" if signed_in else "ipad.start")


def page(code: int) -> str | None:
    """The pupil's error page for `code`, or None when the request is not a pupil's."""
    way_home = home()
    if way_home is None:
        return None
    return render_template(
        "pupils/error.html",
        sentence=SENTENCES.get(code, SAY_WENT_WRONG),
        home=way_home,
        worry_back=way_home,  # "Not now" in the worry flow goes home, not back to this page
    )


PAGES = PupilPages(page=page, home=home)
