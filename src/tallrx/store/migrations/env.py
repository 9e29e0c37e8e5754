"""Alembic environment: runs on the connection :mod:`tallrx.store` passes in (no alembic.ini)."""

from __future__ import annotations

from alembic import context


def _in_alembic() -> bool:
    """True when Alembic is running this file (not when a tool merely imports it)."""
    try:
        context.config  # noqa: B018 - raises NameError outside a migration
    except (NameError, AttributeError):
        return False
    return True


def run() -> None:
    """Run the migrations on ``config.attributes['connection']`` inside its transaction."""
    conn = context.config.attributes["connection"]
    context.configure(connection=conn, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if _in_alembic():
    run()
