"""Account changes waiting for a second person: roles, passwords, two-step sign-in, email
addresses and reactivation of the safeguarding team."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom.accounts.models import Role
from classroom.db import Base, UtcDateTime, str_enum


class ChangeKind(StrEnum):
    ROLE = "role"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind of change, not a password)
    TWO_STEP_RESET = "two_step_reset"  # a lost authenticator: set up again at next sign-in
    EMAIL = "email"  # a new address (`new_email`), or none: where their alerts go
    REACTIVATE = "reactivate"  # a deactivated team member's account, active again


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    # An email change whose account's address changed after it was asked (`old_email`): made
    # void when someone tries to approve it, so it never overwrites the address they now have.
    # Also a role change that would change nothing (the role is already in force), and any
    # change still waiting when another of its kind for the same account was approved first.
    VOID = "void"


class AccountChangeRequest(Base):
    """A role change, password reset, two-step reset, email address change or reactivation that
    touches the safeguarding team.

    It has no effect until the headteacher or another member of the team approves it, so one
    admin alone can never give an account (their own or another) access to child-protection
    records, nor take over a team member's account by resetting its password, nor send a team
    member's safeguarding alerts to an address of their choosing.
    """

    __tablename__ = "account_change_requests"
    __table_args__ = (Index("ix_account_change_requests_school_status", "school_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[ChangeKind] = mapped_column(str_enum(ChangeKind, 16))
    new_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    # An email change's new address (as forms.deliverable_email keeps it); None removes it.
    new_email: Mapped[str | None] = mapped_column(String(254))
    # An email change's address as it was when asked (None: they had none). The change is made
    # only if the account still has it: the member may have changed it themselves since.
    old_email: Mapped[str | None] = mapped_column(String(254))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[ChangeStatus] = mapped_column(
        str_enum(ChangeStatus, 16), default=ChangeStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str] = mapped_column(String(200), default="")
