"""perf: the safeguarding queue's first page from an index, however long the backlog

Revision ID: perf_queue_index
Revises: 0007_authoring
Create Date: 2026-11-30 01:20:00
"""

from __future__ import annotations

from alembic import op

revision = "perf_queue_index"
down_revision = "acct_security_speech"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The queue lists a school's open incidents newest first, a page at a time: with this index
    # the database walks one school's incidents in id order and stops when the page is full.
    op.create_index("ix_incidents_school_newest", "incidents", ["school_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_incidents_school_newest", table_name="incidents")
