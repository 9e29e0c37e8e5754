"""initial: runs, files, run_files, blobs, run_tables and one row table per queryable kind

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tallrx.store._schema import ROW_COLUMNS, build

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = sa.MetaData()
    build(meta, 1)
    meta.create_all(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    for name in [*ROW_COLUMNS, "run_tables", "run_files", "blobs", "files", "runs"]:
        sa.Table(name, sa.MetaData()).drop(bind, checkfirst=True)
