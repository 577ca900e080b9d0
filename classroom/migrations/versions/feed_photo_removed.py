"""feed_items.photo_removed_at: a learning moment whose photo was deleted when consent went

Revision ID: feed_photo_removed
Revises: account_change_old_email
Create Date: 2026-12-04 22:10:00

Withdrawing photo consent for the app deletes the photos shared under it; the learning moment
stays, and this column lets it say that its photo was removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "feed_photo_removed"
down_revision = "account_change_old_email"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed_items", schema=None) as batch_op:
        when = classroom.db.UtcDateTime(timezone=True)
        batch_op.add_column(sa.Column("photo_removed_at", when, nullable=True))


def downgrade() -> None:
    # Not the tables feed_items refers to: reflecting incidents warns of its expression index.
    reflect = {"resolve_fks": False}
    with op.batch_alter_table("feed_items", schema=None, reflect_kwargs=reflect) as batch_op:
        batch_op.drop_column("photo_removed_at")
