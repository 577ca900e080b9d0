"""observation_withdrawals: observations withdrawn as recorded in error

Revision ID: observation_withdrawals
Revises: carer_email_unconfirmed
Create Date: 2026-12-05 03:30:00

An observation that no correction can put right (a lesson for other ages on the day observed)
is withdrawn: a row here says who withdrew it, when and why. The observation itself is kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "observation_withdrawals"
down_revision = "carer_email_unconfirmed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "observation_withdrawals",
        sa.Column("observation_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
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
        sa.PrimaryKeyConstraint("observation_id", name=op.f("pk_observation_withdrawals")),
    )


def downgrade() -> None:
    op.drop_table("observation_withdrawals")
