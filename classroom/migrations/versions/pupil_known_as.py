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


# Plain ALTER TABLE both ways (SQLite 3.35+ drops a column in place): a batch copy of `pupils`
# would drop the table that every pupil's records point at, refused while they exist.


def upgrade() -> None:
    op.add_column("pupils", sa.Column("known_as", sa.String(length=80), nullable=True))


def downgrade() -> None:
    op.drop_column("pupils", "known_as")
