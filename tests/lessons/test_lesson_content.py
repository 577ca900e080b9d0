"""The shipped lessons: they load, cover the curriculum and policy, and suit our pupils."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from classroom.lessons.content import (
    LESSONS_DIR,
    Catalogue,
    ChooseStep,
    LessonError,
    Pathway,
    Risk,
    SortStep,
    StepKind,
    Strand,
    YesNoStep,
    all_pupil_texts,
    load_lessons,
)
from classroom.lessons.kinds import KINDS
from classroom.risks import NOT_FOR_LESSONS
from classroom.symbols.library import svg_path
from classroom.worries.models import CATEGORY_LABELS, Category

# PRODUCT.md section 2: the fifteen topics every pupil's lesson map starts from.
PRODUCT_TOPICS = {
    1: "Feelings online",
    2: "Trusted adults",
    3: "Stop / finish",
    4: "Screen time",
    5: "Personal information",
    6: "Passwords",
    7: "Photos and permission",
    8: "People I know vs people online",
    9: "Kind and unkind messages",
    10: "Cyberbullying: stop - block - tell",
    11: "Block, screenshot, report",
    12: "Real or pretend?",
    13: "Games, chat and spending",
    14: "What I post stays online",
    15: "Pressure, secrets and private pictures",
}
FRIGHTENING = re.compile(
    r"\b(scary|scared|frightening|terrif\w*|danger\w*|kill\w*|die|dead|prison|arrest\w*|punish\w*)\b",
    re.IGNORECASE,
)
TEXT_ID = re.compile(r"^\d{2}\.(title|(pf|sf|f)\.s[1-7]\.(text|o[1-4]|g[12]|i[1-6]|fb|then|no))$")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_lessons(LESSONS_DIR, kinds=KINDS)


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def test_shipped_lessons_load_in_number_order(catalogue: Catalogue) -> None:
    numbers = [lesson.number for lesson in catalogue]
    assert numbers == sorted(numbers)
    assert len(catalogue) >= 15


def test_every_product_topic_has_a_lesson(catalogue: Catalogue) -> None:
    topics = {lesson.number: lesson.topic for lesson in catalogue}
    for number, topic in PRODUCT_TOPICS.items():
        assert topics[number].startswith(topic), number


def test_every_ukcis_strand_is_covered(catalogue: Catalogue) -> None:
    assert catalogue.strands() == set(Strand)


def test_every_risk_named_by_the_policy_is_covered(catalogue: Catalogue) -> None:
    # Every worry category but "other" is something a lesson teaches about.
    assert catalogue.risks() == set(Risk) - NOT_FOR_LESSONS


def test_lesson_risks_and_worry_categories_are_one_list(catalogue: Catalogue) -> None:
    """A lesson's risk is a category the safeguarding team files worries under, word for word."""
    categories = {category.value: CATEGORY_LABELS[category] for category in Category}
    for lesson in catalogue:
        for risk in lesson.risks:
            assert categories[risk.value] == risk.label
    assert set(categories) == {risk.value for risk in Risk}


def test_a_lesson_cannot_be_about_the_other_category(tmp_path: Path) -> None:
    source = (LESSONS_DIR / "09-kind-and-unkind.toml").read_text(encoding="utf-8")
    (tmp_path / "09-kind-and-unkind.toml").write_text(
        source.replace('risks = ["cyberbullying"]', 'risks = ["cyberbullying", "other"]'),
        encoding="utf-8",
    )
    with pytest.raises(LessonError, match="policy risk 'other' is for worries"):
        load_lessons(tmp_path, kinds=KINDS)


def test_every_lesson_has_all_three_pathways_in_order(catalogue: Catalogue) -> None:
    for lesson in catalogue:
        assert [v.pathway for v in lesson.versions] == list(Pathway)
        assert all(3 <= len(v.steps) <= 7 for v in lesson.versions)


def test_at_least_three_cyberbullying_lessons_including_bystanders(catalogue: Catalogue) -> None:
    bullying = {lesson.id for lesson in catalogue if Risk.CYBERBULLYING in lesson.risks}
    assert {"kind-and-unkind", "stop-block-tell", "bystanders"} <= bullying
    assert len(bullying) >= 3


def test_only_rse_and_prevent_topics_are_teacher_enabled(catalogue: Catalogue) -> None:
    gated = [lesson for lesson in catalogue if lesson.teacher_enabled_only]
    assert [lesson.number for lesson in gated] == [15, 25, 26, 27]
    assert all("DSL" in lesson.staff_note or "18" in lesson.staff_note for lesson in gated)


def test_teacher_enabled_lesson_is_hidden_until_enabled(catalogue: Catalogue) -> None:
    assert "pressure-secrets-pictures" not in {lesson.id for lesson in catalogue.available()}
    enabled = catalogue.available({"pressure-secrets-pictures"})
    assert len(enabled) == len(catalogue.available()) + 1


def test_every_choose_step_has_a_correct_option(catalogue: Catalogue) -> None:
    chooses = [
        s
        for lesson in catalogue
        for v in lesson.versions
        for s in v.steps
        if isinstance(s, ChooseStep)
    ]
    assert chooses
    for step in chooses:
        assert any(option.correct for option in step.options), step.id
        assert 2 <= len(step.options) <= 4, step.id


def test_every_answered_step_gives_feedback(catalogue: Catalogue) -> None:
    for lesson in catalogue:
        for version in lesson.versions:
            for step in version.steps:
                if isinstance(step, ChooseStep | SortStep | YesNoStep):
                    assert step.feedback.text, step.id


def test_sort_steps_use_both_groups(catalogue: Catalogue) -> None:
    sorts = [
        s
        for lesson in catalogue
        for v in lesson.versions
        for s in v.steps
        if isinstance(s, SortStep)
    ]
    assert sorts
    for step in sorts:
        assert {item.group for item in step.items} == {0, 1}, step.id


def test_text_ids_are_unique_and_well_formed(catalogue: Catalogue) -> None:
    ids = [text_id for text_id, _ in all_pupil_texts(catalogue)]
    assert len(ids) == len(set(ids))
    assert all(TEXT_ID.match(text_id) for text_id in ids)


def test_lesson_and_objective_ids_are_unique(catalogue: Catalogue) -> None:
    objectives = [v.objective.id for lesson in catalogue for v in lesson.versions]
    assert len(objectives) == len(set(objectives))
    assert len({lesson.id for lesson in catalogue}) == len(catalogue)


def test_every_symbol_is_an_openmoji_file_or_our_own_drawing(catalogue: Catalogue) -> None:
    codes = {lesson.symbol for lesson in catalogue}
    for lesson in catalogue:
        for version in lesson.versions:
            for step in version.steps:
                codes.add(step.symbol)
                if isinstance(step, ChooseStep):
                    codes.update(option.symbol for option in step.options)
                if isinstance(step, SortStep):
                    codes.update(group.symbol for group in step.groups)
                    codes.update(item.symbol for item in step.items)
    missing = sorted(code for code in codes if svg_path(code) is None)
    assert missing == []


def test_pupil_sentences_are_mostly_under_ten_words(catalogue: Catalogue) -> None:
    all_sentences = [s for _, text in all_pupil_texts(catalogue) for s in sentences(text)]
    short = [s for s in all_sentences if len(s.split()) < 10]
    assert len(short) / len(all_sentences) >= 0.9


def test_pre_formal_and_semi_formal_sentences_are_under_ten_words(catalogue: Catalogue) -> None:
    for lesson in catalogue:
        for pathway in (Pathway.PRE_FORMAL, Pathway.SEMI_FORMAL):
            for text in lesson.version(pathway).texts():
                assert all(len(s.split()) < 10 for s in sentences(text.text)), text.id


def test_pre_formal_uses_only_pre_formal_kinds(catalogue: Catalogue) -> None:
    """Sensory, cause-and-effect and engagement kinds; yes/no consent is an only-if-yes step."""
    pre_formal_kinds = {
        StepKind.STORY,
        StepKind.CAUSE_EFFECT,
        StepKind.UNTIL_I_ACT,
        StepKind.ONLY_IF_YES,
        StepKind.ANTICIPATE,
        StepKind.ME,
        StepKind.WHO_CAN_I_TELL,
    }
    for lesson in catalogue:
        kinds = Counter(step.kind for step in lesson.version(Pathway.PRE_FORMAL).steps)
        acted = sum(kinds[k] for k in pre_formal_kinds - {StepKind.STORY, StepKind.WHO_CAN_I_TELL})
        assert acted >= 1, lesson.id
        assert set(kinds) <= pre_formal_kinds | {StepKind.CHOOSE}, lesson.id


def test_semi_formal_is_mostly_choices(catalogue: Catalogue) -> None:
    answered = {StepKind.CHOOSE, StepKind.SORT, StepKind.YES_NO}
    for lesson in catalogue:
        steps = lesson.version(Pathway.SEMI_FORMAL).steps
        assert sum(step.kind in answered for step in steps) > len(steps) / 2, lesson.id


def test_pupil_text_is_never_frightening(catalogue: Catalogue) -> None:
    frightening = [(i, t) for i, t in all_pupil_texts(catalogue) if FRIGHTENING.search(t)]
    assert frightening == []


def test_all_pupil_texts_excludes_staff_only_text(catalogue: Catalogue) -> None:
    texts = dict(all_pupil_texts(catalogue))
    lesson = catalogue.get("kind-and-unkind")
    assert texts["09.title"] == lesson.title.text
    assert texts["09.sf.s2.g1"] == "Kind"
    assert lesson.version(Pathway.SEMI_FORMAL).objective.text not in texts.values()


def test_catalogue_looks_up_lessons_and_objectives(catalogue: Catalogue) -> None:
    lesson, version = catalogue.objective("stop-block-tell.sf")
    assert lesson is catalogue.get("stop-block-tell")
    assert version.pathway is Pathway.SEMI_FORMAL
    assert "stop-block-tell" in catalogue
    with pytest.raises(KeyError):
        catalogue.get("no-such-lesson")
