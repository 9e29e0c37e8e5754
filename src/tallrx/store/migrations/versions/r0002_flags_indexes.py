"""runs.n_flagged (rows flagged by the run) and indexes on the sample / drug / protein / target
columns of the row tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tallrx.store._schema import INDEXED

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("n_flagged", sa.Integer))
    for kind, cols in INDEXED.items():
        for c in cols:
            op.create_index(f"ix_{kind}_{c}", kind, [c])


def downgrade() -> None:
    for kind, cols in INDEXED.items():
        for c in cols:
            op.drop_index(f"ix_{kind}_{c}", table_name=kind)
    # a plain DROP COLUMN (SQLite >= 3.35): batch mode would recreate 'runs', and dropping the
    # old table would cascade-delete every run's rows
    op.drop_column("runs", "n_flagged")
