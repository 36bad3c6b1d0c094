"""Fixtures of the ingestion tests: a landing zone loaded once per module, and warehouse queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ingestion import IngestionReport, run_ingestion
from parcours.paths import DataDir
from tests.ingestion.world import World, write_world


@contextmanager
def warehouse(data_dir: DataDir) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, closed afterwards (DuckDB allows one writer)."""
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        yield con
    finally:
        con.close()


def rows(data_dir: DataDir, sql: str) -> list[tuple[Any, ...]]:
    """Run one query on the warehouse."""
    with warehouse(data_dir) as con:
        return con.execute(sql).fetchall()


def scalar(data_dir: DataDir, sql: str) -> Any:
    """The single value of a query."""
    return rows(data_dir, sql)[0][0]


@dataclass
class Loaded:
    """A fixture world loaded once, then loaded again with nothing new."""

    data_dir: DataDir
    world: World
    first: IngestionReport
    second: IngestionReport


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    """Every source of the hand-made world, run twice into one warehouse."""
    data_dir = DataDir(tmp_path_factory.mktemp("loaded") / "home").ensure()
    world = write_world(data_dir.landing)
    first = run_ingestion(data_dir)
    second = run_ingestion(data_dir)
    return Loaded(data_dir, world, first, second)


@pytest.fixture
def fresh_world(data_dir: DataDir) -> World:
    """The hand-made world written into a fresh data directory, not loaded yet."""
    return write_world(data_dir.landing)


def landing_path(data_dir: DataDir, relative: str) -> Path:
    """A file of the landing zone."""
    return data_dir.landing / relative
