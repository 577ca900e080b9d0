"""hear: per-pupil "hear then choose" for answer cards and how many lessons home shows

Revision ID: hear_choosing
Revises: audit_scope_approvals
Create Date: 2026-11-30 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "hear_choosing"
down_revision = "switch_auditory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pupils") as batch_op:
        batch_op.add_column(
            sa.Column(
                "card_choosing",
                sa.Enum(
                    "straight_away",
                    "hear_first",
                    name="cardchoosing",
                    native_enum=False,
                    length=16,
                ),
                nullable=False,
                server_default="straight_away",
            )
        )
        batch_op.add_column(sa.Column("home_lessons", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pupils") as batch_op:
        batch_op.drop_column("home_lessons")
        batch_op.drop_column("card_choosing")
