"""E-safety tips for carers, one per lesson, chosen from what the child is learning this week.

Tips are data keyed by lesson id (a test checks every lesson has one and every tip a lesson).
`lessons_this_week` is the one place that decides which lessons count as "this week": today a
simple rule over the class's lessons; point it at the lesson map when that holds the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.lessons import maps
from classroom.lessons.content import Catalogue
from classroom.lessons.models import LessonAttempt
from classroom.pupils.models import Pupil

TIPS: dict[str, str] = {
    "feelings-online": (
        "Ask how something on a screen made them feel: happy, worried or cross. Show them your "
        "own face for each feeling, and praise them for telling you."
    ),
    "trusted-adults": (
        "Name together the adults they can tell when something online worries them, at home "
        'and at school. Use the same words the class uses: "Tell a trusted adult."'
    ),
    "stop-and-finish": (
        'Practise a "stop" sign or word together, and honour it: if they stop a video or turn '
        'the tablet over, say "Well done for stopping".'
    ),
    "screen-time": (
        "Use a visual timer for tablet time and give a warning before it ends. A screen-free "
        "activity they enjoy straight after helps the change."
    ),
    "personal-information": (
        'Their name, address, school and phone number are private. Play "OK to share or '
        'private?" with a few everyday examples.'
    ),
    "passwords": (
        "Keep passcodes secret from everyone except you. Let them see you cover your own screen "
        "when you type a passcode."
    ),
    "photos-and-permission": (
        'Ask "Can I take your photo?" before you take one, and accept "no". It shows them '
        "they can say no too."
    ),
    "people-online": (
        "Talk about people we know in real life and people we only see online. Someone online "
        "may not be who they say they are."
    ),
    "kind-and-unkind": (
        "Look at messages or emoji together and sort them into kind and unkind. Praise kind "
        "replies they choose."
    ),
    "stop-block-tell": (
        "If someone is unkind online again and again: stop, block, tell. Show them where the "
        "block button is in an app they use."
    ),
    "block-screenshot-report": (
        "Find the block and report buttons together in a game or app at home, so they know "
        "where they are before they need them."
    ),
    "real-or-pretend": (
        'Point out adverts and "You\'ve won!" pop-ups when you see them together, and say: '
        '"That is pretend. We don\'t press it."'
    ),
    "games-chat-spending": (
        'Agree a rule: always ask an adult before pressing "buy". Turn on purchase '
        "passwords in the device's settings."
    ),
    "online-footprint": (
        "Choose together which photos may be shared with family. Things posted online can stay "
        "there for a long time."
    ),
    "pressure-secrets-pictures": (
        "Their body is private. If anyone online asks for pictures or secrets, they should tell "
        "you or a trusted adult at school straight away, and never be blamed."
    ),
    "bystanders": (
        "Talk about what a good friend does when someone is being unkind online: be kind, "
        "don't join in, and tell an adult."
    ),
    "emails-and-links": (
        "Before opening an email or link, ask: do I know who sent it? If not, ask an adult first."
    ),
    "whose-is-it": (
        "Pictures and music belong to the people who made them. Ask before using someone "
        "else's work, and say who made it."
    ),
    "practise-reporting": (
        "At school your child practises pressing the Report a worry button on the class iPad. "
        "At home, agree together how they can show you a worry: a sign, a picture or a word."
    ),
    "unkind-in-many-ways": (
        "Being left out of a group chat, a fake account or a shared photo can all be unkind. "
        "One unkind message is enough to tell: praise your child for telling you."
    ),
    "i-like-me": (
        "Pictures online are often changed with filters. Name three things you like about your "
        "child, and let them choose a photo of themselves they are happy with."
    ),
    "is-it-true": (
        "Not everything online is true. When you search together, ask: who made this? Check "
        "with a second place you trust, such as the BBC or NHS."
    ),
    "live-and-location": (
        "Check together that location sharing is off in apps and games, and that live video "
        "is only with people your child knows in real life."
    ),
    "ai-and-made-up-pictures": (
        "Chatbots can be wrong, and pictures can be made up by a computer. Show your child one "
        "made-up picture and talk about how you can tell."
    ),
    "hate-and-extreme-ideas": (
        "If your child meets hateful words or videos online, stay calm, ask them to show you, "
        "and tell the school. Everyone is welcome: say so often."
    ),
    "pressure-from-people-i-know": (
        "Pressure can come from people your child knows. Agree a rule: nobody, even a friend, "
        "asks for private pictures or secrets. If they do, tell a trusted adult."
    ),
    "pictures-and-the-law-at-18": (
        "Young adults can still be pressured for pictures. Remind them they can always tell "
        "you or a trusted adult, and that help lines are there at any age."
    ),
}


@dataclass(frozen=True)
class Tip:
    """This week's tip for one child: the lesson's title (as pupils see it) and the tip."""

    lesson_id: str
    lesson_title: str
    text: str


def lessons_this_week(
    session: Session, pupil: Pupil, now: datetime, lessons: Catalogue
) -> list[str]:
    """Lesson ids the child is working on this week, most relevant first.

    Lessons the child played in the last seven days, newest first, then their lesson map's
    next lessons (their target first), so home talks about what school is teaching now.
    """
    week_ago = now - timedelta(days=7)
    recent = session.scalars(
        select(LessonAttempt.lesson_id)
        .where(LessonAttempt.pupil_id == pupil.id, LessonAttempt.started_at >= week_ago)
        .order_by(LessonAttempt.started_at.desc())
    )
    upcoming = (p.lesson.id for p in maps.next_first(session, pupil, lessons, today=now.date()))
    ordered: list[str] = []
    for lesson_id in (*recent, *upcoming):
        if lesson_id not in ordered:
            ordered.append(lesson_id)
    return ordered


def tip_for(session: Session, pupil: Pupil, now: datetime, lessons: Catalogue) -> Tip | None:
    """The tip for the first of this week's lessons that has one.

    None while carers may not be told about the child: after a worry the next lesson is the
    follow-up chosen for it, so its tip would tell carers what the worry was about.
    """
    if not policy.may_tell_carers(session, pupil.id):
        return None
    for lesson_id in lessons_this_week(session, pupil, now, lessons):
        if lesson_id in TIPS and lesson_id in lessons:
            lesson = lessons.get(lesson_id)
            return Tip(lesson_id, lesson.title.text, TIPS[lesson_id])
    return None
