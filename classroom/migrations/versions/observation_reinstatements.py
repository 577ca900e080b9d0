"""observation_reinstatements: withdrawals put back; an observation may be withdrawn again

Revision ID: observation_reinstatements
Revises: incident_pupil_linked_at
Create Date: 2027-01-12 12:00:00

A withdrawal made by mistake (the wrong row tapped) is put back with a row of its own, and the
observation counts again. Put back, it may be withdrawn again: a withdrawal is no longer keyed
by its observation but has an id and a number (1, 2, ...), unique per observation. Withdrawals
made before this revision are each their observation's first.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "observation_reinstatements"
down_revision = "incident_pupil_linked_at"
branch_labels = None
depends_on = None

OLD = "_observation_withdrawals_old"  # the table copied from, set aside


def _withdrawals(keyed_by_id: bool) -> None:
    """observation_withdrawals as it is after this revision (keyed by id) or before it."""
    key = [sa.Column("id", sa.Integer(), nullable=False)] if keyed_by_id else []
    numbered = (
        [
            sa.Column("number", sa.Integer(), nullable=False),
            sa.UniqueConstraint(
                "observation_id", "number",
                name=op.f("uq_observation_withdrawals_observation_id_number"),
            ),
        ]
        if keyed_by_id
        else []
    )  # fmt: skip
    op.create_table(
        "observation_withdrawals",
        *key,
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *numbered,
        sa.ForeignKeyConstraint(
            ["observation_id"],
            ["observations.id"],
            name=op.f("fk_observation_withdrawals_observation_id_observations"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["accounts.id"],
            name=op.f("fk_observation_withdrawals_withdrawn_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint(
            "id" if keyed_by_id else "observation_id", name=op.f("pk_observation_withdrawals")
        ),
    )


def _set_aside() -> None:
    """Rename the table to copy from; on PostgreSQL its key's name too, which the new table's
    takes (SQLite keeps constraint names per table)."""
    op.rename_table("observation_withdrawals", OLD)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE _observation_withdrawals_old "
            "RENAME CONSTRAINT pk_observation_withdrawals TO pk__observation_withdrawals_old"
        )


def upgrade() -> None:
    _set_aside()
    _withdrawals(keyed_by_id=True)
    op.execute(
        "INSERT INTO observation_withdrawals "
        "(observation_id, number, withdrawn_by_id, withdrawn_at, reason) "
        "SELECT observation_id, 1, withdrawn_by_id, withdrawn_at, reason "
        "FROM _observation_withdrawals_old ORDER BY withdrawn_at, observation_id"
    )
    op.drop_table(OLD)
    op.create_table(
        "observation_reinstatements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("withdrawal_id", sa.Integer(), nullable=False),
        sa.Column("put_back_by_id", sa.Integer(), nullable=False),
        sa.Column("put_back_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["put_back_by_id"],
            ["accounts.id"],
            name=op.f("fk_observation_reinstatements_put_back_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawal_id"],
            ["observation_withdrawals.id"],
            name=op.f("fk_observation_reinstatements_withdrawal_id_observation_withdrawals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_reinstatements")),
        sa.UniqueConstraint(
            "withdrawal_id", name=op.f("uq_observation_reinstatements_withdrawal_id")
        ),
    )


def downgrade() -> None:
    """Back to one withdrawal per observation: the one standing, if any. An observation whose
    withdrawals were all put back counts, so has none."""
    _set_aside()
    _withdrawals(keyed_by_id=False)
    op.execute(
        "INSERT INTO observation_withdrawals "
        "(observation_id, withdrawn_by_id, withdrawn_at, reason) "
        "SELECT observation_id, withdrawn_by_id, withdrawn_at, reason "
        "FROM _observation_withdrawals_old w WHERE NOT EXISTS "
        "(SELECT 1 FROM observation_reinstatements r WHERE r.withdrawal_id = w.id)"
    )
    op.drop_table("observation_reinstatements")
    op.drop_table(OLD)
