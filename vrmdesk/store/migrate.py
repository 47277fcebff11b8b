"""Schema versions with Alembic, applied on open after an automatic backup.

``SCHEMA_HEAD`` names the newest revision so that opening an up-to-date vault costs one query and
no Alembic import; a test keeps it equal to the head of ``migrations/versions``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text

if TYPE_CHECKING:
    from alembic.config import Config

SCHEMA_HEAD = "0011"
KNOWN_REVISIONS = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
)
MIGRATIONS = Path(__file__).with_name("migrations")


def current_revision(conn: Connection) -> str | None:
    has_table = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
    ).first()
    if not has_table:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves the full-text index (managed by hand, see fts.py) alone."""
    return not (type_ == "table" and (name or "").startswith("search_index"))


def is_known(revision: str) -> bool:
    return revision in KNOWN_REVISIONS


def _config(connection: Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def create_schema(engine: Engine) -> None:
    """A new vault: every migration from the start."""
    upgrade(engine)


def script_head() -> str | None:
    from alembic.script import ScriptDirectory

    config = _config(None)
    return ScriptDirectory.from_config(config).get_current_head()
