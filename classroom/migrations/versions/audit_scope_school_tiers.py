"""audit and outbox per school: audit entries carry their school and tier; outbox rows a school

Revision ID: audit_scope_tiers
Revises: 0007_authoring
Create Date: 2026-11-30 00:50:00

Columns are added with plain ALTER TABLE (not batch mode) so SQLite keeps the audit log's
append-only triggers. Existing rows are given their school and tier from what they already
record; the triggers are lifted for that one backfill and put back at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "audit_scope_tiers"
down_revision = "perf_queue_index"
branch_labels = None
depends_on = None

SAFEGUARDING_TYPES = (
    "'Incident', 'IncidentPupil', 'IncidentEntry', 'IncidentAction', 'Referral', "
    "'ParentContactDecision', 'StaffAlert'"
)
SAFEGUARDING_LIKE = ("incident.%", "incidents.%", "concern.%", "worry.%")
ACCOUNT_LIKE = (
    "account.%",
    "accounts.%",
    "password.%",
    "sign\\_in.%",
    "sign\\_out%",
    "device.%",
    "backup.%",
    "mail.%",
    "audit.%",
    "class.%",
    "demo.%",
    "pupils.imported",
    "carer.%",
    "carer\\_invite.%",
)
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
POSTGRES_TRIGGER = """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"""


def _like_any(patterns: tuple[str, ...]) -> str:
    return " OR ".join(f"action LIKE '{p}' ESCAPE '\\'" for p in patterns)


BACKFILL = [
    f"UPDATE audit_events SET tier = 'account' WHERE {_like_any(ACCOUNT_LIKE)}",
    f"UPDATE audit_events SET tier = 'safeguarding' WHERE {_like_any(SAFEGUARDING_LIKE)} "
    f"OR object_type IN ({SAFEGUARDING_TYPES}) "
    "OR (action = 'lesson_map.target_set' AND summary LIKE '%after a worry')",
    "UPDATE audit_events SET school_id = (SELECT school_id FROM accounts "
    "WHERE accounts.id = audit_events.actor_id) WHERE actor_kind IN ('staff', 'parent')",
    "UPDATE audit_events SET school_id = (SELECT school_id FROM pupils "
    "WHERE pupils.id = audit_events.actor_id) WHERE actor_kind = 'pupil'",
    "UPDATE audit_events SET school_id = (SELECT school_id FROM pupils "
    "WHERE pupils.id = audit_events.object_id) WHERE school_id IS NULL AND object_type = 'Pupil'",
    "UPDATE audit_events SET school_id = (SELECT school_id FROM incidents "
    "WHERE incidents.id = audit_events.object_id) "
    "WHERE school_id IS NULL AND object_type = 'Incident'",
    "UPDATE audit_events SET school_id = (SELECT classes.school_id FROM devices "
    "JOIN classes ON classes.id = devices.class_id WHERE devices.id = audit_events.object_id) "
    "WHERE school_id IS NULL AND object_type = 'Device'",
    "UPDATE audit_events SET school_id = object_id "
    "WHERE school_id IS NULL AND object_type = 'School'",
]


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("school_id", sa.Integer(), nullable=True))
    op.add_column(
        "audit_events",
        sa.Column(
            "tier",
            sa.Enum(
                "safeguarding",
                "account",
                "record",
                name="audittier",
                native_enum=False,
                length=16,
            ),
            server_default="record",
            nullable=False,
        ),
    )
    op.create_index("ix_audit_events_school_tier", "audit_events", ["school_id", "tier"])
    op.add_column("outbox_messages", sa.Column("school_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_outbox_messages_school_id"), "outbox_messages", ["school_id"], unique=False
    )
    _backfill_audit()
    _backfill_outbox()


def _backfill_audit() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    for statement in BACKFILL:
        op.execute(statement)
    for statement in [POSTGRES_TRIGGER] if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def _backfill_outbox() -> None:
    """Safeguarding alerts are keyed by incident, carers' emails by the carer's account."""
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, dedupe_key FROM outbox_messages")).all()
    for row_id, key in rows:
        kind, _, rest = str(key).partition(":")
        ref = rest.partition(":")[0]
        table = {"incident": "incidents", "parents": "accounts"}.get(kind)
        if table is None or not ref.isdigit():
            continue
        bind.execute(
            sa.text(
                f"UPDATE outbox_messages SET school_id = (SELECT school_id FROM {table} "  # noqa: S608
                "WHERE id = :ref) WHERE id = :row_id"
            ),
            {"ref": int(ref), "row_id": row_id},
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_messages_school_id"), table_name="outbox_messages")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("school_id")
    # The audit log keeps its columns on downgrade: dropping them would need the table rebuilt,
    # which would lose its append-only triggers; the older code simply ignores them.
    op.drop_index("ix_audit_events_school_tier", table_name="audit_events")
