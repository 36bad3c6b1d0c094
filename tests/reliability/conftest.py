"""One small world, built twice by the real pipeline, shared by every reliability test.

The session builds a simulated world's landing zone once, then runs ``parcours run``'s pipeline
on it in two fresh data directories, ``first`` and ``second`` (the latter under a small DuckDB
memory limit), each with a separate process reading the app's KPIs every 100 ms
(``snapshot_reader``). The second directory starts with the first one's
published snapshot, so its reader sees the switch from one snapshot to the next. Tests that change
a data directory (erasure) work on a copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.run import RunSummary, run_pipeline
from parcours.paths import HOME_ENV_VAR, DataDir
from simulator import SimulationConfig, simulate_world

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_VAR = "PARCOURS_DUCKDB_MEMORY_LIMIT"
# The second build runs under a small DuckDB memory limit: it must still finish (spilling to
# <warehouse file>.tmp) and give the same tables as the first (test_determinism.py).
SMALL_MEMORY_LIMIT = "128MB"
# Columns holding the time of the run (dlt load ids, dbt run start), never derived from the data,
# and reconciliation_id, a hash of the load id.
RUN_TIME_COLUMNS = frozenset(
    {
        "registered_at",
        "merged_at",
        "assigned_at",
        "customer_key_assigned_at",
        "load_id",
        "last_load_id",
        "loaded_at",
        "_dlt_load_id",
        "reconciliation_id",
    }
)
RELIABILITY_WORLD = SimulationConfig(
    customers=400, days=4, seed=11, start_date=date(2026, 10, 1), malformed_rate=0.01
)


@dataclass(frozen=True)
class Build:
    """One pipeline run over the shared landing zone, and what the concurrent reader saw."""

    data: DataDir
    summary: RunSummary
    reads: list[dict[str, Any]]


@dataclass(frozen=True)
class Builds:
    """The two builds of the same landing zone."""

    landing: Path
    truth: Path
    first: Build
    second: Build


def _point_environment(data: DataDir) -> dict[str, str | None]:
    previous = {name: os.environ.get(name) for name in (HOME_ENV_VAR, "DAGSTER_HOME")}
    os.environ[HOME_ENV_VAR] = str(data.root)
    os.environ["DAGSTER_HOME"] = str(data.dagster_home)
    return previous


def _restore_environment(previous: dict[str, str | None]) -> None:
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def build_with_reader(data: DataDir, scratch: Path, memory_limit: str | None = None) -> Build:
    """Run the whole pipeline on ``data`` while a separate process reads the app's KPIs."""
    reads_file, stop_file = scratch / "reads.jsonl", scratch / "stop"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.snapshot_reader",
            str(data.serving),
            str(reads_file),
            str(stop_file),
        ],
        cwd=REPOSITORY_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY_ROOT)},
    )
    previous = _point_environment(data)
    previous_limit = os.environ.get(MEMORY_LIMIT_VAR)
    if memory_limit:
        os.environ[MEMORY_LIMIT_VAR] = memory_limit
    try:
        summary = run_pipeline()
    finally:
        _restore_environment(previous | {MEMORY_LIMIT_VAR: previous_limit})
        stop_file.touch()
        reader.wait(timeout=60)
    reads = [json.loads(line) for line in reads_file.read_text(encoding="utf-8").splitlines()]
    return Build(data, summary, reads)


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """The reliability world, built by the real pipeline in two fresh data directories."""
    world = tmp_path_factory.mktemp("reliability-world")
    simulate_world(RELIABILITY_WORLD, landing_dir=world / "landing", truth_dir=world / "truth")
    first_data = DataDir(tmp_path_factory.mktemp("first") / "home").ensure()
    shutil.copytree(world / "landing", first_data.landing, dirs_exist_ok=True)
    first = build_with_reader(first_data, tmp_path_factory.mktemp("first-reader"))
    second_data = DataDir(tmp_path_factory.mktemp("second") / "home").ensure()
    shutil.copytree(world / "landing", second_data.landing, dirs_exist_ok=True)
    shutil.copytree(first_data.serving, second_data.serving, dirs_exist_ok=True)
    second = build_with_reader(second_data, tmp_path_factory.mktemp("second-reader"), SMALL_MEMORY_LIMIT)
    return Builds(world / "landing", world / "truth", first, second)


@pytest.fixture
def copy_of_first(builds: Builds, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DataDir]:
    """A private copy of the first build's data directory, exported as ``$PARCOURS_HOME``."""
    data = DataDir(tmp_path / "home")
    shutil.copytree(builds.first.data.root, data.root, symlinks=True)
    monkeypatch.setenv(HOME_ENV_VAR, str(data.root))
    monkeypatch.setenv("DAGSTER_HOME", str(data.dagster_home))
    yield data


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of one query on a DuckDB file opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def files_containing(
    root: Path, needles: dict[str, bytes], skip: tuple[str, ...] = (), newer_than: float | None = None
) -> dict[str, list[str]]:
    """The needles each file below ``root`` holds (not below ``skip``, modified after ``newer_than``)."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or any(relative.parts[: len(Path(s).parts)] == Path(s).parts for s in skip):
            continue
        if newer_than is not None and path.stat().st_mtime < newer_than:
            continue
        data = path.read_bytes()
        hits = [name for name, needle in needles.items() if needle in data]
        if hits:
            found[str(relative)] = hits
    return found


def table_hashes(
    warehouse: Path, schemas: tuple[str, ...], skip: frozenset[str] = RUN_TIME_COLUMNS
) -> dict[str, tuple[int, str]]:
    """Row count and order-independent hash of every table of ``schemas`` (columns ``skip`` left out).

    dlt's bookkeeping tables (``_dlt_loads``, ...) are left out: they record loads, not data.
    """
    hashes = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) and table_type = 'BASE TABLE' "
            "and table_name not like '\\_dlt\\_%' escape '\\' order by all",
            [list(schemas)],
        ).fetchall()
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if name not in skip
            ]
            row = ", ".join(f'"{c}"' for c in columns)
            count, digest = con.execute(
                f"select count(*), md5(coalesce(string_agg(h, '' order by h), '')) "
                f'from (select md5(cast(row({row}) as varchar)) as h from "{schema}"."{table}")'
            ).fetchone()  # type: ignore[misc]
            hashes[f"{schema}.{table}"] = (int(count), str(digest))
    return hashes
