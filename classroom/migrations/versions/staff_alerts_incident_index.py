"""alerts: an incident's re-alert ladder read from an index, not from every alert ever sent

Revision ID: staff_alerts_incident_index
Revises: queue_history_index
Create Date: 2026-12-02 00:10:00
"""

from __future__ import annotations

from alembic import op

revision = "staff_alerts_incident_index"
down_revision = "queue_history_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every worry alerts the whole team and reminds it until acknowledged: the table grows by
    # several rows a worry, and each incident's record lists its own.
    op.create_index("ix_staff_alerts_incident_id", "staff_alerts", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_alerts_incident_id", table_name="staff_alerts")
