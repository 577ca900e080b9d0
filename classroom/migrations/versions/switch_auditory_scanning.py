"""switch: a per-pupil "auditory scanning" setting (each item is spoken as the highlight reaches it)

Revision ID: switch_auditory
Revises: audit_scope_approvals
Create Date: 2026-11-30 03:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "switch_auditory"
down_revision = "audit_scope_approvals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Off for every pupil already here: staff turn it on for the pupils who need it.
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("auditory_scanning", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_column("auditory_scanning")
