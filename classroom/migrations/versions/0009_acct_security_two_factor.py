"""two-factor sign-in: authenticator apps, recovery codes, remembered class-staff iPads

Revision ID: acct_security_two_factor
Revises: acct_security_speech
Create Date: 2026-11-30 01:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "acct_security_two_factor"
down_revision = "symbols_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "two_factor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", classroom.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_two_factor_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_two_factor")),
        sa.UniqueConstraint("account_id", name=op.f("uq_two_factor_account_id")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", classroom.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_recovery_codes_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recovery_codes_account_id"), ["account_id"], unique=False
        )
    op.create_table(
        "remembered_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", classroom.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", classroom.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_remembered_devices_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remembered_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_remembered_devices_token_hash")),
    )
    with op.batch_alter_table("remembered_devices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remembered_devices_account_id"), ["account_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("remembered_devices")
    op.drop_table("recovery_codes")
    op.drop_table("two_factor")
