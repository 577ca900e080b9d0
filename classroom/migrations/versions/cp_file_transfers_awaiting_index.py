"""cp_file_transfers: the files awaiting receipt read from an index, not from every file sent

Revision ID: cp_file_transfers_awaiting_index
Revises: observation_reinstatements
Create Date: 2027-01-14 12:00:00

The list of files to send and the queue's receipts to chase read the files recorded as sent
whose receipt is not recorded, oldest sent first; every leaver's file stays in the table for
good (it is the record that it went), so those are read from this index.
"""

from __future__ import annotations

from alembic import op

revision = "cp_file_transfers_awaiting_index"
down_revision = "observation_reinstatements"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_cp_file_transfers_awaiting", "cp_file_transfers", ["received_on", "sent_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_cp_file_transfers_awaiting", table_name="cp_file_transfers")
