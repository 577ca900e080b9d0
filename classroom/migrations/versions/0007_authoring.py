"""authoring: teacher-written lessons and the school's internet rules

Revision ID: 0007_authoring
Revises: 0006_assessment
Create Date: 2026-11-28 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "0007_authoring"
down_revision = "0006_assessment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authored_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "shared", name="lessonstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("notes_html", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("shared_at", classroom.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["accounts.id"], name=op.f("fk_authored_lessons_author_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_authored_lessons_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authored_lessons")),
        sa.UniqueConstraint("key", name=op.f("uq_authored_lessons_key")),
    )
    with op.batch_alter_table("authored_lessons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authored_lessons_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_authored_lessons_school_id"), ["school_id"], unique=False
        )
    op.create_table(
        "school_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=120), nullable=False),
        sa.Column("symbol", sa.String(length=80), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_school_rules_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["accounts.id"], name=op.f("fk_school_rules_updated_by_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_rules")),
    )
    with op.batch_alter_table("school_rules", schema=None) as batch_op:
        batch_op.create_index("ix_school_rules_school", ["school_id", "position"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("school_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_school_rules_school")
    op.drop_table("school_rules")
    with op.batch_alter_table("authored_lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authored_lessons_school_id"))
        batch_op.drop_index(batch_op.f("ix_authored_lessons_author_id"))
    op.drop_table("authored_lessons")
