"""outbox_messages: the page where a carer changes or stops the emails (List-Unsubscribe)

Revision ID: outbox_unsubscribe_url
Revises: two_step_secret_sealed
Create Date: 2026-12-04 17:00:00

Carers' emails carry a List-Unsubscribe header naming their email settings page; staff alerts do
not. Messages already queued have none (they are sent without the header, as before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "outbox_unsubscribe_url"
down_revision = "two_step_secret_sealed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unsubscribe_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("unsubscribe_url")
