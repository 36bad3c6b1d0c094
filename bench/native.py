"""The physical reference: DuckDB's own read of the same landing files into a table.

For each source, every file family of the landing zone (``ga4/events_*.jsonl``,
``crm/contacts/contacts_*.jsonl``, ``pos/catalog.jsonl``, ...) is read with
``read_json(..., format='newline_delimited', ignore_errors=true)`` into a table
of a scratch DuckDB file, on the same machine in the same run. This is the
fastest way these bytes can become rows in DuckDB; ingestion does more (schema
validation, quarantine, PII hashing, flattening, merge), so the ratio says how
much of the hardware's JSON-to-table speed the pipeline keeps.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from bench.measure import StageResult, timed

DAY_SUFFIX = re.compile(r"_\d{8}$")


def file_families(source_dir: Path) -> list[str]:
    """Glob patterns (relative to the landing zone) of one source's file families, sorted."""
    landing = source_dir.parent
    patterns = set()
    for path in source_dir.rglob("*.jsonl"):
        stem = DAY_SUFFIX.sub("_*", path.stem)
        patterns.add(str(path.with_name(stem + path.suffix).relative_to(landing)))
    return sorted(patterns)


def _table_name(pattern: str) -> str:
    return re.sub(r"\W+", "_", pattern.removesuffix(".jsonl")).strip("_")


def native_read(landing: Path, source: str, database: Path) -> StageResult:
    """Read every landing file of ``source`` into tables of ``database``; rows = rows stored."""
    families = file_families(landing / source)
    connection = duckdb.connect(str(database))
    # no progress bar: in a phase's process, DuckDB draws it into the benchmark's output
    connection.execute("SET enable_progress_bar = false")
    with connection, timed(f"native read: {source}", counted=False) as stage:
        for pattern in families:
            table = _table_name(pattern)
            glob = str(landing / pattern).replace("'", "''")
            connection.execute(
                f"create or replace table {table} as select * from read_json("
                f"'{glob}', format='newline_delimited', ignore_errors=true, maximum_object_size=16777216)"
            )
            row = connection.execute(f"select count(*) from {table}").fetchone()
            count = int(row[0]) if row else 0
            stage.detail[pattern] = count
            stage.rows += count
        connection.execute("checkpoint")
    return stage
