"""referrals: the agency's reply (the day it came, what they decided) and its follow-up index

Revision ID: referral_replies
Revises: follow_ups_due
Create Date: 2026-12-02 11:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "referral_replies"
down_revision = "follow_ups_due"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch_op:
        batch_op.add_column(sa.Column("replied_on", sa.Date(), nullable=True))
    op.create_index("ix_referrals_awaiting_due", "referrals", ["replied_on", "follow_up_on"])


def downgrade() -> None:
    op.drop_index("ix_referrals_awaiting_due", table_name="referrals")
    with op.batch_alter_table("referrals") as batch_op:
        batch_op.drop_column("replied_on")
