"""The incremental facts equal a full refresh on the same data, GA4 late rewrite included.

A small simulated world is landed in two steps: first every day but the last, with some GA4
events of the two days before it held back; then the whole world, so the last day arrives and
the GA4 files of the two previous days are rewritten with their late events (within GA4's
3-day policy). dbt builds the incremental models after each load; their tables are copied,
then rebuilt with ``--full-refresh`` on the same raw data, and must hold exactly the same rows.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner, dbtRunnerResult

from parcours.paths import HOME_ENV_VAR, DataDir

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
START = date(2026, 10, 1)
DAYS = 5
HELD_BACK_EVERY = 6  # one GA4 line in this many of the two days before the last arrives late
SNAPSHOT_SCHEMA = "incremental_snapshot"
# The incremental facts compared (fct_touchpoints only once identity resolution exists), and
# the dbt selection that builds them with everything upstream.
FACTS = ("int_web__sessionized_events", "fct_sessions", "fct_touchpoints")
SELECTION = [*(f"+{fact}" for fact in FACTS), "int_web__late_events_quarantined"]


@dataclass(frozen=True)
class IncrementalModel:
    """An incremental fact of the project and where it lives."""

    name: str
    relation: str


def _day_suffix(day: date) -> str:
    return day.strftime("%Y%m%d") + ".jsonl"


def _land_all_but_last_day(world: Path, landing: Path) -> int:
    """Copy the world without its last day, holding back some GA4 events of the two days before."""
    shutil.copytree(world, landing, dirs_exist_ok=True)
    last = START + timedelta(days=DAYS - 1)
    for path in landing.rglob(f"*_{_day_suffix(last)}"):
        path.unlink()
    held_back = 0
    for day in (last - timedelta(days=1), last - timedelta(days=2)):
        path = landing / "ga4" / f"events_{_day_suffix(day)}"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for number, line in enumerate(lines) if number % HELD_BACK_EVERY != 1]
        held_back += len(lines) - len(kept)
        path.write_text("".join(kept), encoding="utf-8")
    return held_back


def _dbt(args: list[str], target: Path) -> dbtRunnerResult:
    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            "--quiet",
        ]
    )
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception}"
    return result


def _incremental_models(target: Path) -> list[IncrementalModel]:
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return sorted(
        (
            IncrementalModel(node["name"], f"{node['schema']}.{node['alias']}")
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model"
            and node["name"] in FACTS
            and node["config"].get("materialized") == "incremental"
            and node["config"].get("enabled", True)
        ),
        key=lambda model: model.name,
    )


def _query(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse)) as connection:
        return connection.execute(sql).fetchall()


def _count(warehouse: Path, relation: str) -> int:
    return int(_query(warehouse, f"select count(*) from {relation}")[0][0])


def _rows_only_in(warehouse: Path, relation: str, other: str) -> int:
    """Rows of ``relation`` that ``other`` lacks, duplicates counted."""
    return _count(warehouse, f"(select * from {relation} except all select * from {other}) as only_here")


def _execute(warehouse: Path, statements: list[str]) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        for statement in statements:
            connection.execute(statement)


@dataclass(frozen=True)
class Builds:
    """The warehouse after the incremental run, snapshotted, then rebuilt from scratch."""

    warehouse: Path
    models: list[IncrementalModel]
    held_back_events: int
    rows_before_increment: dict[str, int]
    late_events_after_increment: int


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    from ingestion.pipelines import run_ingestion
    from simulator import SimulationConfig, simulate_world

    root = tmp_path_factory.mktemp("incremental_equals_full")
    data_dir = DataDir(root / "data").ensure()
    world = root / "world"
    config = SimulationConfig(customers=250, days=DAYS, seed=7, start_date=START, malformed_rate=0.001)
    simulate_world(config, landing_dir=world / "landing", truth_dir=world / "truth")
    target = root / "target"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV_VAR, str(data_dir.root))
        patch.delenv("PARCOURS_WAREHOUSE", raising=False)
        patch.setenv("DO_NOT_TRACK", "1")
        patch.setenv("PARCOURS_DUCKDB_MEMORY_LIMIT", "1GB")

        held_back = _land_all_but_last_day(world / "landing", data_dir.landing)
        run_ingestion(data_dir)
        _dbt(["seed"], target)
        _dbt(["run", "--select", *SELECTION], target)
        models = _incremental_models(target)
        before = {model.name: _count(data_dir.warehouse, model.relation) for model in models}

        shutil.copytree(world / "landing", data_dir.landing, dirs_exist_ok=True)
        run_ingestion(data_dir)
        _dbt(["run", "--select", *SELECTION], target)
        late = _count(data_dir.warehouse, "intermediate.int_web__late_events_quarantined")
        statements = [f"create schema if not exists {SNAPSHOT_SCHEMA}"]
        statements += [
            f"create or replace table {SNAPSHOT_SCHEMA}.{model.name} as select * from {model.relation}"
            for model in models
        ]
        _execute(data_dir.warehouse, statements)

        _dbt(["run", "--full-refresh", "--select", *SELECTION], target)
        yield Builds(data_dir.warehouse, models, held_back, before, late)


@pytest.mark.timeout(240)
def test_the_world_holds_late_ga4_events_and_incremental_models(builds: Builds) -> None:
    names = {model.name for model in builds.models}
    assert {"int_web__sessionized_events", "fct_sessions"} <= names
    assert builds.held_back_events > 0
    assert all(rows > 0 for rows in builds.rows_before_increment.values()), builds.rows_before_increment


@pytest.mark.timeout(240)
def test_late_events_within_the_ga4_policy_are_not_quarantined(builds: Builds) -> None:
    assert builds.late_events_after_increment == 0


@pytest.mark.timeout(240)
def test_incremental_models_equal_a_full_refresh_on_the_same_data(builds: Builds) -> None:
    differences = {}
    for model in builds.models:
        snapshot = f"{SNAPSHOT_SCHEMA}.{model.name}"
        only_incremental = _rows_only_in(builds.warehouse, snapshot, model.relation)
        only_full = _rows_only_in(builds.warehouse, model.relation, snapshot)
        rows = _count(builds.warehouse, model.relation)
        assert rows > builds.rows_before_increment[model.name], f"{model.name} did not grow"
        if only_incremental or only_full:
            differences[model.name] = (only_incremental, only_full)
    assert differences == {}
