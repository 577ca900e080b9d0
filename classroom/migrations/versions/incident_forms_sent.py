"""incident_forms_sent: each incident-page form's key, so a form sent twice changes it once

Revision ID: incident_forms_sent
Revises: referral_replies
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "incident_forms_sent"
down_revision = "referral_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_forms_sent",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_incident_forms_sent_incident_id", "incident_forms_sent", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_forms_sent_incident_id", table_name="incident_forms_sent")
    op.drop_table("incident_forms_sent")
