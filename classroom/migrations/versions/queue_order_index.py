"""queue_order_index: the safeguarding queue's first page read in order, however long the backlog

Revision ID: queue_order_index
Revises: audit_cp_file_tier
Create Date: 2026-12-02 22:50:00

The queue's order is "empty worries nobody has triaged first, then the newest": an expression
(worries.models.queue_rank). Indexed within each school and status, a page is read from the
index in order and stopped at its last row, instead of every open worry being sorted for
every page. The expression is written here as it stood when this migration was made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "queue_order_index"
down_revision = "audit_cp_file_tier"
branch_labels = None
depends_on = None

EMPTY_WORRY = "Worry button pressed, nothing chosen — speak to the pupil"
RANK = f"(CASE WHEN (summary = '{EMPTY_WORRY}' AND risk IS NULL) THEN 0 ELSE 1 END)"


def upgrade() -> None:
    op.create_index(
        "ix_incidents_queue_order",
        "incidents",
        ["school_id", "status", sa.text(RANK), sa.text("id DESC")],
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_queue_order", table_name="incidents")
