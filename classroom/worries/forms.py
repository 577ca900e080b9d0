"""Forms for the safeguarding team and for staff raising a concern."""

from __future__ import annotations

import secrets

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from classroom.errors import checked_key
from classroom.forms import CharacterLimit, Form, SelectField
from classroom.worries.models import (
    AGENCY_LABELS,
    CATEGORY_LABELS,
    PARENT_CONTACT_LABELS,
    PUPIL_ROLE_MEANINGS,
    Risk,
)
from classroom.worries.services import COMMUNICATION, MAX_TEXT

TEXT = CharacterLimit(MAX_TEXT)  # said under each box and counted; never a maxlength
REFERENCE = CharacterLimit(80)  # an agency's reference number


def _category_choices(blank: str | None = None) -> dict[str, str]:
    choices = {"": blank} if blank else {}
    return choices | {c.value: label for c, label in CATEGORY_LABELS.items()}


# No decision is made by default: every choice below starts on an empty "Choose" option, so a
# rushed save cannot record a risk level, a category or "inform parents now" nobody chose.
CHOOSE = "Choose…"


class IncidentForm(Form):
    """A form on the incident page. Each drawing of the page gives it a new key, so the same
    form sent twice (a dropped connection, Save pressed again) makes its change once
    (`chronology.first_sending`); a form shown again after a refusal keeps its key."""

    once = HiddenField(default=lambda: secrets.token_hex(16))


class DecisionForm(IncidentForm):
    """A decision that replaces the one in force (triage, parent contact). `seen` is the
    chronology entry of the decision the page showed when it was drawn (0: none yet): a
    decision made on a page drawn before someone else's is refused, not laid over theirs."""

    seen = HiddenField(default="0")

    def seen_entry(self) -> int:
        value = (self.seen.data or "0").strip()
        return int(value) if value.isdigit() and len(value) < 12 else -1

    def seen_if_sent(self) -> int | None:
        """The mark, or None when the form came without one (a page drawn before closing
        carried it): nothing then tells what the sender saw, and closing goes on as before."""
        return self.seen_entry() if self.seen.raw_data else None


def once_key(form: Form | None) -> str | None:
    """The key this copy of an incident form came with; None for a form without one."""
    sent = form.once.raw_data if isinstance(form, IncidentForm) else None
    return checked_key(sent[0]) if sent and sent[0] else None


class TriageForm(DecisionForm):
    category = SelectField(
        "Category",
        choices=_category_choices(CHOOSE),
        validators=[DataRequired("Choose a category.")],
    )
    risk = SelectField(
        "Risk level",
        choices={"": CHOOSE} | {r.value: r.value.capitalize() for r in Risk},
        validators=[DataRequired("Choose a risk level.")],
    )
    rationale = TextAreaField("Why this risk level", validators=[DataRequired("Say why."), TEXT])
    # A decision like the others: an unticked box would record "not child protection" for a
    # DSL who never considered it.
    child_protection = SelectField(
        "Child-protection concern?",
        choices={"": CHOOSE, "yes": "Yes: a child-protection concern", "no": "No"},
        validators=[DataRequired("Choose whether this is a child-protection concern.")],
    )
    assignee_id = SelectField("Assigned to", choices={}, validators=[Optional()])


class NoteForm(IncidentForm):
    text = TextAreaField(
        "Action taken or decision", validators=[DataRequired("Write the note."), TEXT]
    )
    reason = TextAreaField("Reason", validators=[TEXT])


class ActionForm(IncidentForm):
    description = StringField("Action", validators=[DataRequired("Describe the action."), TEXT])
    owner_id = SelectField(
        "Owner",
        choices={},
        validators=[DataRequired("Choose who owns the action.")],
        description="Only the safeguarding team, who can open this record.",
    )
    due_on = DateField("Due", validators=[InputRequired("Give a due date.")])
    reason = TextAreaField(
        "Why this action", validators=[DataRequired("Say why this action is needed."), TEXT]
    )


class GiveActionForm(IncidentForm):
    """One open action given to another team member: one per action, prefixed by its id."""

    owner_id = SelectField(
        "Who takes it on",
        choices={},  # the team but its owner now (views._fill_choices); nobody chosen at first
        validators=[DataRequired("Choose who takes it on.")],
        # Someone not offered (its owner now, off the team, another school's, or a forged
        # value): plain words, not WTForms' "Not a valid choice".
        invalid_choice_message="Choose someone on this school's safeguarding team.",
    )
    reason = TextAreaField(
        "Why", validators=[DataRequired("Say why it goes to someone else."), TEXT]
    )


class AssignForm(DecisionForm):
    """Who the worry is assigned to, changed on its own (its holder left, or the DSL hands it
    to the deputy), with why: the triage is not recorded again just to change who holds it.
    `seen`: a change of holder made on a page drawn before another (or a triage) is refused."""

    assignee_id = SelectField(
        "Who takes it on",
        choices={},  # the team but who holds it now (views._fill_choices); nobody chosen at first
        validators=[DataRequired("Choose who takes it on.")],
        # Who holds it now, someone off the team, another school's, or a forged value.
        invalid_choice_message="Choose someone on this school's safeguarding team who does "
        "not hold it now.",
    )
    reason = TextAreaField("Why", validators=[DataRequired("Say why it goes to them."), TEXT])


# A pupil's role, said in plain words (models.PUPIL_ROLE_MEANINGS); none chosen at first.
ROLE_CHOICES = {"": CHOOSE} | {r.value: meaning for r, meaning in PUPIL_ROLE_MEANINGS.items()}
ROLE_HINT = (
    "Child-on-child harm: link the child harmed as affected, the child said to have caused it "
    "as alleged, and those who saw it as witnesses. Each needs a different response."
)


class LinkPupilForm(IncidentForm):
    pupil_id = SelectField("Pupil", choices={}, validators=[DataRequired("Choose the pupil.")])
    role = SelectField(
        "Role",
        choices=ROLE_CHOICES,
        validators=[DataRequired("Choose the pupil's role.")],
        description=ROLE_HINT,
    )
    reason = TextAreaField(
        "Why they are linked",
        validators=[DataRequired("Say why this pupil is linked."), TEXT],
        description="Their carers are held back with this record's parent-contact decision.",
    )


class PupilRoleForm(IncidentForm):
    """A linked pupil's role changed, with why: a link made as "involved" before the roles
    for child-on-child harm existed, or a witness later said to have caused it."""

    pupil_id = SelectField(
        "Pupil",
        choices={},  # the pupils linked to the record (views._fill_choices); none chosen
        validators=[DataRequired("Choose the pupil.")],
        invalid_choice_message="Choose a pupil linked to this record.",
    )
    role = SelectField(
        "Their role now",
        choices=ROLE_CHOICES,
        validators=[DataRequired("Choose the pupil's role now.")],
        description=ROLE_HINT,
    )
    reason = TextAreaField(
        "Why their role changes",
        validators=[DataRequired("Say why their role changes."), TEXT],
    )


class ReferralForm(IncidentForm):
    agency = SelectField(
        "Agency",
        choices={"": CHOOSE} | {a.value: label for a, label in AGENCY_LABELS.items()},
        validators=[DataRequired("Choose the agency you referred to.")],
    )
    reference = StringField("Their reference number", validators=[REFERENCE])
    reason = TextAreaField("Reason for referral", validators=[DataRequired("Say why."), TEXT])


class ReferralReplyForm(IncidentForm):
    referral_id = SelectField(
        "Referral", choices={}, validators=[DataRequired("Choose the referral they replied to.")]
    )
    replied_on = DateField("Reply received on", validators=[InputRequired("Give the day.")])
    reference = StringField(
        "Their reference number (if it is new)", validators=[Optional(), REFERENCE]
    )
    outcome = TextAreaField(
        "What they decided", validators=[DataRequired("Record what they decided."), TEXT]
    )


class ReferralChaseForm(IncidentForm):
    referral_id = SelectField(
        "Referral", choices={}, validators=[DataRequired("Choose the referral you chased.")]
    )
    what = TextAreaField("What you did", validators=[DataRequired("Say how you chased it."), TEXT])
    reference = StringField(
        "Their reference number (if they gave one)", validators=[Optional(), REFERENCE]
    )
    again_on = DateField(
        "Follow up again by", validators=[InputRequired("Give the day to follow up again.")]
    )


# "Whose carers is this for?": every family on the record, or one pupil's (worries.views fills
# the pupils in; asked only while more than one pupil is linked). Nothing is chosen at first.
EVERY_FAMILY = "every"


class WhoseCarers:
    """The question of a parent-contact decision on a record with several pupils, the same on
    the decision form and reopening's (templates/worries/_whose_carers.html draws it)."""

    whose = RadioField("Whose carers is this for?", choices=[], validate_choice=False)

    def whose_asked(self) -> bool:
        """Whether this sending makes a decision, so must say whose carers it is for."""
        return True

    def validate_whose(self, field: RadioField) -> None:
        offered = [str(value) for value, _label in field.choices or []]
        if offered and self.whose_asked() and field.data not in offered:
            raise ValidationError(
                "Choose whose carers this decision is for: every family on this record, or "
                "one pupil's carers only."
            )

    def family(self) -> int | None:
        """The pupil whose carers the decision is for; None for every family (or not asked)."""
        asked = bool(self.whose.choices) and self.whose_asked()
        value = (self.whose.data or "") if asked else ""
        return int(value) if value.isdigit() and len(value) < 12 else None


class ParentContactForm(WhoseCarers, DecisionForm):
    decision = SelectField(
        "Decision",
        choices={"": CHOOSE} | {d.value: label for d, label in PARENT_CONTACT_LABELS.items()},
        validators=[DataRequired("Choose a decision about contacting parents and carers.")],
    )
    reason = TextAreaField("Reason", validators=[DataRequired("Say why."), TEXT])
    review_on = DateField(
        "Review on",
        validators=[Optional()],
        description='Needed for "Not now": the queue lists it as a follow-up on that day.',
    )

    # Shown only while an agency has not replied to a referral (services.agencies_not_replied)
    # or "inform now" for every family would tell more than one family's carers (asked then of
    # it: services.told_by_every_family); unticked at first, and refused without it then.
    checked = BooleanField(
        "I have checked that telling carers now will not put the child at risk"
    )


class CloseForm(DecisionForm):
    """Closing is a decision on the whole record: `seen` is the last entry anyone on the team
    made when the page was drawn, so a close made on a page drawn before a colleague's
    escalation (a higher risk, a referral) is refused, not laid over it."""

    outcome = TextAreaField("Outcome", validators=[DataRequired("Record the outcome."), TEXT])
    lessons_learnt = TextAreaField(
        "Lessons learnt",
        validators=[DataRequired("Record the lessons learnt."), TEXT],
        description="About the process only; leave out names. Governors see this.",
    )


# Reopening asks about carers again: what was decided may not fit what has come to light.
KEEP_CONTACT = "keep"


class ReopenForm(WhoseCarers, IncidentForm):
    """On a record with several pupils a new decision says whose carers it is for, as on the
    decision form: the other families keep theirs (Ben's "not now" while Amira's are told)."""

    reason = TextAreaField("Why reopen", validators=[DataRequired("Say why."), TEXT])
    carers = SelectField(
        "Parents and carers while it is open again",
        choices={},  # this record's own (views._fill_choices): keep what is in force, or decide
        validators=[DataRequired("Choose what parents and carers are told while it is open.")],
        description="What was decided before may not fit what has come to light. The reason "
        "above goes with a new decision.",
    )
    review_on = DateField(
        "Review on",
        validators=[Optional()],
        description='Needed for "Not now": the queue lists it as a follow-up on that day.',
    )

    # Shown only while an agency has not replied to a referral (services.agencies_not_replied)
    # or "inform now" for every family would tell more than one family's carers; unticked at
    # first, and "inform now" (for every family, then) is refused without it.
    checked = BooleanField(
        "I have checked that telling carers now will not put the child at risk"
    )

    def whose_asked(self) -> bool:
        """Asked of a new decision only: "Keep" keeps each family's decision in force."""
        return self.carers.data not in (None, "", KEEP_CONTACT)


class ReleaseCarersForm(IncidentForm):
    reason = TextAreaField(
        "Why carers may be told again",
        validators=[DataRequired("Say why carers may be told again."), TEXT],
    )


class ConcernForm(Form):
    pupil_id = SelectField("Pupil", choices={}, validators=[DataRequired("Choose the pupil.")])
    summary = TextAreaField(
        "What happened",
        validators=[DataRequired("Say what happened."), TEXT],
        description="Facts: what you saw or were told, when and where.",
    )
    communication = SelectField(
        "How the pupil communicated it",
        choices={"": CHOOSE} | COMMUNICATION,
        validators=[DataRequired("Choose how the pupil communicated it.")],
    )
    exact_words = TextAreaField(
        "The pupil's exact words or signs (optional)",
        validators=[TEXT],
        description="Write them exactly; describe signs, symbols or behaviour as you saw them.",
    )
    category = SelectField("Category (optional)", choices=_category_choices("Not sure"))


class FollowUpForm(IncidentForm):
    pupil_id = SelectField("Pupil", choices={}, validators=[DataRequired("Choose the pupil.")])
    lesson_id = SelectField("Lesson", choices={}, validators=[DataRequired("Choose the lesson.")])
    reason = TextAreaField(
        "Why this lesson",
        validators=[DataRequired("Say why this lesson follows the worry."), TEXT],
        description="The chronology keeps it. The pupil's teacher sees the lesson, not why.",
    )


class ChosenAdultForm(IncidentForm):
    why = SelectField(
        "Why the chosen adult cannot talk to the pupil",
        choices={"": CHOOSE, "not_on_duty": "Not on duty", "subject": "The subject of the worry"},
        validators=[DataRequired("Choose why.")],
    )
    instead_id = SelectField(
        "Who will talk to the pupil instead",
        choices={},
        validators=[DataRequired("Choose who will talk to the pupil instead.")],
    )


class SubjectStaffForm(IncidentForm):
    subject_id = SelectField(
        "Which member of staff",
        choices={},  # the school's active staff (views._fill_choices); nobody chosen at first
        validators=[DataRequired("Choose the member of staff the worry is about.")],
    )
