"""carer_settings.unconfirmed_email: the address a carer typed at joining, until confirmed

Revision ID: carer_email_unconfirmed
Revises: lesson_attempt_carry_on
Create Date: 2026-12-05 10:00:00

A carer joining with a code is emailed a link to confirm the address they typed; school emails
go to it only once they open the link. Carers who joined before this revision keep the address
in `accounts.email`, which stays in use as it was: nothing is held for them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "carer_email_unconfirmed"
down_revision = "lesson_attempt_carry_on"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("carer_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unconfirmed_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("carer_settings", schema=None) as batch_op:
        batch_op.drop_column("unconfirmed_email")
