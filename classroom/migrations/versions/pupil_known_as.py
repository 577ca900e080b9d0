"""pupils.known_as: the name a pupil answers to, when it is not their first name

Revision ID: pupil_known_as
Revises: parent_contact_per_pupil
Create Date: 2026-12-06 17:30:00

"Mohammed" known as "Mo": the MIS's preferred forename, or set by staff on the pupil's
settings. The pupil's tile and what is said to them use it; the governors' review scrubs it.
Pupils before this revision have none: they are called by their first name, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pupil_known_as"
down_revision = "parent_contact_per_pupil"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("known_as", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_column("known_as")
