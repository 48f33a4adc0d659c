"""Alembic environment: runs on the connection handed over in `config.attributes["connection"]`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from chainhub.storage.migrate import include_name
from chainhub.storage.models import METADATA

connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=METADATA,
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
