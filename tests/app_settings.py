"""The settings a view hands to services, read from the test app's config the same way.

Services take what they need as arguments (issue 17); a test calling one passes what the
request layer would, so a test that changes `app.config` still changes what the service sees.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app

from classroom.db import utcnow
from classroom.lessons.content import Catalogue
from classroom.parents.delivery import CarerEmails
from classroom.parents.delivery import school_today as local_day
from classroom.parents.invites import InviteSettings

# The school day's end for test apps, whose clock is the real one unless a test sets it: a day
# that ends at midnight, so every pupil session lasts the after-hours hour from its sign-in.
# "23:59" gave a pupil signed in at 23:58:57 a three-second session, and a CI run that reached
# a switch test in that minute failed on it.
DAY_ENDED = "00:00"


def base_url() -> str:
    return str(current_app.config["BASE_URL"])


def ack_minutes() -> int:
    return int(current_app.config["WORRY_ACK_MINUTES"])


def carer_emails() -> CarerEmails:
    return CarerEmails.from_config(current_app.config)


def invite_settings() -> InviteSettings:
    return InviteSettings.from_config(current_app.config)


def school_today() -> date:
    return local_day(utcnow(), zone())


def lesson_files() -> Catalogue:
    lessons: Catalogue = current_app.extensions["lessons"]
    return lessons


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])
