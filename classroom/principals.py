"""Who is acting: a staff/parent account, a pupil on a class iPad, or nobody."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from classroom.accounts.models import Account
from classroom.errors import Forbidden
from classroom.pupils.models import Pupil

if TYPE_CHECKING:
    from classroom.devices.models import Device


@dataclass
class PupilPrincipal:
    """A pupil signed in on a class iPad: a low-assurance session with narrow, write-only rights."""

    pupil: Pupil
    device: Device
    session_id: int

    is_staff = False
    is_parent = False
    is_pupil = True
    is_authenticated = True
    is_active = True
    is_anonymous = False
    role = None
    flask_login_id = ""

    @property
    def id(self) -> int:
        return self.pupil.id

    def get_id(self) -> str:
        return self.flask_login_id


class Anonymous:
    """Nobody signed in (Flask-Login's anonymous user)."""

    is_staff = False
    is_parent = False
    is_pupil = False
    is_authenticated = False
    is_active = False
    is_anonymous = True
    role = None
    id = None

    def get_id(self) -> None:
        return None


Actor: TypeAlias = "Account | PupilPrincipal | Anonymous"


def account_id(actor: object) -> int | None:
    """The id of the staff or carer account acting; None for a pupil, the system or nobody."""
    return actor.id if isinstance(actor, Account) else None


def require_account_id(actor: object) -> int:
    """The acting account's id, for rows only an account may own (a pupil or nobody: refused)."""
    found = account_id(actor)
    if found is None:
        raise Forbidden("only a signed-in member of staff or carer may do this")
    return found


def actor_identity(actor: object) -> tuple[str, int | None, str]:
    """(kind, id, name) for the audit log."""
    if isinstance(actor, Account):
        return ("parent" if actor.is_parent else "staff", actor.id, actor.display_name)
    if isinstance(actor, PupilPrincipal):
        actor = actor.pupil
    if isinstance(actor, Pupil):  # a pupil's own action (a worry, a lesson), as the pupil
        return ("pupil", actor.id, actor.full_name)
    return ("system", None, "system")
