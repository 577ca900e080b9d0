"""queue: its counts, pages and recently closed from one index, however long the history

Revision ID: queue_history_index
Revises: hear_choosing
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

from alembic import op

revision = "queue_history_index"
down_revision = "hear_choosing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (school_id, status) was a prefix of this one: it serves every query the old one did, and
    # "Recently closed" is read from its end instead of by sorting every closed incident.
    op.create_index(
        "ix_incidents_school_status_closed",
        "incidents",
        ["school_id", "status", "closed_at", "id"],
    )
    op.drop_index("ix_incidents_school_status", table_name="incidents")


def downgrade() -> None:
    op.create_index("ix_incidents_school_status", "incidents", ["school_id", "status"])
    op.drop_index("ix_incidents_school_status_closed", table_name="incidents")
