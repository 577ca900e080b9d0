"""speech usage: new clips and characters per account or pupil per day

Revision ID: acct_security_speech
Revises: 0007_authoring
Create Date: 2026-11-30 01:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "acct_security_speech"
down_revision = "0007_authoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "speech_usage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("clips", sa.Integer(), nullable=False),
        sa.Column("characters", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_speech_usage")),
        sa.UniqueConstraint("who", "day", name=op.f("uq_speech_usage_who_day")),
    )
    with op.batch_alter_table("speech_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_speech_usage_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("speech_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_speech_usage_day"))
    op.drop_table("speech_usage")
