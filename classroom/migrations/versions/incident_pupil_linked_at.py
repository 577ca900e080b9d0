"""incident_pupils.linked_at: when a pupil was linked to a record already made

Revision ID: incident_pupil_linked_at
Revises: feed_item_observation
Create Date: 2027-01-10 12:00:00

A leaver whose child-protection file was sent comes back on the team's list of files to send
when a worry or concern is received about them, or linked to them, after it went. Links made
before this revision have no time: they count as made with their record.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "incident_pupil_linked_at"
down_revision = "feed_item_observation"
branch_labels = None
depends_on = None


# Not in batch mode: a new column, nullable and unconstrained, is added in place on SQLite too,
# with no copy of the table (whose copy would reflect incidents' expression index).
def upgrade() -> None:
    op.add_column("incident_pupils", sa.Column("linked_at", UtcDateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("incident_pupils", "linked_at")
