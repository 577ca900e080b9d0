"""evidence: attachments and body-map marks on an incident

Revision ID: evidence_attach
Revises: 0007_authoring
Create Date: 2026-11-30 00:43:57.630436
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "evidence_attach"
down_revision = "audit_scope_tiers"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "body_map_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column(
            "side",
            sa.Enum("front", "back", name="side", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column(
            "mark_type",
            sa.Enum(
                "bruise",
                "cut",
                "burn",
                "mark",
                "other",
                name="marktype",
                native_enum=False,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("size", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_body_map_marks_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["accounts.id"],
            name=op.f("fk_body_map_marks_recorded_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_body_map_marks")),
    )
    with op.batch_alter_table("body_map_marks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_body_map_marks_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("image", "file", name="attachmentkind", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_attachments_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["accounts.id"],
            name=op.f("fk_incident_attachments_uploaded_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_attachments")),
        sa.UniqueConstraint("token", name=op.f("uq_incident_attachments_token")),
    )
    with op.batch_alter_table("incident_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_attachments_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("incident_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_attachments_incident_id"))

    op.drop_table("incident_attachments")
    with op.batch_alter_table("body_map_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_body_map_marks_incident_id"))

    op.drop_table("body_map_marks")
