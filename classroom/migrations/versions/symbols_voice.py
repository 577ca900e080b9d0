"""symbols: staff voice recordings of key phrases, used instead of synthesis

Revision ID: symbols_voice
Revises: symbols_people
Create Date: 2026-11-30 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "symbols_voice"
down_revision = "acct_security_two_factor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = classroom.db.UtcDateTime(timezone=True)
    table = "voice_recordings"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("pupil_id", sa.Integer(), nullable=True),
        sa.Column("phrase", sa.String(length=200), nullable=False),
        sa.Column("audio_file", sa.String(length=48), nullable=False),
        sa.Column("mimetype", sa.String(length=40), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("consent_at", when, nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.CheckConstraint(
            "class_id IS NULL OR pupil_id IS NULL", name=op.f("ck_voice_recordings_one_layer")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["schools.id"], name=op.f("fk_voice_recordings_school_id_schools")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_voice_recordings_class_id_classes")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"], ["pupils.id"], name=op.f("fk_voice_recordings_pupil_id_pupils")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["accounts.id"],
            name=op.f("fk_voice_recordings_recorded_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_recordings")),
    )
    for column in ("school_id", "class_id", "pupil_id"):
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def downgrade() -> None:
    op.drop_table("voice_recordings")
