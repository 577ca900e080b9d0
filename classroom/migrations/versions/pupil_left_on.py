"""pupils.left_on, pupils.back_on: the days a pupil was recorded as leaving and coming back

Revision ID: pupil_left_on
Revises: observation_withdrawals
Create Date: 2026-12-05 12:00:00

The safeguarding team's list of child-protection files to send shows the day each leaver left
and how long ago. Pupils recorded as having left before this revision have no day: the list
says it was not recorded.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pupil_left_on"
down_revision = "observation_withdrawals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("back_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_column("back_on")
        batch_op.drop_column("left_on")
