"""The store's tables at the newest migration (``head``), as SQLAlchemy Core.

Row tables hold the standard columns of each queryable kind as typed columns; every other column
of a row (conditions such as ``il7`` or ``dox``, diagnostics, columns added by later tallrx
versions) goes into the JSON column ``extra``. The migrations in ``migrations/versions`` create
exactly these tables; ``tests/store`` checks that they agree.
"""

from __future__ import annotations

import sqlalchemy as sa

#: typed column kinds: "text", "float", "bool", "int"
SA_TYPES = {"text": sa.Text, "float": sa.Float, "bool": sa.Boolean, "int": sa.Integer}

#: the queryable kinds (file name -> kind) and their standard (typed) columns
ROW_COLUMNS: dict[str, dict[str, str]] = {
    "curves": {
        "sample": "text", "drug_a": "text", "n": "float", "ic50": "float", "hill": "float",
        "top": "float", "bottom": "float", "emax": "float", "auc": "float", "auc_fit": "float",
        "auc_max": "float", "auc_window_low": "float", "auc_window_high": "float", "r2": "float",
        "ic50_extrapolated": "bool", "fit_ok": "bool", "message": "text", "source": "text",
    },
    "strata": {
        "sample": "text", "drug_a": "text", "auc_without": "float", "auc_with": "float",
        "auc_fold": "float", "il7_responsive": "bool", "il7_dependent_resistant": "bool",
        "message": "text",
    },
    "combinations": {
        "sample": "text", "drug_a": "text", "drug_b": "text", "ci_mean": "float",
        "ci_gmean": "float", "ci_ed50": "float", "ci_ed75": "float", "ci_ed90": "float",
        "bliss": "float", "loewe": "float", "hsa": "float", "zip": "float", "call": "text",
        "p_value": "float", "fit_ok": "bool", "message": "text",
    },
    "binding": {
        "protein": "text", "comparison": "text", "ratio_mean": "float", "log2_fc": "float",
        "p_value": "float", "q_value": "float", "interactor": "bool", "lost_binding": "bool",
        "message": "text",
    },
    "expression": {
        "sample": "text", "target": "text", "relative_expression": "float", "sd": "float",
        "lower": "float", "upper": "float", "log2_fc": "float", "p_value": "float",
        "flagged": "bool", "message": "text",
    },
    "claims": {
        "id": "int", "figure": "text", "statement": "text", "rule": "text", "status": "text",
        "held": "bool", "summary": "text",
    },
}
#: output file name of each queryable kind
KIND_FILES = {kind: f"{kind}.csv" for kind in ROW_COLUMNS} | {"claims": "claims.json"}
#: columns of each row table that get an index (migration 0002)
INDEXED = {kind: [c for c in ("sample", "drug_a", "protein", "target") if c in cols]
           for kind, cols in ROW_COLUMNS.items()}


def build(meta: sa.MetaData, revision: int) -> dict[str, sa.Table]:
    """Define the store's tables as of migration ``revision`` (1, 2, ...) on ``meta``.

    Migrations call it with their own number, so a revision keeps creating what it created when
    it was written: a later change adds a ``revision >= N`` branch here and a migration N."""
    runs = sa.Table(
        "runs", meta,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_key", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("command", sa.String(40), nullable=False),
        sa.Column("tallrx_version", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("argv", sa.JSON),
        sa.Column("meta", sa.JSON),
        *([sa.Column("n_flagged", sa.Integer)] if revision >= 2 else []),
    )
    files = sa.Table(
        "files", meta,
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    run_files = sa.Table(
        "run_files", meta,
        _run_fk(primary_key=True),
        sa.Column("role", sa.String(10), primary_key=True),  # input | output
        sa.Column("name", sa.Text, primary_key=True),  # file name, never an absolute path
        sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    )
    blobs = sa.Table(
        "blobs", meta,
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("gzip", sa.LargeBinary, nullable=False),
    )
    run_tables = sa.Table(
        "run_tables", meta,
        _run_fk(primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),  # relative path in the output folder
        sa.Column("kind", sa.String(20)),  # a ROW_COLUMNS kind, or NULL (kept as a blob)
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("columns", sa.JSON, nullable=False),  # [[name, pandas dtype], ...]
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    out = {"runs": runs, "files": files, "run_files": run_files, "blobs": blobs,
           "run_tables": run_tables}
    for kind, cols in ROW_COLUMNS.items():
        out[kind] = sa.Table(
            kind, meta,
            sa.Column("row_pk", sa.Integer, primary_key=True, autoincrement=True),
            _run_fk(nullable=False, index=True),
            sa.Column("row_index", sa.Integer, nullable=False),
            *(sa.Column(name, SA_TYPES[t]) for name, t in cols.items()),
            sa.Column("extra", sa.JSON),
        )
        if revision >= 2:
            for c in INDEXED[kind]:
                sa.Index(f"ix_{kind}_{c}", out[kind].c[c])
    return out


def _run_fk(**kw) -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), **kw)


#: the newest revision number and its tables
HEAD = 2
metadata = sa.MetaData()
TABLES = build(metadata, HEAD)
runs, files, run_files, blobs, run_tables = (
    TABLES[n] for n in ("runs", "files", "run_files", "blobs", "run_tables"))
ROW_TABLES: dict[str, sa.Table] = {kind: TABLES[kind] for kind in ROW_COLUMNS}
