"""Alembic environment: always run on the connection the vault hands over (never a URL)."""

from alembic import context

from vrmdesk.store.migrate import include_name
from vrmdesk.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_name=include_name,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
