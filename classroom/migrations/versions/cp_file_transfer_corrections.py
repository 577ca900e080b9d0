"""cp_file_transfer_corrections: a file's sending or receipt record corrected, with its reason

Revision ID: cp_file_transfer_corrections
Revises: cp_file_transfers_awaiting_index
Create Date: 2027-01-20 12:00:00

A DSL who recorded the wrong day or the wrong receiving school corrects it as a deliberate act
with a reason; what the record said before, who corrected it, when and why are kept here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from classroom.db import UtcDateTime

revision = "cp_file_transfer_corrections"
down_revision = "cp_file_transfers_awaiting_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cp_file_transfer_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.String(length=8), nullable=False),
        sa.Column("old_on", sa.Date(), nullable=False),
        sa.Column("old_who", sa.String(length=200), nullable=False),
        sa.Column("old_method", sa.String(length=200), nullable=False),
        sa.Column("new_on", sa.Date(), nullable=False),
        sa.Column("new_who", sa.String(length=200), nullable=False),
        sa.Column("new_method", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=False),
        sa.Column("corrected_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["cp_file_transfers.id"],
            name=op.f("fk_cp_file_transfer_corrections_transfer_id_cp_file_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"],
            ["accounts.id"],
            name=op.f("fk_cp_file_transfer_corrections_corrected_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cp_file_transfer_corrections")),
    )
    op.create_index(
        op.f("ix_cp_file_transfer_corrections_transfer_id"),
        "cp_file_transfer_corrections",
        ["transfer_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_cp_file_transfer_corrections_transfer_id"),
        table_name="cp_file_transfer_corrections",
    )
    op.drop_table("cp_file_transfer_corrections")
