"""outbox_messages.left_unsent_at: an email held after a restore that a person chose not to send

Revision ID: outbox_left_unsent
Revises: class_tiles_scanning
Create Date: 2026-12-07 08:10:00

A restore holds the emails to families that were waiting in the backup (they may have gone out
after it was made). Whoever sees Email problems sends each one the family has not had; one the
family has had is left unsent, and no longer listed as a problem.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "outbox_left_unsent"
down_revision = "class_tiles_scanning"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("left_unsent_at", classroom.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("left_unsent_at")
