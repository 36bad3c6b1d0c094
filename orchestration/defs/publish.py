"""Publish the marts the app reads as a read-only serving snapshot, but only after a clean build.

The snapshot asset sits downstream of every mart. Dagster does not run it when an
upstream step failed or a blocking check (dbt tests of severity ``error``, critical
expectation suites, reconciliation) failed, so the app keeps the previous snapshot.
The run-status sensors below then record *why* nothing was published, for the
app's data-health page.
"""

import json

import dagster as dg

from orchestration.defs.transformation import MANIFEST, SERVING_SNAPSHOT_KEY, app_marts
from orchestration.environment import data_dir
from parcours import engine
from parcours.serving import publish_snapshot, record_publish_attempt

FRESHNESS_SOURCES = ("raw_crm", "raw_ga4", "raw_pos", "raw_social")


def mart_asset_keys() -> list[dg.AssetKey]:
    """Asset keys of every dbt model under ``models/marts``."""
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(
        dg.AssetKey([node["name"]])
        for node in nodes
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
    )


@dg.asset(
    key=SERVING_SNAPSHOT_KEY,
    deps=mart_asset_keys(),
    group_name="serving",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    description="Read-only copy of the marts that the app reads, swapped in atomically after a clean build.",
)
def serving_snapshot(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Copy the marts the app reads (its dbt exposure's) into a new snapshot file and make it current.

    The snapshot waits for every mart and its checks (a clean build), but copies only what the app
    queries: the rest (attribution credits, sessions ...) stays in the warehouse, not copied for nothing.
    """
    data = data_dir()
    snapshot = publish_snapshot(
        data.warehouse,
        data.serving,
        run_id=context.run_id,
        freshness=source_freshness(data.warehouse),
        checks=check_results(context.instance, context.run_id),
        tables=app_marts(),
    )
    context.log.info("published %s (%d tables)", snapshot.file, len(snapshot.tables))
    return dg.MaterializeResult(
        metadata={
            "file": snapshot.file,
            "tables": len(snapshot.tables),
            "rows": sum(snapshot.tables.values()),
            **{f"freshness/{source}": value or "never" for source, value in snapshot.freshness.items()},
        }
    )


def source_freshness(warehouse: object) -> dict[str, str | None]:
    """Time of the latest completed load per raw dataset, from dlt's load log."""
    freshness: dict[str, str | None] = {}
    with engine.connect(str(warehouse), read_only=True) as connection:
        schemas = {
            row[0] for row in connection.execute("select schema_name from duckdb_schemas()").fetchall()
        }
        for source in FRESHNESS_SOURCES:
            if source not in schemas:
                freshness[source] = None
                continue
            row = connection.execute(
                f"select max(inserted_at) from {source}._dlt_loads where status = 0"
            ).fetchone()
            freshness[source] = row[0].isoformat() if row and row[0] else None
    return freshness


def check_results(instance: dg.DagsterInstance, run_id: str) -> list[dict[str, object]]:
    """Every asset check evaluated in the run, for the app's data-health page."""
    results = []
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    for record in records:
        evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data  # type: ignore[union-attr]
        results.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": evaluation.passed,
                "severity": evaluation.severity.value,
            }
        )
    return sorted(results, key=lambda result: (str(result["asset"]), str(result["check"])))


def explain_unpublished(instance: dg.DagsterInstance, run_id: str) -> str | None:
    """Why a run did not publish (failed steps and failed blocking checks), or None if it did."""
    materialized = {
        record.asset_key
        for record in instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
        if record.asset_key
    }
    if SERVING_SNAPSHOT_KEY in materialized:
        return None
    reasons = []
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_FAILURE).records:
        reasons.append(f"step {record.event_log_entry.step_key} failed")
    reasons.extend(
        f"check {result['check']} on {result['asset']} failed"
        for result in check_results(instance, run_id)
        if not result["passed"]
    )
    return "; ".join(reasons) or "the serving snapshot was not selected in this run"


def record_run_outcome(instance: dg.DagsterInstance, run_id: str) -> None:
    """After a run that did not publish, remember why; a published run recorded itself."""
    reason = explain_unpublished(instance, run_id)
    if reason is not None:
        record_publish_attempt(data_dir().serving, run_id, published=False, reason=reason)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitor_all_code_locations=False)
def record_outcome_of_successful_runs(context: dg.RunStatusSensorContext) -> None:
    """A successful run may still have skipped the publish because a blocking check failed."""
    record_run_outcome(context.instance, context.dagster_run.run_id)


@dg.run_failure_sensor(monitor_all_code_locations=False)
def record_outcome_of_failed_runs(context: dg.RunFailureSensorContext) -> None:
    """A failed run leaves the previous snapshot in place; say why."""
    record_run_outcome(context.instance, context.dagster_run.run_id)


defs = dg.Definitions(
    assets=[serving_snapshot],
    sensors=[record_outcome_of_successful_runs, record_outcome_of_failed_runs],
)
