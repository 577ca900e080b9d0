"""staff_alerts: an alert may be about a colleague, not a worry (no incident)

Revision ID: staff_alerts_about_an_account
Revises: cp_file_transfer_corrections
Create Date: 2026-12-05 16:30:00

When an admin deactivates a member of the safeguarding team who holds open work, the rest of the
team get an in-app alert as well as the email (a colleague with no email address heard nothing).
That alert is about the colleague (`about_id`), says how much was left in counts only (`note`),
and has no incident.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "staff_alerts_about_an_account"
down_revision = "cp_file_transfer_corrections"
branch_labels = None
depends_on = None


def _table(*, after: bool) -> sa.Table:
    """The table before this revision, or after it, so SQLite's copy need not reflect it:
    reflecting it would reflect `incidents` too, whose expression index SQLAlchemy warns it
    cannot read."""
    added = [
        sa.Column("about_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["about_id"], ["accounts.id"], name="fk_staff_alerts_about_id_accounts"
        ),
    ]
    return sa.Table(
        "staff_alerts",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=after),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("seen_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_staff_alerts_account_id_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name="fk_staff_alerts_incident_id_incidents"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_alerts"),
        sa.Index("ix_staff_alerts_account_seen", "account_id", "seen_at"),
        sa.Index("ix_staff_alerts_incident_id", "incident_id"),
        *(added if after else []),
    )


def upgrade() -> None:
    with op.batch_alter_table("staff_alerts", copy_from=_table(after=False)) as batch_op:
        batch_op.alter_column("incident_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("about_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("note", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_alerts_about_id_accounts"), "accounts", ["about_id"], ["id"]
        )


def downgrade() -> None:
    # An older app reads every alert as a worry's: alerts about a colleague go.
    op.execute("DELETE FROM staff_alerts WHERE incident_id IS NULL")
    with op.batch_alter_table("staff_alerts", copy_from=_table(after=True)) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_staff_alerts_about_id_accounts"), type_="foreignkey"
        )
        batch_op.drop_column("note")
        batch_op.drop_column("about_id")
        batch_op.alter_column("incident_id", existing_type=sa.Integer(), nullable=False)
