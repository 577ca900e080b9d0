"""policy.py: the role x right matrix, ownership, and that every scope agrees with its check."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.principals import Actor, Anonymous, PupilPrincipal
from classroom.pupils.models import ClassStaff
from tests.factories import link_parent, make_account, make_class, make_pupil, make_school

# Who holds which right: the school's recorded access rights (the policy asks for this record).
EXPECTED = {
    "manage_accounts": {Role.ADMIN},
    "import_pupils": {Role.ADMIN},
    "manage_classes": {Role.ADMIN, Role.HEADTEACHER},
    "view_audit_log": {Role.ADMIN, Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL},
    "approve_account_changes": {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER},
    "view_access_rights": {Role.ADMIN, Role.HEADTEACHER},
    "view_pupils": {
        Role.TEACHER,
        Role.TEACHING_ASSISTANT,
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.HEADTEACHER,
        Role.SENIOR_LEADER,
        Role.ADMIN,
    },
    "edit_pupil_settings": {Role.TEACHER, Role.TEACHING_ASSISTANT, Role.HEADTEACHER, Role.ADMIN},
    "manage_class_ipads": {Role.TEACHER, Role.TEACHING_ASSISTANT, Role.HEADTEACHER, Role.ADMIN},
    "view_own_children": {Role.PARENT},
    "work_incidents": {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER},
    "record_assessment": {Role.TEACHER, Role.TEACHING_ASSISTANT, Role.HEADTEACHER},
    "view_coverage": {
        Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.SENIOR_LEADER, Role.GOVERNOR,
    },
    "raise_concern": set(Role) - {Role.PARENT},
    "review_incidents": {
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.HEADTEACHER,
        Role.SENIOR_LEADER,
        Role.GOVERNOR,
    },
    "export_incident_log": {Role.DSL, Role.DEPUTY_DSL},
    "transfer_cp_files": {Role.DSL, Role.DEPUTY_DSL},
    "see_mail_failures": {Role.ADMIN, Role.DSL, Role.DEPUTY_DSL},
    "manage_carers": {Role.TEACHER, Role.TEACHING_ASSISTANT, Role.HEADTEACHER, Role.ADMIN},
    "share_with_carers": {
        Role.TEACHER,
        Role.TEACHING_ASSISTANT,
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.HEADTEACHER,
    },
    "send_parent_notices": {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER},
    "export_parent_messages": {Role.DSL, Role.DEPUTY_DSL},
    "author_lessons": {Role.TEACHER, Role.HEADTEACHER},
    "edit_school_rules": {Role.HEADTEACHER},
}


def test_every_right_is_in_the_expected_matrix() -> None:
    assert set(policy.RIGHTS) == set(EXPECTED)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("right", sorted(EXPECTED))
def test_role_holds_exactly_its_rights(session: Session, role: Role, right: str) -> None:
    account = make_account(session, role)
    assert policy.has_right(account, right) is (role in EXPECTED[right])


@pytest.mark.parametrize("right", sorted(EXPECTED))
def test_deactivated_accounts_and_nobody_hold_no_rights(session: Session, right: str) -> None:
    account = make_account(session, Role.ADMIN, active=False)
    assert not policy.has_right(account, right)
    assert not policy.has_right(Anonymous(), right)


def test_teacher_sees_only_pupils_in_their_classes(session: Session) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    mine, theirs = make_pupil(session, oak), make_pupil(session, willow)
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    assert list(session.scalars(policy.visible_pupils(teacher))) == [mine]
    assert policy.can_view_pupil(session, teacher, mine)
    assert not policy.can_view_pupil(session, teacher, theirs)
    assert policy.can_edit_pupil_settings(session, teacher, mine)
    assert not policy.can_edit_pupil_settings(session, teacher, theirs)


def test_parent_sees_only_their_own_linked_child(session: Session) -> None:
    school_class = make_class(session)
    child, other = make_pupil(session, school_class), make_pupil(session, school_class)
    parent = make_account(session, Role.PARENT)
    link = link_parent(session, parent, child)
    assert list(session.scalars(policy.visible_pupils(parent))) == [child]
    assert not policy.can_view_pupil(session, parent, other)
    assert not policy.can_edit_pupil_settings(session, parent, child)

    link.revoked_at = utcnow()
    session.flush()
    assert list(session.scalars(policy.visible_pupils(parent))) == []


def test_governor_sees_no_individual_pupil(session: Session) -> None:
    pupil = make_pupil(session)
    governor = make_account(session, Role.GOVERNOR)
    assert list(session.scalars(policy.visible_pupils(governor))) == []
    assert not policy.can_view_pupil(session, governor, pupil)


def test_staff_never_see_another_schools_pupils(session: Session) -> None:
    ours, theirs = make_school(session, name="Ours"), make_school(session, name="Theirs")
    our_pupil = make_pupil(session, make_class(session, school=ours))
    their_pupil = make_pupil(session, make_class(session, school=theirs))
    for role in (Role.HEADTEACHER, Role.DSL, Role.ADMIN):
        leader = make_account(session, role, school=ours)
        assert policy.can_view_pupil(session, leader, our_pupil)
        assert not policy.can_view_pupil(session, leader, their_pupil)
        assert not policy.can_edit_pupil_settings(session, leader, their_pupil)


@pytest.mark.parametrize("role", list(Role))
def test_visible_pupils_agrees_with_can_view_pupil(session: Session, role: Role) -> None:
    oak, willow = make_class(session), make_class(session)
    pupils = [make_pupil(session, oak), make_pupil(session, willow)]
    actor = make_account(session, role, classes=[oak])
    if role == Role.PARENT:
        link_parent(session, actor, pupils[1])
    visible = set(session.scalars(policy.visible_pupils(actor)))
    assert visible == {p for p in pupils if policy.can_view_pupil(session, actor, p)}


@pytest.mark.parametrize("role", list(Role))
def test_ipad_class_scope_agrees_with_can_manage(session: Session, role: Role) -> None:
    oak, willow = make_class(session), make_class(session)
    actor = make_account(session, role, classes=[oak])
    scoped = set(session.scalars(policy.visible_ipad_classes(actor)))
    assert scoped == {c for c in (oak, willow) if policy.can_manage_class_ipads(session, actor, c)}


def test_pupil_signs_in_only_on_their_own_class_ipad(session: Session) -> None:
    oak, willow = make_class(session), make_class(session)
    pupil = make_pupil(session, oak)
    assert policy.can_pupil_sign_in_on(pupil, oak.id)
    assert not policy.can_pupil_sign_in_on(pupil, willow.id)
    pupil.active = False
    assert not policy.can_pupil_sign_in_on(pupil, oak.id)


def test_speech_lets_in_anyone_signed_in_and_a_class_ipad_with_nobody_signed_in(
    session: Session,
) -> None:
    """/speech: the class iPad's tiles speak too (the view then asks for a live device cookie
    and refuses anyone else, tests/speech/test_class_ipad_speech.py)."""
    pupil = make_pupil(session)
    actors: list[Actor] = [make_account(session, role) for role in Role]
    actors += [PupilPrincipal(pupil, None, 0), Anonymous()]  # type: ignore[arg-type]
    for actor in actors:
        assert policy.route_allows("signed_in_or_class_ipad", actor)
        assert policy.route_allows("signed_in", actor) or policy.route_allows("class_ipad", actor)


def test_unknown_access_rule_is_refused_at_definition() -> None:
    with pytest.raises(KeyError):
        policy.allow("everyone_please")


@pytest.mark.parametrize(
    ("reach", "roles"),
    [
        ("lead", {Role.DSL}),
        ("alerted", {Role.DSL, Role.DEPUTY_DSL}),
        ("team", {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER}),
    ],
)
def test_safeguarding_team_reaches_active_team_members_of_the_school_only(
    session: Session, reach: str, roles: set[Role]
) -> None:
    school = make_school(session)
    staff = {role: make_account(session, role, school=school) for role in Role}
    make_account(session, Role.DSL, school=school, active=False)
    make_account(session, Role.DSL, school=make_school(session))
    found = set(session.scalars(policy.safeguarding_team(school.id, reach)))
    assert found == {staff[role] for role in roles}
    # Everyone it reaches may open the worry they are told about (never a 404 after an alert).
    assert all(policy.is_safeguarding_team(account) for account in found)


def test_remembered_scopes_follow_each_persons_role_school_and_classes(session: Session) -> None:
    """Scopes are kept per person (policy.SCOPES_REMEMBERED): what each person is shown still
    follows who they are now, and one person's scope is never another's."""
    school, other_school = make_school(session), make_school(session)
    oak, ash, birch = (make_class(session, school) for _ in range(3))
    elm = make_class(session, other_school)
    in_oak, in_ash, in_birch = (make_pupil(session, c) for c in (oak, ash, birch))
    in_elm = make_pupil(session, elm)
    teacher = make_account(session, Role.TEACHER, classes=[oak], school=school)
    colleague = make_account(session, Role.TEACHER, classes=[ash], school=school)
    elsewhere = make_account(session, Role.HEADTEACHER, school=other_school)
    carer = make_account(session, Role.PARENT, school=school)
    link_parent(session, carer, in_ash)

    def pupils(actor: object) -> set[int]:
        return {p.id for p in session.scalars(policy.visible_pupils(actor))}  # type: ignore[arg-type]

    def classes(actor: object) -> set[int]:
        return {c.id for c in session.scalars(policy.visible_classes(actor))}  # type: ignore[arg-type]

    for _ in range(2):  # asked again: the remembered scope gives the same answer
        assert pupils(teacher) == {in_oak.id}
        assert classes(teacher) == {oak.id}
        assert pupils(colleague) == {in_ash.id}
        assert pupils(elsewhere) == {in_elm.id}
        assert pupils(carer) == {in_ash.id}
    session.add(ClassStaff(class_id=ash.id, account_id=teacher.id))  # joins a second class
    session.flush()
    assert pupils(teacher) == {in_oak.id, in_ash.id}
    teacher.role = Role.HEADTEACHER  # promoted: the whole school, settings of every class
    assert pupils(teacher) == {in_oak.id, in_ash.id, in_birch.id}
    settings = policy.visible_settings_classes(teacher)
    assert {c.id for c in session.scalars(settings)} == {oak.id, ash.id, birch.id}
    teacher.role = Role.GOVERNOR  # no pupils at all
    assert pupils(teacher) == set()
    assert classes(teacher) == set()
    teacher.role = Role.TEACHER
    teacher.active = False  # left: nothing, although the scope for the role was remembered
    assert pupils(teacher) == set()
