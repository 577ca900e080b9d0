"""two_step_secret_sealed: authenticator secrets kept sealed under the instance's key

Revision ID: two_step_secret_sealed
Revises: queue_order_index
Create Date: 2026-12-03 15:00:00

A copy of the database alone (a stolen dump, a misplaced PostgreSQL backup) held every staff
member's authenticator secret, from which anyone could make their codes. Each secret is now sealed
with AES-256-GCM under the instance's key (`classroom.sealing`, carried in backups), bound to
its account, as `two_factor.seal_secret` does. The context is written here as it stood when this
migration was made. Rows already there are sealed in place, which needs the instance's key: run
it with `flask --app classroom db upgrade`, which knows the instance.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import context, op

from classroom import sealing

revision = "two_step_secret_sealed"
down_revision = "queue_order_index"
branch_labels = None
depends_on = None

CONTEXT = b"classroom-two-step-v1:"
TABLE = sa.table(
    "two_factor",
    sa.column("id", sa.Integer),
    sa.column("account_id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("sealed_secret", sa.LargeBinary),
)


def upgrade() -> None:
    with op.batch_alter_table("two_factor") as batch:
        batch.add_column(sa.Column("sealed_secret", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(TABLE.c.id, TABLE.c.account_id, TABLE.c.secret)).all()
    for row_id, account_id, secret in rows:
        sealed = sealing.seal(_instance(), _context(account_id), secret.encode())
        connection.execute(TABLE.update().where(TABLE.c.id == row_id).values(sealed_secret=sealed))
    with op.batch_alter_table("two_factor") as batch:
        batch.alter_column("sealed_secret", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("secret")


def downgrade() -> None:
    with op.batch_alter_table("two_factor") as batch:
        batch.add_column(sa.Column("secret", sa.String(64), nullable=True))
    connection = op.get_bind()
    query = sa.select(TABLE.c.id, TABLE.c.account_id, TABLE.c.sealed_secret)
    for row_id, account_id, sealed in connection.execute(query).all():
        secret = sealing.unseal(_instance(), _context(account_id), sealed, what="A secret")
        connection.execute(TABLE.update().where(TABLE.c.id == row_id).values(secret=secret.decode()))
    with op.batch_alter_table("two_factor") as batch:
        batch.alter_column("secret", existing_type=sa.String(64), nullable=False)
        batch.drop_column("sealed_secret")


def _instance() -> Path:
    instance = context.config.attributes.get("instance_path")
    if instance is None:
        raise RuntimeError(
            "Two-step secrets are sealed with the instance's key: run this upgrade with "
            "`flask --app classroom db upgrade`, which knows the instance folder."
        )
    return Path(instance)


def _context(account_id: int) -> bytes:
    return CONTEXT + str(account_id).encode()
