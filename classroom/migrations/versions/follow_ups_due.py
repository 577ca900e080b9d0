"""the queue's follow-ups due: actions not done by due date; incidents kept holding carers

Revision ID: follow_ups_due
Revises: carers_held_after_closing
Create Date: 2026-12-02 08:20:00
"""

from __future__ import annotations

from alembic import op

revision = "follow_ups_due"
down_revision = "carers_held_after_closing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incident_actions_open_due", "incident_actions", ["done_at", "due_on"])
    op.create_index(
        "ix_incidents_school_held", "incidents", ["school_id", "carers_held_after_closing"]
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_school_held", table_name="incidents")
    op.drop_index("ix_incident_actions_open_due", table_name="incident_actions")
