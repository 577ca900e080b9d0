"""incidents.subject_staff_id: the member of staff a worry is about

Revision ID: incident_subject_staff
Revises: staff_alerts_about_an_account
Create Date: 2026-12-06 01:00:00

A worry may be about a member of staff (an allegation about an adult). The team records who,
and from then on the record is closed to them, as to a pupil's chosen adult set aside as the
subject of the worry.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "incident_subject_staff"
down_revision = "staff_alerts_about_an_account"
branch_labels = None
depends_on = None

FK = "fk_incidents_subject_staff_id_accounts"


# Not in batch mode: SQLite adds a nullable column with its REFERENCES clause in place, with no
# copy of the table (whose copy would reflect incidents' expression index), and drops it again
# in place (a column-level reference does not stop DROP COLUMN).
def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE incidents ADD COLUMN subject_staff_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES accounts (id)"
        )
        return
    op.add_column("incidents", sa.Column("subject_staff_id", sa.Integer(), nullable=True))
    op.create_foreign_key(FK, "incidents", "accounts", ["subject_staff_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(FK, "incidents", type_="foreignkey")
    op.drop_column("incidents", "subject_staff_id")
