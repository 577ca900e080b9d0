"""incidents: whether carers stay held back after an incident closes

Revision ID: carers_held_after_closing
Revises: history_lookup_indexes
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "carers_held_after_closing"
down_revision = "history_lookup_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Incidents already closed released their carers when they closed, as the app did then.
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "carers_held_after_closing", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("carers_held_after_closing")
