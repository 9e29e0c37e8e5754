"""The runs list: this server's runs and, with ``--db``, every run in the results store."""

from __future__ import annotations

import datetime as dt

from tallrx.web.runs import RunQueue


def _when(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def list_runs(queue: RunQueue, db: str | None, command: str = "", status: str = "",
              text: str = "") -> tuple[list[dict], str]:
    """Rows (newest first) with source (``server`` or ``store``), id, time, command, status,
    inputs and a link (server runs), filtered by command, status and a text in the inputs;
    and a note (why the store was not listed, or '')."""
    rows = [{"source": "server", "id": r.id, "time": _when(r.created), "command": r.command,
             "status": r.status, "inputs": ", ".join(r.inputs), "link": f"/runs/{r.id}",
             "store_run": r.store_run or ""}
            for r in sorted(queue.runs.values(), key=lambda r: r.created, reverse=True)]
    note = ""
    if db:
        try:
            from tallrx import store

            with store.open(db) as st:
                table = st.runs()
            for rec in table.sort_values("id", ascending=False).to_dict("records"):
                rows.append({"source": "store", "id": str(rec["id"]), "time": rec["time"],
                             "command": rec["command"], "status": rec["status"],
                             "inputs": ", ".join(i["name"] for i in rec["inputs"]),
                             "link": "", "store_run": str(rec["id"])})
        except Exception as exc:  # noqa: BLE001 - the page still lists this server's runs
            note = f"the results store could not be read: {exc}"
    want = text.strip().lower()
    rows = [r for r in rows if (not command or r["command"] == command)
            and (not status or r["status"] == status)
            and (not want or want in r["inputs"].lower() or want in r["id"])]
    return rows, note
