"""Data access for the app: plain query functions over the published serving snapshot.

The app never opens the live warehouse. Each query opens the current snapshot
read-only, runs, and closes; results are cached per snapshot file, so a new
publish is picked up on the next interaction and a stale cache can never mix two
snapshots.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from parcours import engine
from parcours.paths import resolve_data_dir
from parcours.serving import PublishAttempt, Snapshot, current_snapshot, last_publish_attempt


def snapshot() -> Snapshot | None:
    """The snapshot published most recently, or ``None``."""
    return current_snapshot(resolve_data_dir().serving)


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
    with engine.connect(snapshot_file, read_only=True) as connection:
        values = [list(value) if isinstance(value, tuple) else value for value in params]
        return connection.execute(sql, values).fetchdf()
