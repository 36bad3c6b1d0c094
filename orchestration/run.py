"""``parcours run``: the whole asset graph in one process, without the UI, then a summary.

Runs are recorded in the data directory's Dagster instance, so they show up in
``parcours ui`` afterwards like any run started there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.environment import data_dir, prepare_dagster_home
from parcours.serving import Snapshot, current_snapshot, last_publish_attempt

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass(frozen=True)
class CheckOutcome:
    """One asset check evaluated during the run."""

    asset: str
    check: str
    passed: bool
    blocking: bool


@dataclass
class RunSummary:
    """What a run did: per-table reconciliation, checks and the published snapshot."""

    run_id: str
    success: bool
    reconciliation: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    snapshot: Snapshot | None = None
    published: bool = False
    reason: str = ""

    @property
    def failed_checks(self) -> list[CheckOutcome]:
        """Checks that did not pass."""
        return [check for check in self.checks if not check.passed]

    def render(self) -> str:
        """A short plain-text report for the terminal."""
        lines = [f"run {self.run_id}: {'succeeded' if self.success else 'FAILED'}", ""]
        if self.reconciliation:
            lines.append(f"{'table':<34}{'read':>12}{'loaded':>12}{'quarantined':>13}")
            for source, table, read, loaded, quarantined in self.reconciliation:
                lines.append(f"{source + '.' + table:<34}{read:>12,}{loaded:>12,}{quarantined:>13,}")
            lines.append("")
        passed = len(self.checks) - len(self.failed_checks)
        lines.append(f"checks: {passed} passed, {len(self.failed_checks)} failed")
        lines.extend(
            f"  FAILED {'(blocking) ' if check.blocking else ''}{check.check} on {check.asset}"
            for check in self.failed_checks
        )
        if self.published and self.snapshot:
            lines.append(f"published snapshot: {self.snapshot.file} ({len(self.snapshot.tables)} tables)")
        else:
            lines.append(f"NOT published, the app keeps the previous snapshot: {self.reason}")
        return "\n".join(lines)


def run_pipeline(tags: dict[str, str] | None = None) -> RunSummary:
    """Materialise every asset in process against the data directory of ``$PARCOURS_HOME``."""
    data = data_dir()
    prepare_dagster_home(data)
    from orchestration.definitions import defs
    from orchestration.defs.publish import record_run_outcome

    job = defs.resolve_job_def("full_pipeline")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, tags=tags, run_config=QUIET_RUN_CONFIG
        )
        record_run_outcome(instance, result.run_id)
    attempt = last_publish_attempt(data.serving)
    published = attempt is not None and attempt.published and attempt.run_id == result.run_id
    return RunSummary(
        run_id=result.run_id,
        success=result.success,
        reconciliation=_reconciliation(result, data.warehouse),
        checks=_check_outcomes(result),
        snapshot=current_snapshot(data.serving),
        published=published,
        reason=attempt.reason if attempt else "",
    )


def _reconciliation(
    result: dg.ExecuteInProcessResult, warehouse: Path
) -> list[tuple[str, str, int, int, int]]:
    """Per raw table: records read, loaded and quarantined by the loads of this run."""
    load_ids: dict[str, list[str]] = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if materialization and materialization.asset_key.path[-1] == "reconciliation":
            value = materialization.metadata.get("load_ids")
            ids = str(value.value if value else "").split(", ")
            load_ids[materialization.asset_key.path[0]] = [load_id for load_id in ids if load_id]
    rows: list[tuple[str, str, int, int, int]] = []
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for dataset, ids in sorted(load_ids.items()):
            if not ids:
                continue
            rows.extend(
                (dataset, str(table), int(read), int(loaded), int(quarantined))
                for table, read, loaded, quarantined in connection.execute(
                    f"""
                    select table_name, sum(records_read), sum(records_loaded), sum(records_quarantined)
                    from "{dataset}".reconciliation where _dlt_load_id in (select unnest(?))
                    group by table_name order by table_name
                    """,
                    [ids],
                ).fetchall()
            )
    return rows


def _check_outcomes(result: dg.ExecuteInProcessResult) -> list[CheckOutcome]:
    outcomes = [
        CheckOutcome(
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            passed=evaluation.passed,
            blocking=evaluation.severity == dg.AssetCheckSeverity.ERROR,
        )
        for evaluation in result.get_asset_check_evaluations()
    ]
    return sorted(outcomes, key=lambda outcome: (outcome.passed, outcome.asset, outcome.check))
