"""classes.tiles_*: switch scanning on the class iPads' tiles screen

Revision ID: class_tiles_scanning
Revises: pupil_known_as
Create Date: 2026-12-06 20:50:00

A switch user could not choose their own tile: scanning started only once the pupil was known.
Each class now says how its tiles screen is scanned. Off for every class already here: staff
turn it on for the classes whose pupils need it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "class_tiles_scanning"
down_revision = "pupil_known_as"
branch_labels = None
depends_on = None

COLUMNS = ("tiles_scanning", "tiles_scan_interval_ms", "tiles_auditory_scanning")


# Plain ALTER TABLE both ways (SQLite 3.35+ drops a column in place): a batch copy of `classes`
# would drop the table that every pupil points at, refused while they exist.


def upgrade() -> None:
    op.add_column(
        "classes",
        sa.Column("tiles_scanning", sa.String(length=8), server_default="off", nullable=False),
    )
    op.add_column(
        "classes",
        sa.Column(
            "tiles_scan_interval_ms", sa.Integer(), server_default=sa.text("2000"), nullable=False
        ),
    )
    op.add_column(
        "classes",
        sa.Column(
            "tiles_auditory_scanning", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("classes", name)
