"""``parcours run`` end to end on a small world, and the quality gate in front of the app."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.defs.transformation import app_marts
from orchestration.run import RunSummary, run_pipeline
from parcours.paths import DataDir
from parcours.serving import current_snapshot, last_publish_attempt
from tests.orchestration.conftest import simulate_small_world

pytestmark = pytest.mark.slow


@pytest.fixture
def first_run(data_dir: DataDir) -> RunSummary:
    simulate_small_world(data_dir)
    return run_pipeline()


def test_a_full_run_ingests_builds_checks_and_publishes(data_dir: DataDir, first_run: RunSummary) -> None:
    assert first_run.success and first_run.published, first_run.render()
    assert not first_run.failed_checks
    datasets = {dataset for dataset, *_ in first_run.reconciliation}
    assert datasets >= {"raw_crm", "raw_ga4", "raw_pos", "raw_social"}
    for dataset, table, read, loaded, quarantined in first_run.reconciliation:
        assert read == loaded + quarantined, f"{dataset}.{table}"
    assert sum(quarantined for *_, quarantined in first_run.reconciliation) > 0
    snapshot = current_snapshot(data_dir.serving)
    assert snapshot is not None and snapshot.run_id == first_run.run_id
    assert snapshot.checks and all(check["passed"] for check in snapshot.checks)
    assert set(snapshot.freshness) == {"raw_crm", "raw_ga4", "raw_pos", "raw_social"}
    assert set(snapshot.tables) == set(app_marts())
    tables = _dbt_tables(data_dir)
    assert len(tables) > 50
    assert _row_counts_shown_in_dagster(tables) == tables, "dagster/row_count differs from the built tables"


def _dbt_tables(data_dir: DataDir) -> dict[str, int]:
    """Rows of every table dbt built (models and seeds), by name."""
    with duckdb.connect(str(data_dir.warehouse), read_only=True) as connection:
        tables = connection.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where schema_name in ('staging', 'intermediate', 'marts', 'reference', 'restricted')"
        ).fetchall()
        return {
            name: connection.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
            for schema, name in tables
        }


def _row_counts_shown_in_dagster(tables: dict[str, int]) -> dict[str, int]:
    """``dagster/row_count`` of the latest materialisation of each table's asset."""
    with dg.DagsterInstance.get() as instance:
        events = instance.get_latest_materialization_events([dg.AssetKey([name]) for name in tables])
    shown = {}
    for key, event in events.items():
        materialization = event.asset_materialization if event else None
        if materialization and "dagster/row_count" in materialization.metadata:
            shown[key.path[-1]] = int(materialization.metadata["dagster/row_count"].value)  # type: ignore[arg-type]
    return shown


def test_a_failing_blocking_check_keeps_the_previous_snapshot(
    data_dir: DataDir, first_run: RunSummary
) -> None:
    previous = current_snapshot(data_dir.serving)
    with duckdb.connect(str(data_dir.warehouse)) as connection:  # a survey type no one planned for
        connection.execute("update raw_crm.feedback set survey_type = 'CES'")
    second = run_pipeline()
    assert not second.published
    assert current_snapshot(data_dir.serving) == previous
    attempt = last_publish_attempt(data_dir.serving)
    assert attempt is not None and not attempt.published and attempt.run_id == second.run_id
    assert "dbt_build" in attempt.reason or "campaign" in attempt.reason
    alerts = (data_dir.logs / "alerts.jsonl").read_text(encoding="utf-8")
    assert second.run_id in alerts
