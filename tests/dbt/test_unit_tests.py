"""Every dbt unit test of the project runs and passes in CI; the production build runs none.

A dbt unit test checks a model's SQL on fixed, hand-written inputs, so its outcome depends on
the code only, never on the data. The daily production ``dbt build`` therefore leaves them out
(``orchestration.environment.DBT_BUILD_ARGS``, used by the Dagster step and the bench), and this
test is where they run: a tiny simulated world goes through the real ingestion and the
production ``dbt build``, then ``dbt test --select test_type:unit`` runs every unit test on the
built warehouse (dbt needs the tested models' parents to exist to read their column types).
The same build shows how the contracts' constraints land in DuckDB.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.artifacts.schemas.run import RunExecutionResult
from dbt.cli.main import dbtRunnerResult

from orchestration.environment import DBT_BUILD_ARGS
from parcours.paths import HOME_ENV_VAR, DataDir
from tests.dbt.dbt_cli import invoke_dbt


@dataclass(frozen=True)
class Runs:
    """Each node's status in the production build and in the unit-test run; the declared unit tests."""

    build: dict[str, str]
    build_succeeded: bool
    unit_tests: dict[str, str]
    unit_tests_succeeded: bool
    declared_unit_tests: set[str]
    declared_primary_keys: dict[str, frozenset[str]]
    unique_tests: dict[str, set[frozenset[str]]]
    built_constraints: dict[str, set[str]]


def _declared_primary_keys(manifest: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Each model's primary key declared in its contract (model-level or on a column)."""
    keys = {}
    for unique_id, node in manifest["nodes"].items():
        constraints = [c["columns"] for c in node.get("constraints", []) if c["type"] == "primary_key"]
        constraints += [
            [name]
            for name, column in node.get("columns", {}).items()
            if any(c["type"] == "primary_key" for c in column.get("constraints", []))
        ]
        for columns in constraints:
            keys[unique_id] = frozenset(columns)
    return keys


def _unique_tests(manifest: dict[str, Any]) -> dict[str, set[frozenset[str]]]:
    """Per model, the column sets its unique data tests (one column or a combination) cover."""
    tested: dict[str, set[frozenset[str]]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        arguments = metadata.get("kwargs", {})
        if metadata.get("name") == "unique":
            columns = frozenset([arguments["column_name"]])
        elif metadata.get("name") == "unique_combination_of_columns":
            columns = frozenset(arguments["combination_of_columns"])
        else:
            continue
        tested.setdefault(node["attached_node"], set()).add(columns)
    return tested


def _built_constraints(warehouse: Path) -> dict[str, set[str]]:
    """The constraint types DuckDB holds per table of the built warehouse."""
    with duckdb.connect(str(warehouse)) as connection:
        rows = connection.execute("select table_name, constraint_type from duckdb_constraints()").fetchall()
    built: dict[str, set[str]] = {}
    for table, constraint_type in rows:
        built.setdefault(table, set()).add(constraint_type)
    return built


def _statuses(result: dbtRunnerResult) -> dict[str, str]:
    assert isinstance(result.result, RunExecutionResult), result.exception
    return {item.node.unique_id: str(item.status) for item in result.result.results}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    from ingestion.pipelines import run_ingestion
    from simulator import SimulationConfig, simulate_world

    root = tmp_path_factory.mktemp("dbt_unit_tests")
    data_dir = DataDir(root / "data").ensure()
    config = SimulationConfig(
        customers=150, days=2, seed=5, start_date=date(2026, 10, 1), show_progress=False
    )
    simulate_world(config, landing_dir=data_dir.landing, truth_dir=root / "truth")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV_VAR, str(data_dir.root))
        patch.delenv("PARCOURS_WAREHOUSE", raising=False)
        patch.setenv("DO_NOT_TRACK", "1")
        patch.setenv("PARCOURS_DUCKDB_MEMORY_LIMIT", "1GB")
        run_ingestion(data_dir)
        build = invoke_dbt(list(DBT_BUILD_ARGS), root / "target")
        unit_tests = invoke_dbt(["test", "--select", "test_type:unit"], root / "target")
    manifest = json.loads((root / "target" / "manifest.json").read_text(encoding="utf-8"))
    yield Runs(
        build=_statuses(build),
        build_succeeded=build.success,
        unit_tests=_statuses(unit_tests),
        unit_tests_succeeded=unit_tests.success,
        declared_unit_tests=set(manifest["unit_tests"]),
        declared_primary_keys=_declared_primary_keys(manifest),
        unique_tests=_unique_tests(manifest),
        built_constraints=_built_constraints(data_dir.warehouse),
    )


@pytest.mark.timeout(600)
def test_the_production_build_builds_and_tests_the_data_without_unit_tests(runs: Runs) -> None:
    kinds = {unique_id.split(".")[0] for unique_id in runs.build}
    failed = {node: status for node, status in runs.build.items() if status not in ("success", "pass")}
    assert runs.build_succeeded, failed
    assert {"model", "seed", "test"} <= kinds
    assert "unit_test" not in kinds


@pytest.mark.timeout(600)
def test_every_unit_test_of_the_project_runs_and_passes_on_the_built_warehouse(runs: Runs) -> None:
    assert len(runs.declared_unit_tests) > 30
    assert set(runs.unit_tests) == runs.declared_unit_tests
    failed = {node: status for node, status in runs.unit_tests.items() if status != "pass"}
    assert failed == {}
    assert runs.unit_tests_succeeded


def test_declared_primary_keys_are_unique_tests_not_duckdb_indexes(runs: Runs) -> None:
    """A primary key stays declared and tested, but DuckDB builds no index for it (see
    dbt_project/macros/schema/table_constraints.sql); the contracts' not-null constraints stay."""
    assert "model.parcours.fct_attribution_credits" in runs.declared_primary_keys
    untested = {
        model: sorted(key)
        for model, key in runs.declared_primary_keys.items()
        if key not in runs.unique_tests.get(model, set())
    }
    assert untested == {}
    assert not any("PRIMARY KEY" in types for types in runs.built_constraints.values())
    assert "NOT NULL" in runs.built_constraints["fct_attribution_credits"]
