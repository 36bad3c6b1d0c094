"""Files read in many small chunks, each decoded ahead while the previous is parsed, their rows handed
to dlt in small row groups held back across chunks, load as in one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ingestion import resources, row_groups, run_ingestion
from ingestion.landing import FileRead, Landing, LandingFile
from parcours.paths import DataDir
from tests.ingestion.conftest import rows
from tests.ingestion.world import START, ga4_event, write_world

TABLES = {
    "events": "event_id",
    "event_params": "event_id, param_index",
    "user_properties": "event_id, property_index",
    "event_items": "event_id, item_index",
    "quarantine": "source_file, line_number",
    "reconciliation": "source_file",
    "schema_drift": "source_file, change, column_name",
}
SMALL_CHUNK_BYTES = 4096  # a few GA4 lines per chunk


def _ga4_home(root: Path) -> DataDir:
    """The hand-made world's GA4 files, plus a day whose 3rd record brings a key unknown to the spec."""
    data_dir = DataDir(root).ensure()
    write_world(data_dir.landing, ga4_events_per_day=60)
    day = START.replace(day=START.day + 3)
    events = [ga4_event(n, day, user=None) for n in range(30)]
    events[2]["app_version"] = "4.2"
    path = data_dir.landing / f"ga4/events_{day.strftime('%Y%m%d')}.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return data_dir


def _snapshot(data_dir: DataDir) -> dict[str, list[tuple[Any, ...]]]:
    """Every GA4 raw table's rows, columns by name (load ids and times left out), in a stable order.

    Columns by name: a drift column met in a later chunk of the run is added later in the table.
    """
    snapshot = {}
    for table, order in TABLES.items():
        columns = rows(
            data_dir,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw_ga4' "
            f"AND table_name = '{table}' AND column_name NOT IN ('_dlt_load_id', 'loaded_at') "
            "ORDER BY column_name",
        )
        select = ", ".join(f'"{name}"' for (name,) in columns)
        snapshot[table] = rows(data_dir, f"SELECT {select} FROM raw_ga4.{table} ORDER BY {order}")
    return snapshot


def test_ga4_read_in_small_pipelined_chunks_loads_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _ga4_home(tmp_path / "whole")
    run_ingestion(whole, sources=["ga4"])

    chunked = _ga4_home(tmp_path / "chunked")
    read_chunks = Landing.iter_line_chunks

    def small_chunks(
        self: Landing, file: LandingFile, chunk_bytes: int = 0, read: FileRead | None = None
    ) -> Iterator[pa.Table]:
        return read_chunks(self, file, SMALL_CHUNK_BYTES, read)

    monkeypatch.setattr(Landing, "iter_line_chunks", small_chunks)
    monkeypatch.setattr(resources, "BATCH_BYTES", 1)  # every line chunk is parsed on its own
    monkeypatch.setattr(row_groups, "ROW_GROUP_ROWS", 7)  # rows held back across chunks
    report = run_ingestion(chunked, sources=["ga4"])

    assert report.balanced
    expected, got = _snapshot(whole), _snapshot(chunked)
    assert got["schema_drift"] and any("app_version" in row for row in got["schema_drift"])
    assert got["quarantine"] and {"duplicate", "broken_json"} <= {
        value for row in got["quarantine"] for value in row
    }
    assert got == expected
