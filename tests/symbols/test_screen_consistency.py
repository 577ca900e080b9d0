"""One picture per word on a screen; cards agree with the word list; yes/no one pair."""

from __future__ import annotations

import re

from classroom import ROOT
from classroom.lessons.content import load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.consistency import Card, Screen, screen_problems, yes_no_pictures
from classroom.symbols.lesson_check import lesson_step_screens
from classroom.symbols.vocabulary import load_vocabulary


def test_a_card_that_names_a_word_must_show_that_words_picture() -> None:
    screen = Screen("s1", ("Are you happy?",), (Card("Happy", "1F60A"), Card("Sad", "2639")))
    problems = screen_problems(screen)
    assert any("the card 'Happy' shows '1F60A'" in p and "'1F600'" in p for p in problems)
    assert any("'happy' has different pictures on one screen: 1F600, 1F60A" in p for p in problems)
    assert not any("'Sad'" in p for p in problems)


def test_a_screen_whose_pictures_agree_passes() -> None:
    screen = Screen("s1", ("Is it kind?",), (Card("Kind", "1FAF6"), Card("Unkind", "1F494")))
    assert screen_problems(screen) == []


def test_never_share_words_cannot_share_a_picture_on_one_screen() -> None:
    # A card for "feelings" drawn with the pretend masks, beside "pretend" in the question.
    screen = Screen("s2", ("Is it pretend?",), (Card("Real", "2705"), Card("A feeling", "1F3AD")))
    assert screen_problems(screen) == []  # "A feeling" is not exactly one word: no claim
    clash = Screen("s3", ("Is it pretend?",), (Card("Feelings", "1F3AD"),))
    problems = "\n".join(screen_problems(clash))
    assert "the card 'Feelings' shows '1F3AD'" in problems
    assert "'feelings', 'pretend' must never share a picture" not in problems  # not in a group
    yes_no = Screen("s4", ("Yes or no?",), (Card("Yes", "274C"),))
    assert "'no', 'yes' must never share a picture, but share '274C'" in "\n".join(
        screen_problems(yes_no)
    )


def test_yes_and_no_are_one_pair_everywhere() -> None:
    yes, no = yes_no_pictures()
    assert (yes, no) == (load_vocabulary().entries["yes"].symbol, "274C")
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for word, code in re.findall(r"card\('(yes|no)',\s*'([0-9A-Fa-z-]+)'", text):
            assert code == (yes if word == "yes" else no), template


def test_every_lesson_step_becomes_a_screen_with_its_cards() -> None:
    lessons = load_lessons(kinds=KINDS)
    screens = [screen for lesson in lessons for screen in lesson_step_screens(lesson)]
    assert len(screens) > 100
    yes, no = yes_no_pictures()
    yes_no_screens = [s for s in screens if Card("Yes", yes) in s.cards]
    assert yes_no_screens
    assert all(Card("No", no) in s.cards for s in yes_no_screens)
