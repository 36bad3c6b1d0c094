"""Data access for the app: plain query functions over the published serving snapshot.

The app never opens the live warehouse. Each query runs on the snapshot the pointer
names at that moment, through its own cursor of one read-only DuckDB instance per
snapshot file (opening the file costs tens of milliseconds, a cursor next to nothing);
results are cached per snapshot file, so a new publish is picked up on the next
interaction and a stale cache can never mix two snapshots. Snapshot files are never
written after publishing, so a read-only instance blocks nobody; the instances of
snapshots older than the previous one are closed (a query still running on the previous
snapshot during a publish finishes).
"""

from __future__ import annotations

import threading
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from parcours import engine
from parcours.paths import resolve_data_dir
from parcours.serving import POINTER_FILE, PublishAttempt, Snapshot, current_snapshot, last_publish_attempt

# Pointer file -> (its inode, modification time and size; the snapshot it names). The pointer lists
# every check of the run (~100 kB of JSON, 1-4 ms to parse) and a page asks for it at every query;
# a publish replaces the file (a new inode), so an unchanged stat means an unchanged pointer.
_POINTERS: dict[str, tuple[tuple[int, int, int], Snapshot | None]] = {}
_POINTERS_LOCK = threading.Lock()


def snapshot() -> Snapshot | None:
    """The snapshot published most recently, or ``None``."""
    serving = resolve_data_dir().serving
    pointer = serving / POINTER_FILE
    try:
        stat = pointer.stat()
    except FileNotFoundError:
        return None
    signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    with _POINTERS_LOCK:
        cached = _POINTERS.get(str(pointer))
    if cached is not None and cached[0] == signature:
        return cached[1]
    current = current_snapshot(serving)
    with _POINTERS_LOCK:
        _POINTERS[str(pointer)] = (signature, current)
    return current


def publish_attempt() -> PublishAttempt | None:
    """The outcome of the latest run's publish step."""
    return last_publish_attempt(resolve_data_dir().serving)


def query(sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    """Run ``sql`` on the current snapshot; an empty frame when nothing is published.

    A publish may swap the pointer and prune the file between reading the pointer and opening
    the file; the query then runs once more on the snapshot the pointer names now.
    """
    for attempt in range(2):
        current = snapshot()
        if current is None:
            return pd.DataFrame()
        snapshot_file = current.path(resolve_data_dir().serving)
        try:
            return _cached_query(str(snapshot_file), sql, _hashable(params))
        except duckdb.IOException:
            if attempt == 1 or snapshot_file.exists():
                raise
    raise AssertionError("unreachable")


def columns(table: str) -> set[str]:
    """Column names of ``table`` in the current snapshot (empty when the table is missing)."""
    if not has_table(table):
        return set()
    frame = query("select column_name from information_schema.columns where table_name = ?", [table])
    return set(frame["column_name"]) if not frame.empty else set()


def _hashable(params: list[Any] | None) -> tuple[Any, ...]:
    return tuple(tuple(value) if isinstance(value, list) else value for value in params or ())


def has_table(name: str) -> bool:
    """Whether the current snapshot holds the table ``name``."""
    current = snapshot()
    return current is not None and name in current.tables


@st.cache_data(max_entries=256, show_spinner=False)
def _cached_query(snapshot_file: str, sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    values = [list(value) if isinstance(value, tuple) else value for value in params]
    with _database(snapshot_file).cursor() as cursor:
        return cursor.execute(sql, values).fetchdf()


# Snapshot file -> its read-only DuckDB instance, oldest first; at most OPEN_SNAPSHOTS stay open.
_DATABASES: dict[str, duckdb.DuckDBPyConnection] = {}
_DATABASES_LOCK = threading.Lock()
OPEN_SNAPSHOTS = 2
# Memory each open snapshot instance may keep (its buffer cache lives as long as the app) unless
# PARCOURS_DUCKDB_MEMORY_LIMIT says otherwise: the pages aggregate marts, so this caps the cache
# without limiting the queries.
SNAPSHOT_MEMORY_LIMIT = "2GB"


def _database(snapshot_file: str) -> duckdb.DuckDBPyConnection:
    """The read-only DuckDB instance of ``snapshot_file``, opened on first use.

    Opening a newer snapshot closes all but the previous one (closing an instance closes its
    cursors, so the previous one stays open for queries that started before the publish).
    """
    with _DATABASES_LOCK:
        database = _DATABASES.get(snapshot_file)
        if database is None:
            database = duckdb.connect(snapshot_file, read_only=True)
            # A setting, not a connect() config: a config would refuse other connections to the file.
            database.execute(f"set memory_limit = '{engine.memory_limit(default=SNAPSHOT_MEMORY_LIMIT)}'")
            _DATABASES[snapshot_file] = database
            for stale in list(_DATABASES)[:-OPEN_SNAPSHOTS]:
                _DATABASES.pop(stale).close()
        return database
