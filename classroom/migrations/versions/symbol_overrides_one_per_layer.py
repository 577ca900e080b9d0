"""symbol_overrides: one choice per word on each layer (school, class, pupil)

Revision ID: symbol_overrides_one_per_layer
Revises: incident_subject_staff
Create Date: 2026-12-06 03:00:00

Two staff saving the same word at once (or a double tap) could leave two rows for one word on
one layer, and which picture a pupil saw was then down to the order the rows were read in. The
newest row of each set of twins is the one pupils were shown (the layers are read in id order,
the last one winning), so it is kept and the others removed; then a partial unique index per
layer stops twins for good. The conditions are written here as they stood when this migration
was made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "symbol_overrides_one_per_layer"
down_revision = "incident_subject_staff"
branch_labels = None
depends_on = None

# (index name, the layer's column, which rows are on that layer)
LAYERS = (
    ("uq_symbol_overrides_school_phrase", "school_id", "class_id IS NULL AND pupil_id IS NULL"),
    ("uq_symbol_overrides_class_phrase", "class_id", "class_id IS NOT NULL"),
    ("uq_symbol_overrides_pupil_phrase", "pupil_id", "pupil_id IS NOT NULL"),
)

# Of each set of twins on a layer, every row but the newest goes. Filled in from LAYERS only.
KEEP_THE_NEWEST = (
    "DELETE FROM symbol_overrides WHERE {where} AND id NOT IN "
    "(SELECT MAX(id) FROM symbol_overrides WHERE {where} GROUP BY {column}, phrase)"
)


def upgrade() -> None:
    for name, column, where in LAYERS:
        op.execute(KEEP_THE_NEWEST.format(where=where, column=column))
        op.create_index(
            name,
            "symbol_overrides",
            [column, "phrase"],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    for name, _column, _where in reversed(LAYERS):
        op.drop_index(name, table_name="symbol_overrides")
