"""Governors' review: a score in a lesson learnt reads as a score, not as "[date]".

"Pupil scored 5/10 on the quiz" reached governors as "Pupil scored [date] on the quiz": a day
and month with no year ("on 3/12") is scrubbed, and 5/10 is also 5 October. The rule: a day
and month with no year stays only with a score's words beside it, "scored 5/10" or "a score of
8/10" before it, or "on the quiz", "in her spelling test" after it (and no "on", "from" or day
of the week just before). Anything else is still scrubbed: a date left in can name the
incident, where a lost score only loses detail. "3/4 of the class" stayed already.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "Pupil scored 5/10 on the quiz, so the lesson is taught again.",
        "Most pupils scored 3/4.",
        "A score of 8/10 after the talk.",
        "She got 7/10 in her spelling test.",
        "5/10 on the e-safety quiz before the talk.",
        "3/4 of the class knew who to tell.",
    ],
)
def test_a_score_reads_as_a_score(scrub: Callable[[str], str], text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pupil scored 5/10 on the quiz on 3/12.", "Pupil scored 5/10 on the quiz on [date]."),
        ("On 5/10 in the maths test he showed it.", "On [date] in the maths test he showed it."),
        ("Friday 5/10 on the quiz.", "Friday [date] on the quiz."),
        ("It happened 5/10 on the bus.", "It happened [date] on the bus."),
        ("A fight 5/10 in the exam hall.", "A fight [date] in the exam hall."),
        ("Staff got 5/10 off for training.", "Staff got [date] off for training."),
        ("She scored 5/10/26.", "She scored [date]."),
        (
            "Seen 10/5, 10/05/2026, 5/10/26 and 5th October.",
            "Seen [date], [date], [date] and [date].",
        ),
        ("w/c 27/10 and from 01/09", "w/c [date] and from [date]"),
    ],
)
def test_a_date_beside_a_score_word_still_goes(
    scrub: Callable[[str], str], text: str, expected: str
) -> None:
    assert scrub(text) == expected
