"""safeguarding defaults: actions carried over at closing, the chosen adult set aside

Revision ID: safeguard_defaults_a1
Revises: 0007_authoring
Create Date: 2026-11-30 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "safeguard_defaults_a1"
down_revision = "evidence_transfer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incident_actions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("carried_over_at", classroom.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("carry_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("talk_to_set_aside", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("will_talk_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_will_talk_id_accounts"), "accounts", ["will_talk_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_incidents_will_talk_id_accounts"), type_="foreignkey"
        )
        batch_op.drop_column("will_talk_id")
        batch_op.drop_column("talk_to_set_aside")
    with op.batch_alter_table("incident_actions", schema=None) as batch_op:
        batch_op.drop_column("carry_reason")
        batch_op.drop_column("carried_over_at")
