"""Running Alembic migrations from the app (used by `flask db upgrade` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import current_app, has_app_context

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser reads "%" as interpolation: URL-encoded passwords and socket paths need "%%".
    url = url or current_app.config["DATABASE_URL"]
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head", instance: Path | None = None) -> None:
    """Bring the database up to the newest schema.

    `instance` (by default the app's, when there is one) holds the key that migrations sealing
    rows use; an empty database, as the tests make, has nothing to seal and needs none.
    """
    cfg = alembic_config(url)
    if instance is None and has_app_context():
        instance = Path(current_app.instance_path)
    cfg.attributes["instance_path"] = instance
    command.upgrade(cfg, revision)
