"""cp file transfer: child-protection files sent to the next school and received

Revision ID: evidence_transfer
Revises: evidence_attach
Create Date: 2026-11-30 01:10:44.300321
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "evidence_transfer"
down_revision = "evidence_attach"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "cp_file_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("exported_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("exported_by_id", sa.Integer(), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("attachments", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_to", sa.String(length=200), nullable=True),
        sa.Column("sent_method", sa.String(length=200), nullable=True),
        sa.Column("sent_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("received_by_name", sa.String(length=200), nullable=True),
        sa.Column("receipt_method", sa.String(length=200), nullable=True),
        sa.Column("receipt_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("receipt_recorded_at", classroom.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["exported_by_id"],
            ["accounts.id"],
            name=op.f("fk_cp_file_transfers_exported_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_cp_file_transfers_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_recorded_by_id"],
            ["accounts.id"],
            name=op.f("fk_cp_file_transfers_receipt_recorded_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_cp_file_transfers_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["sent_recorded_by_id"],
            ["accounts.id"],
            name=op.f("fk_cp_file_transfers_sent_recorded_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cp_file_transfers")),
    )
    with op.batch_alter_table("cp_file_transfers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cp_file_transfers_pupil_id"), ["pupil_id"], unique=False
        )

    op.create_table(
        "cp_files_received",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("from_school", sa.String(length=200), nullable=False),
        sa.Column("exported_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("sealed_record", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["accounts.id"],
            name=op.f("fk_cp_files_received_imported_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_cp_files_received_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_cp_files_received_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cp_files_received")),
        sa.UniqueConstraint("token", name=op.f("uq_cp_files_received_token")),
    )
    with op.batch_alter_table("cp_files_received", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cp_files_received_pupil_id"), ["pupil_id"], unique=False
        )

    op.create_table(
        "cp_file_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["received_id"],
            ["cp_files_received.id"],
            name=op.f("fk_cp_file_attachments_received_id_cp_files_received"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cp_file_attachments")),
        sa.UniqueConstraint("token", name=op.f("uq_cp_file_attachments_token")),
    )
    with op.batch_alter_table("cp_file_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cp_file_attachments_received_id"), ["received_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("cp_file_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cp_file_attachments_received_id"))

    op.drop_table("cp_file_attachments")
    with op.batch_alter_table("cp_files_received", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cp_files_received_pupil_id"))

    op.drop_table("cp_files_received")
    with op.batch_alter_table("cp_file_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cp_file_transfers_pupil_id"))

    op.drop_table("cp_file_transfers")
