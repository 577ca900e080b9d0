"""symbol overrides: staff choices of symbol per school, class or pupil

Revision ID: 0002_symbol_overrides
Revises: 0001_foundation
Create Date: 2026-11-28 23:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = '0002_symbol_overrides'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('symbol_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('phrase', sa.String(length=80), nullable=False),
    sa.Column('symbol', sa.String(length=80), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', classroom.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('class_id IS NULL OR pupil_id IS NULL', name=op.f('ck_symbol_overrides_one_layer')),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_symbol_overrides_class_id_classes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], name=op.f('fk_symbol_overrides_created_by_id_accounts')),
    sa.ForeignKeyConstraint(['pupil_id'], ['pupils.id'], name=op.f('fk_symbol_overrides_pupil_id_pupils')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_symbol_overrides_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_symbol_overrides'))
    )
    with op.batch_alter_table('symbol_overrides', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_symbol_overrides_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_symbol_overrides_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_symbol_overrides_school_id'), ['school_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('symbol_overrides', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_symbol_overrides_school_id'))
        batch_op.drop_index(batch_op.f('ix_symbol_overrides_pupil_id'))
        batch_op.drop_index(batch_op.f('ix_symbol_overrides_class_id'))

    op.drop_table('symbol_overrides')
