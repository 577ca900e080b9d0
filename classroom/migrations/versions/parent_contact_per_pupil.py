"""parent_contact_decisions.pupil_id: a decision about contacting carers for one family

Revision ID: parent_contact_per_pupil
Revises: symbol_overrides_one_per_layer
Create Date: 2026-12-06 10:00:00

A worry with several pupils linked (the child the messages hurt, the child alleged to have sent
them) may need their families told at different times: Amira's now, Ben's not yet. A decision
is now for every family on the record (no pupil, as every decision made before this revision
was, and a pupil linked later is covered too) or for one pupil's carers only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "parent_contact_per_pupil"
down_revision = "symbol_overrides_one_per_layer"
branch_labels = None
depends_on = None

FK = "fk_parent_contact_decisions_pupil_id_pupils"


def _table(*, after: bool) -> sa.Table:
    """The table before this revision, or after it, so SQLite's copy need not reflect it:
    reflecting it would reflect `incidents` too, whose expression index SQLAlchemy warns it
    cannot read."""
    added = [
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["pupil_id"], ["pupils.id"], name=FK),
    ]
    return sa.Table(
        "parent_contact_decisions",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "inform_now",
                "not_now",
                "do_not_contact",
                name="parentcontact",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", UtcDateTime(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts.id"],
            name="fk_parent_contact_decisions_decided_by_id_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name="fk_parent_contact_decisions_incident_id_incidents",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_parent_contact_decisions"),
        sa.Index("ix_parent_contact_decisions_incident_id", "incident_id"),
        *(added if after else []),
    )


def upgrade() -> None:
    with op.batch_alter_table("parent_contact_decisions", copy_from=_table(after=False)) as batch:
        batch.add_column(sa.Column("pupil_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(FK, "pupils", ["pupil_id"], ["id"])


def downgrade() -> None:
    # An older app reads the latest decision as one for the whole record. A family's "inform
    # now" would then let every family be told (Ben's carers, under the decision for Amira's):
    # those go. A family's "not now" or "do not contact" stays, and holds every family back,
    # the careful reading. The chronology keeps each decision, with its reason and whose it was.
    op.execute(
        "DELETE FROM parent_contact_decisions "
        "WHERE pupil_id IS NOT NULL AND decision = 'inform_now'"
    )
    with op.batch_alter_table("parent_contact_decisions", copy_from=_table(after=True)) as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.drop_column("pupil_id")
