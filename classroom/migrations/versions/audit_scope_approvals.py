"""account changes that need approval: roles and passwords of the safeguarding team

Revision ID: audit_scope_approvals
Revises: audit_scope_tiers
Create Date: 2026-11-30 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "audit_scope_approvals"
down_revision = "symbols_voice"
branch_labels = None
depends_on = None

ROLES = (
    "teacher",
    "teaching_assistant",
    "dsl",
    "deputy_dsl",
    "headteacher",
    "senior_leader",
    "governor",
    "parent",
    "admin",
)


def upgrade() -> None:
    op.create_table(
        "account_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("role", "password_reset", name="changekind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "new_role",
            sa.Enum(*ROLES, name="role", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", classroom.db.UtcDateTime(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending", "approved", "declined", name="changestatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", classroom.db.UtcDateTime(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_change_requests_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts.id"],
            name=op.f("fk_account_change_requests_decided_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["accounts.id"],
            name=op.f("fk_account_change_requests_requested_by_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_account_change_requests_school_id_schools")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_change_requests")),
    )
    op.create_index(
        "ix_account_change_requests_school_status",
        "account_change_requests",
        ["school_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_account_change_requests_school_status", table_name="account_change_requests")
    op.drop_table("account_change_requests")
