"""outbox and class staff: a school's unsent mail and a teacher's classes read from an index

Revision ID: history_lookup_indexes
Revises: staff_alerts_incident_index
Create Date: 2026-12-02 02:10:00
"""

from __future__ import annotations

from alembic import op

revision = "history_lookup_indexes"
down_revision = "staff_alerts_incident_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (school_id) was a prefix of this one: the email-problems page walks a school's unsent
    # messages only, not every message the school ever sent.
    op.create_index("ix_outbox_messages_school_sent", "outbox_messages", ["school_id", "sent_at"])
    op.drop_index("ix_outbox_messages_school_id", table_name="outbox_messages")
    # The key (class_id, account_id) cannot find one member of staff's classes.
    op.create_index("ix_class_staff_account", "class_staff", ["account_id", "class_id"])


def downgrade() -> None:
    op.drop_index("ix_class_staff_account", table_name="class_staff")
    op.create_index("ix_outbox_messages_school_id", "outbox_messages", ["school_id"])
    op.drop_index("ix_outbox_messages_school_sent", table_name="outbox_messages")
