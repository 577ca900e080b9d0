"""audit: child-protection file entries (and evidence, body map, alerts) are safeguarding-tier

Revision ID: audit_cp_file_tier
Revises: incident_forms_sent
Create Date: 2026-12-02 19:00:00

`cp_file.*` entries were written about a Pupil, so they fell to the ordinary tier and the
school's admins could read which pupils have a child-protection file. Existing entries move to
the safeguarding tier: only that column changes, and the append-only triggers are lifted for
this one statement and put back at once (as audit_scope_school_tiers did).
"""

from __future__ import annotations

from alembic import op

revision = "audit_cp_file_tier"
down_revision = "incident_forms_sent"
branch_labels = None
depends_on = None

MOVED = (
    "UPDATE audit_events SET tier = 'safeguarding' WHERE tier <> 'safeguarding' AND ("
    "action LIKE 'cp\\_file.%' ESCAPE '\\' OR action LIKE 'evidence.%' "
    "OR action LIKE 'body\\_map.%' ESCAPE '\\' OR action LIKE 'alert.%')"
)
SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
POSTGRES_TRIGGER = """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    op.execute(MOVED)
    for statement in [POSTGRES_TRIGGER] if postgres else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    """Nothing to undo: hiding these entries from admins again would be the only change."""
