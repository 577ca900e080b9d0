"""feed_items.observation_id: the observation a learning moment was shared from

Revision ID: feed_item_observation
Revises: pupil_left_on
Create Date: 2026-12-08 10:00:00

A learning moment shared from an observation stayed in the carer's feed as progress after the
school withdrew the observation as recorded in error, or corrected it. The feed item now names
the observation it came from, and the feed reads what became of it. Moments shared before this
revision are linked where the record leaves no doubt: the share of an observation
(observation_shares) and the learning moment the same member of staff sent about the same pupil
within the minute after it (the two are written by the one form, moments apart). Any other
stays unlinked, shown as it was sent.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import classroom.db

revision = "feed_item_observation"
down_revision = "pupil_left_on"
branch_labels = None
depends_on = None

WITHIN = timedelta(minutes=1)


def upgrade() -> None:
    # The copy of feed_items need not reflect the tables it refers to (incidents has an
    # expression index SQLAlchemy cannot reflect, and warns about).
    with op.batch_alter_table(
        "feed_items", schema=None, reflect_kwargs={"resolve_fks": False}
    ) as batch_op:
        batch_op.add_column(sa.Column("observation_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_feed_items_observation_id"), ["observation_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_feed_items_observation_id_observations"),
            "observations",
            ["observation_id"],
            ["id"],
        )
    _link_earlier_moments()


def _link_earlier_moments() -> None:
    """Link each earlier share to the one moment sent with it, where exactly one fits."""
    when = classroom.db.UtcDateTime()
    shares = sa.table(
        "observation_shares",
        sa.column("observation_id", sa.Integer()),
        sa.column("shared_by_id", sa.Integer()),
        sa.column("shared_at", when),
    )
    observations = sa.table("observations", sa.column("id"), sa.column("pupil_id"))
    items = sa.table(
        "feed_items",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("pupil_id", sa.Integer()),
        sa.column("author_id", sa.Integer()),
        sa.column("created_at", when),
        sa.column("observation_id", sa.Integer()),
    )
    bind = op.get_bind()
    moments = bind.execute(
        sa.select(items.c.id, items.c.pupil_id, items.c.author_id, items.c.created_at).where(
            items.c.kind == "learning_moment"
        )
    ).all()
    taken: set[int] = set()
    found = bind.execute(
        sa.select(
            shares.c.observation_id,
            shares.c.shared_by_id,
            shares.c.shared_at,
            observations.c.pupil_id,
        )
        .join(observations, observations.c.id == shares.c.observation_id)
        .order_by(shares.c.shared_at)
    ).all()
    for observation_id, shared_by_id, shared_at, pupil_id in found:
        fits = [
            m.id
            for m in moments
            if m.id not in taken
            and (m.pupil_id, m.author_id) == (pupil_id, shared_by_id)
            and shared_at <= m.created_at <= shared_at + WITHIN
        ]
        if len(fits) == 1:
            taken.add(fits[0])
            bind.execute(
                items.update().where(items.c.id == fits[0]).values(observation_id=observation_id)
            )


def downgrade() -> None:
    with op.batch_alter_table(
        "feed_items", schema=None, reflect_kwargs={"resolve_fks": False}
    ) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_feed_items_observation_id_observations"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_feed_items_observation_id"))
        batch_op.drop_column("observation_id")
