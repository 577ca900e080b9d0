"""lesson_attempts: carry on a go left part way (version, screen, last answered)

Revision ID: lesson_attempt_carry_on
Revises: feed_photo_removed
Create Date: 2026-12-04 22:00:00

Goes begun before this revision have no version recorded, so none is carried on: the pupil's
next go at such a lesson starts at screen 1, as every go did before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "lesson_attempt_carry_on"
down_revision = "feed_photo_removed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lesson_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_digest", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("carry_on_at", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("answered_at", classroom.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("lesson_attempts", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
        batch_op.drop_column("carry_on_at")
        batch_op.drop_column("version_digest")
