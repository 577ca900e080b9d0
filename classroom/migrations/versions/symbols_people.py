"""symbols: my people (trusted adults, staff photos), school pictures and picture flags

Revision ID: symbols_people
Revises: 0007_authoring
Create Date: 2026-11-30 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "symbols_people"
down_revision = "safeguard_defaults_a1"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    when = classroom.db.UtcDateTime(timezone=True)
    op.create_table(
        "trusted_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column(
            "place",
            sa.Enum("school", "home", name="place", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("photo_file", sa.String(length=40), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", when, nullable=False),
        _fk("trusted_people", "school_id", "schools"),
        _fk("trusted_people", "pupil_id", "pupils"),
        _fk("trusted_people", "account_id", "accounts"),
        _fk("trusted_people", "added_by_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_people")),
    )
    op.create_index(op.f("ix_trusted_people_school_id"), "trusted_people", ["school_id"])
    op.create_index(op.f("ix_trusted_people_pupil_id"), "trusted_people", ["pupil_id"])
    op.create_table(
        "staff_photos",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("photo_file", sa.String(length=40), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", when, nullable=False),
        _fk("staff_photos", "account_id", "accounts"),
        _fk("staff_photos", "school_id", "schools"),
        _fk("staff_photos", "set_by_id", "accounts"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_staff_photos")),
    )
    op.create_index(op.f("ix_staff_photos_school_id"), "staff_photos", ["school_id"])
    op.create_table(
        "school_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", when, nullable=False),
        _fk("school_pictures", "school_id", "schools"),
        _fk("school_pictures", "uploaded_by_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_pictures")),
        sa.UniqueConstraint("code", name=op.f("uq_school_pictures_code")),
    )
    op.create_index(op.f("ix_school_pictures_school_id"), "school_pictures", ["school_id"])
    op.create_table(
        "symbol_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=80), nullable=False),
        sa.Column("symbol", sa.String(length=80), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("flagged_by_id", sa.Integer(), nullable=False),
        sa.Column("flagged_at", when, nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", when, nullable=True),
        _fk("symbol_flags", "school_id", "schools"),
        _fk("symbol_flags", "flagged_by_id", "accounts"),
        _fk("symbol_flags", "resolved_by_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_symbol_flags")),
    )
    op.create_index(op.f("ix_symbol_flags_school_id"), "symbol_flags", ["school_id"])


def downgrade() -> None:
    for table in ("symbol_flags", "school_pictures", "staff_photos", "trusted_people"):
        op.drop_table(table)
