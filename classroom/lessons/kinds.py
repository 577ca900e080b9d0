"""Step kinds, one unit each: registered once here, used by the reader, player, authoring and pages.

A step kind is everything the app knows about one kind of screen: its data type, the extra keys
its lesson-file table (and the teachers' form) holds, how those are read and checked, how an
answer is judged, the cards it offers, how a switch user works it, its template partial and the
plain words teachers see for it. `KINDS` maps each `StepKind` to that unit, so the rest of the
app asks `spec(step)` instead of testing which kind a step is; adding a kind is one entry here,
one partial in templates/lessons/steps/, and its form block in templates/authoring/.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from classroom.errors import Invalid
from classroom.lessons import arrangement
from classroom.lessons.arrangement import Card
from classroom.lessons.content.lines import At
from classroom.lessons.content.model import (
    MAX_WORDS,
    Action,
    Animation,
    AnticipateStep,
    CauseEffectStep,
    ChooseStep,
    MeStep,
    OnlyIfYesStep,
    Option,
    Pathway,
    Place,
    SortGroup,
    SortItem,
    SortStep,
    Sound,
    Step,
    StepKind,
    StoryStep,
    Text,
    UntilIActStep,
    WhoCanITellStep,
    YesNoStep,
)

E = TypeVar("E", bound=StrEnum)
# id, number, main text, picture: what every step has before its kind's own fields.
Base = tuple[str, int, Text, str]


class StepReader(Protocol):
    """What a kind needs from the lesson reader to read its own keys (content/reader.py)."""

    def choice(self, table: Mapping[str, Any], key: str, at: At, kind: type[E], default: E) -> E:
        """One of an enum's values, or `default` (and a problem) if it is not one."""

    def text(self, table: Mapping[str, Any], key: str, at: At, limit: int, text_id: str) -> Text:
        """Pupil-facing text of at most `limit` words."""

    def flag(self, table: Mapping[str, Any], key: str, at: At) -> bool:
        """true or false."""

    def symbol(self, table: Mapping[str, Any], at: At) -> str:
        """A picture code that exists."""

    def wait(self, table: dict[str, Any], at: At) -> int:
        """A wait in seconds, within the allowed range."""

    def options(self, table: dict[str, Any], at: At, step_id: str) -> tuple[Option, ...]:
        """A choose step's options."""

    def sort(
        self, table: dict[str, Any], at: At, step_id: str
    ) -> tuple[tuple[SortGroup, SortGroup], tuple[SortItem, ...]]:
        """A sort step's groups and items."""


@dataclass(frozen=True)
class Outcome:
    """What the pupil sees after an answer: errorless, so a wrong answer shows the right one."""

    correct: bool | None  # None: nothing to get right (story, cause and effect, who can I tell)
    right_answer: str | None = None
    step_done: bool = True


class SwitchUse(StrEnum):
    """How a pupil using a switch (or Space/Enter) works the step; shown as data-switch."""

    NEXT = "next"  # nothing to answer: scanning goes straight to Next
    SCAN_CARDS = "scan_cards"  # scanning steps through the answer cards; a press chooses
    ONE_PRESS = "one_press"  # one big target: any press of the switch is the pupil acting


Reader = Callable[[StepReader, dict[str, Any], At, Base, Text], Step]
Judge = Callable[[Any, str, int, int], Outcome]
Cards = Callable[[Any, int, int], list[Card]]


@dataclass(frozen=True)
class KindSpec:
    """Everything about one step kind, in one place."""

    kind: StepKind
    type: type[Step]
    label: str  # what teachers see: plain words, no internal keys
    keys: frozenset[str]  # the kind's own keys in a lesson file table and a teacher's document
    read: Reader
    judge: Judge
    switch: SwitchUse
    cards: Cards = lambda step, seed, item: []  # noqa: E731 - most kinds offer no cards
    # Whether the pupil may go on without acting (nothing to answer on this screen).
    free_next: bool = False
    # Opened again once answered (back from Report a worry, a reload), the screen asks again
    # rather than showing the answer kept: consent, which a pupil may always change.
    asks_again: bool = False
    # Cause and effect shows its picture as the big target instead of above the text.
    picture_above: bool = True
    # The pupil's own trusted adults, or their own photo, are fetched for the page.
    shows_people: bool = False
    shows_own_photo: bool = False
    # Answered one item at a time (a sort step): how many items there are.
    items: Callable[[Any], int] = lambda step: 0  # noqa: E731
    pre_formal: bool = False  # made for pre-formal objectives
    # (picture, is it right) for each answer the author pictured, in file order, for the
    # loader's cue checks; yes/no pictures are the app's own, so only chosen pictures count.
    answer_pictures: Callable[[Any], list[tuple[str, bool]]] = lambda step: []  # noqa: E731
    optional: frozenset[str] = frozenset()  # own keys a step may leave out

    @property
    def all_keys(self) -> frozenset[str]:
        return self.keys | self.optional

    @property
    def name(self) -> str:
        """The label's short form, e.g. "Tap to make something happen"."""
        return self.label.split(":")[0]

    @property
    def partial(self) -> str:
        """The template that draws the step's answers, in the player and the teacher preview."""
        return f"lessons/steps/{self.kind.value}.html"


# --- reading each kind's keys -------------------------------------------------------------------


def _story(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    return StoryStep(*base)


def _choose(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    own_photo = reader.flag(table, "own_photo", at) if "own_photo" in table else False
    return ChooseStep(*base, reader.options(table, at, base[0]), fb, own_photo)


def _sort(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    groups, items = reader.sort(table, at, base[0])
    return SortStep(*base, groups, items, fb)


def _yes_no(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    return YesNoStep(*base, reader.flag(table, "answer", at), fb)


def _who(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    place = reader.choice(table, "place", at, Place, Place.SCHOOL) if "place" in table else None
    return WhoCanITellStep(*base, place)


def _sound(reader: StepReader, table: dict[str, Any], at: At) -> Sound:
    return reader.choice(table, "sound", at, Sound, Sound.CHIME)


def _animation(reader: StepReader, table: dict[str, Any], at: At) -> Animation:
    return reader.choice(table, "animation", at, Animation, Animation.GROW)


def _cause(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    return CauseEffectStep(*base, _sound(reader, table, at), _animation(reader, table, at))


def _until(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    action = reader.choice(table, "action", at, Action, Action.STOP)
    return UntilIActStep(*base, _sound(reader, table, at), _animation(reader, table, at), action)


def _only_if_yes(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    limit = MAX_WORDS[Pathway.PRE_FORMAL]
    then = reader.text(table, "then", at.child("then"), limit, f"{base[0]}.then")
    if_no = reader.text(table, "if_no", at.child("if_no"), limit, f"{base[0]}.no")
    then_symbol = reader.symbol({"symbol": table.get("then_symbol")}, at.child("then_symbol"))
    return OnlyIfYesStep(*base, then, then_symbol, _sound(reader, table, at), if_no)


def _anticipate(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    sound, animation = _sound(reader, table, at), _animation(reader, table, at)
    return AnticipateStep(*base, sound, animation, reader.wait(table, at))


def _me(reader: StepReader, table: dict[str, Any], at: At, base: Base, fb: Text) -> Step:
    return MeStep(*base, _sound(reader, table, at))


# --- judging each kind's answers ---------------------------------------------------------------


def _nothing_to_judge(step: Step, answer: str, position: int, seed: int) -> Outcome:
    return Outcome(None)


def _judge_cards(unknown: str) -> Judge:
    """Choose and yes/no: judged by what the card is ("o2", "yes"), never where it was."""

    def judge(step: Step, answer: str, position: int, seed: int) -> Outcome:
        cards = spec(step).cards(step, seed, 0)
        if answer not in {card.value for card in cards}:
            raise Invalid(unknown)
        right = next(card.value for card in sorted(cards, key=lambda c: c.value) if card.right)
        ok = next(card.right for card in cards if card.value == answer)
        return Outcome(ok, right, ok)

    return judge


def sort_item(step: SortStep, position: int, seed: int) -> int:
    """The content index of the item shown at `position` of a sort step in this attempt."""
    order = arrangement.sort_order(step, seed)
    if not 0 <= position < len(order):
        raise Invalid("Choose one of the two groups.")
    return order[position]


def _judge_sort(step: SortStep, answer: str, position: int, seed: int) -> Outcome:
    item = sort_item(step, position, seed)
    if answer not in {arrangement.group_value(i) for i in range(len(step.groups))}:
        raise Invalid("Choose one of the two groups.")
    right = arrangement.group_value(step.items[item].group)
    ok = answer == right
    return Outcome(ok, right, ok and position == len(step.items) - 1)


def _judge_who(step: WhoCanITellStep, answer: str, position: int, seed: int) -> Outcome:
    return Outcome(True if answer else None)


def _judge_until(step: UntilIActStep, answer: str, position: int, seed: int) -> Outcome:
    """The pupil stopped (or finished) the sound themselves: that is the objective met."""
    if answer != step.action.value:
        raise Invalid("Press the big button.")
    return Outcome(True)


def _judge_tap(step: Step, answer: str, position: int, seed: int) -> Outcome:
    """Anticipate and me: the pupil's tap brings the reward; nothing to get wrong."""
    if answer != "tap":
        raise Invalid("Press the big button.")
    return Outcome(None)


def _judge_consent(step: OnlyIfYesStep, answer: str, position: int, seed: int) -> Outcome:
    if answer not in (arrangement.YES, arrangement.NO):
        raise Invalid("Answer yes or no.")
    return Outcome(None)  # any answer is the pupil's to give; the page honours it


# --- the cards each kind offers ----------------------------------------------------------------


def _choose_cards(step: ChooseStep, seed: int, item: int) -> list[Card]:
    cards = [
        Card(arrangement.option_value(n), option.symbol, option.text.text, option.correct)
        for n, option in enumerate(step.options, start=1)
    ]
    first_right = next(i for i, card in enumerate(cards) if card.right)
    return arrangement.arranged(seed, step.id, cards, first_right)


def _yes_no_cards(step: YesNoStep, seed: int, item: int) -> list[Card]:
    cards = [Card("yes", "2705", "Yes", step.answer), Card("no", "274C", "No", not step.answer)]
    return arrangement.arranged(seed, step.id, cards, 0 if step.answer else 1)


def _consent_cards(step: OnlyIfYesStep, seed: int, item: int) -> list[Card]:
    # Both are the pupil's own answer: neither is marked, and their place still changes.
    cards = [Card("yes", "1F44D", "Yes", True), Card("no", "1F44E", "No", True)]
    return arrangement.arranged(seed, step.id, cards, 0)


def _sort_cards(step: SortStep, seed: int, item: int) -> list[Card]:
    """The two groups; "right" is the group of the item with content index `item`."""
    group = step.items[item].group if 0 <= item < len(step.items) else 0
    cards = [
        Card(arrangement.group_value(i), g.symbol, g.label.text, i == group)
        for i, g in enumerate(step.groups)
    ]
    # The groups keep one order for the whole step (moving targets mid-sort confuse);
    # which side is which still changes from attempt to attempt.
    return arrangement.arranged(seed, step.id, cards, 0)


# --- the registry -------------------------------------------------------------------------------

_TOUCH = frozenset({"sound", "animation"})

KINDS: dict[StepKind, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec(
            StepKind.STORY,
            StoryStep,
            "Story: words and a picture, read aloud",
            frozenset(),
            _story,
            _nothing_to_judge,
            SwitchUse.NEXT,
            free_next=True,
        ),
        KindSpec(
            StepKind.CHOOSE,
            ChooseStep,
            "Choose: pick the right answer from 2 to 4",
            frozenset({"options", "feedback"}),
            _choose,
            _judge_cards("Choose one of the pictures."),
            SwitchUse.SCAN_CARDS,
            cards=_choose_cards,
            answer_pictures=lambda step: [(o.symbol, o.correct) for o in step.options],
            optional=frozenset({"own_photo"}),  # the question is about the pupil's photo
        ),
        KindSpec(
            StepKind.SORT,
            SortStep,
            "Sort: put 3 to 6 things into two groups",
            frozenset({"groups", "items", "feedback"}),
            _sort,
            _judge_sort,
            SwitchUse.SCAN_CARDS,
            cards=_sort_cards,
            items=lambda step: len(step.items),
        ),
        KindSpec(
            StepKind.YES_NO,
            YesNoStep,
            "Yes or no: the pupil answers a sentence",
            frozenset({"answer", "feedback"}),
            _yes_no,
            _judge_cards("Answer yes or no."),
            SwitchUse.SCAN_CARDS,
            cards=_yes_no_cards,
        ),
        KindSpec(
            StepKind.WHO_CAN_I_TELL,
            WhoCanITellStep,
            "Who can I tell: the pupil picks one of their own trusted adults",
            frozenset(),
            _who,
            _judge_who,
            SwitchUse.SCAN_CARDS,
            shows_people=True,
            optional=frozenset({"place"}),  # only adults at school, or at home
        ),
        KindSpec(
            StepKind.CAUSE_EFFECT,
            CauseEffectStep,
            "Tap to make something happen: a sound and a moving picture",
            _TOUCH,
            _cause,
            _nothing_to_judge,
            SwitchUse.ONE_PRESS,
            free_next=True,
            picture_above=False,
            pre_formal=True,
        ),
        KindSpec(
            StepKind.UNTIL_I_ACT,
            UntilIActStep,
            "Make it stop: a sound plays until the pupil presses stop or finished",
            _TOUCH | {"action"},
            _until,
            _judge_until,
            SwitchUse.ONE_PRESS,
            pre_formal=True,
        ),
        KindSpec(
            StepKind.ONLY_IF_YES,
            OnlyIfYesStep,
            "Only if yes: something happens only after a yes, and a no is respected",
            frozenset({"then", "then_symbol", "sound", "if_no"}),
            _only_if_yes,
            _judge_consent,
            SwitchUse.SCAN_CARDS,
            cards=_consent_cards,
            asks_again=True,
            pre_formal=True,
        ),
        KindSpec(
            StepKind.ANTICIPATE,
            AnticipateStep,
            "Wait for it: ready, steady … then the pupil's tap brings the reward",
            _TOUCH | {"wait"},
            _anticipate,
            _judge_tap,
            SwitchUse.ONE_PRESS,
            pre_formal=True,
        ),
        KindSpec(
            StepKind.ME,
            MeStep,
            "Me: the pupil's own photo, and a sound when they tap",
            frozenset({"sound"}),
            _me,
            _judge_tap,
            SwitchUse.ONE_PRESS,
            shows_own_photo=True,
            pre_formal=True,
        ),
    )
}


def spec(step: Step | StepKind) -> KindSpec:
    """The registered unit for a step (or a kind)."""
    return KINDS[step if isinstance(step, StepKind) else step.kind]


def judge(step: Step, answer: str, position: int = 0, seed: int = 0) -> Outcome:
    """Whether an answer is right for a step; unknown answers are Invalid (a 400).

    `position` is how far through a sort step the pupil is, in the attempt's (`seed`) order.
    """
    return spec(step).judge(step, answer, position, seed)


def choice_cards(step: Step, seed: int, item: int = 0) -> list[Card]:
    """The cards a pupil chooses from on this step (none for steps without choices)."""
    return spec(step).cards(step, seed, item)


def shown_item(step: Step, position: int, seed: int) -> tuple[int, SortItem | None]:
    """For a step answered item by item: the content index and item at `position`."""
    if not spec(step).items(step):
        return 0, None
    assert isinstance(step, SortStep)  # noqa: S101 - only sort steps have items
    index = sort_item(step, position, seed)
    return index, step.items[index]


def answered_id(step: Step, position: int, seed: int) -> str:
    """The step id, and for an item-by-item step the item's own id ("09.sf.s3.i2")."""
    index, item = shown_item(step, position, seed)
    return step.id if item is None else f"{step.id}.i{index + 1}"


_PLAIN_ANSWERS = {"yes": "Yes", "no": "No", "stop": "Stop", "finish": "Finished", "tap": "Tapped"}


def answer_words(step: Step, answer: str, people: Mapping[str, str]) -> str:
    """An answer as a teacher reads it: the card's own words ("Block them", "Unkind", the
    adult's name), never the code the card sends ("o2", "g1", "staff-12").

    `people`: the pupil's trusted adults by answer value (symbols.people.Person.key).
    """
    if isinstance(step, ChooseStep):
        for n, option in enumerate(step.options, 1):
            if arrangement.option_value(n) == answer:
                return option.text.text
    if isinstance(step, SortStep):
        for index, group in enumerate(step.groups):
            if arrangement.group_value(index) == answer:
                return group.label.text
    if isinstance(step, WhoCanITellStep):
        return people.get(answer, "A trusted adult no longer on their list")
    return _PLAIN_ANSWERS.get(answer, answer)


def next_number(step: Step, number: int, answer: str | None) -> int:
    """The screen after this one: the next, or the earlier one a chosen answer goes back to
    (`Option.again`: "More" brings another turn)."""
    if isinstance(step, ChooseStep) and answer:
        for n, option in enumerate(step.options, 1):
            if arrangement.option_value(n) == answer and option.again:
                return option.again
    return number + 1


def item_words(step: Step, number: int) -> str | None:
    """The words of an item-by-item step's item by its number from 1 (answered_id's ".i2")."""
    if isinstance(step, SortStep) and 1 <= number <= len(step.items):
        return step.items[number - 1].text.text
    return None


def labels(kinds: Collection[StepKind] = tuple(StepKind)) -> list[tuple[str, str]]:
    """(value, plain words) for a teacher's kind menu."""
    return [(kind.value, KINDS[kind].label) for kind in kinds]
