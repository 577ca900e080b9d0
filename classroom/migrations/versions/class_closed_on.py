"""classes.closed_on: a class whose pupils have all left, closed and off every class list

Revision ID: class_closed_on
Revises: outbox_left_unsent
Create Date: 2026-12-07 12:40:00

A class that ever had a pupil cannot be removed (its leavers' records point at it), so last
year's leavers' class stayed on every class list for good. An admin may now close a class with
nobody in it now (no pupils, staff or class iPads): it leaves the working lists, and its leavers
stay reachable from staff home. Reopening clears the date.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "class_closed_on"
down_revision = "outbox_left_unsent"
branch_labels = None
depends_on = None


# Plain ALTER TABLE both ways (SQLite 3.35+ drops a column in place): a batch copy of `classes`
# would drop the table that every pupil points at, refused while they exist.
def upgrade() -> None:
    op.add_column("classes", sa.Column("closed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("classes", "closed_on")
