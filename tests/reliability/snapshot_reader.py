"""A stand-alone reader of the app's KPIs, run as its own process beside a pipeline run.

Every 100 ms it does what ``apps/data.py`` does: resolve the current snapshot, open its file
read-only, query. Each read records which snapshot it saw, whether every table's row count equals
what the snapshot's pointer recorded for it (one complete, consistent snapshot), and any error.

Usage: ``python -m tests.reliability.snapshot_reader SERVING_DIR OUT.jsonl STOP_FILE``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

from parcours.serving import current_snapshot

INTERVAL_S = 0.1
KPI_SQL = {
    "customers": "select count(*) from dim_customers",
    "orders_per_channel": "select order_channel, count(*) from fct_orders group by all order by all",
    "touchpoints": "select count(*) from fct_touchpoints",
}


def read_once(serving: Path) -> dict[str, object]:
    """One read of the KPIs from the current snapshot."""
    snapshot = current_snapshot(serving)
    if snapshot is None:
        return {"snapshot": None, "ok": True}
    with duckdb.connect(str(snapshot.path(serving)), read_only=True) as con:
        counts = {
            table: int(con.execute(f'select count(*) from "{table}"').fetchone()[0])  # type: ignore[index]
            for table in sorted(snapshot.tables)
        }
        kpis = {name: [list(row) for row in con.execute(sql).fetchall()] for name, sql in KPI_SQL.items()}
    return {
        "snapshot": snapshot.file,
        "ok": True,
        "consistent": counts == snapshot.tables,
        "kpis": kpis,
    }


def main(serving: Path, out: Path, stop: Path) -> None:
    """Read every 100 ms until ``stop`` exists; one JSON line per read."""
    with out.open("a", encoding="utf-8") as handle:
        while not stop.exists():
            try:
                result = read_once(serving)
            except Exception as error:  # every failure of a read is what the test counts
                result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
            handle.write(json.dumps(result) + "\n")
            handle.flush()
            time.sleep(INTERVAL_S)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
