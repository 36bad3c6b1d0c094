"""``parcours run``: the whole asset graph in one process, without the UI, then a summary.

Runs are recorded in the data directory's Dagster instance, so they show up in
``parcours ui`` afterwards like any run started there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from orchestration.backfill import BackfillWindow
from orchestration.environment import data_dir, prepare_dagster_home
from parcours.serving import Snapshot, current_snapshot, last_publish_attempt

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
BACKFILL_TAG = "parcours/backfill"


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


def run_pipeline(tags: dict[str, str] | None = None, backfill: BackfillWindow | None = None) -> RunSummary:
    """Materialise every asset in process against the data directory of ``$PARCOURS_HOME``.

    With a ``backfill`` window, the run re-reads and rebuilds those landing days
    (see :mod:`orchestration.backfill`); the run is tagged ``parcours/backfill``.
    """
    data = data_dir()
    prepare_dagster_home(data)
    from orchestration.definitions import defs
    from orchestration.defs.publish import record_run_outcome

    job = defs.resolve_job_def("full_pipeline")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={**(tags or {}), **backfill_tags(backfill)},
            run_config=run_config(backfill),
        )
        record_run_outcome(instance, result.run_id)
        checks = _check_outcomes(instance, result.run_id)
    attempt = last_publish_attempt(data.serving)
    published = attempt is not None and attempt.published and attempt.run_id == result.run_id
    return RunSummary(
        run_id=result.run_id,
        success=result.success,
        reconciliation=_reconciliation(result),
        checks=checks,
        snapshot=current_snapshot(data.serving),
        published=published,
        reason=attempt.reason if attempt else "",
    )


def run_config(backfill: BackfillWindow | None) -> dict[str, Any]:
    """Run config of the full pipeline: quiet logs, and the backfill window if any."""
    window = backfill or BackfillWindow()
    if window.active:
        window.bounds()  # fail before the run on a malformed or reversed window
    config = {"from_date": window.from_date, "to_date": window.to_date}
    return {**QUIET_RUN_CONFIG, "resources": {"backfill": {"config": config}}}


def backfill_tags(backfill: BackfillWindow | None) -> dict[str, str]:
    """``parcours/backfill: <from>..<to>`` on a backfill run, so it stands out in the UI's run list."""
    return {BACKFILL_TAG: backfill.describe()} if backfill and backfill.active else {}


def _reconciliation(result: dg.ExecuteInProcessResult) -> list[tuple[str, str, int, int, int]]:
    """Per raw table: records read, loaded and quarantined, as the ingestion steps recorded them."""
    from orchestration.defs.ingestion import RECONCILIATION_METADATA

    rows: list[tuple[str, str, int, int, int]] = []
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        recorded = materialization.metadata.get(RECONCILIATION_METADATA)
        if recorded is None:
            continue
        dataset = materialization.asset_key.path[0]
        for table, (read, loaded, quarantined) in sorted(recorded.value.items()):  # type: ignore[union-attr]
            rows.append((dataset, table, int(read), int(loaded), int(quarantined)))
    return sorted(rows)


def _check_outcomes(instance: dg.DagsterInstance, run_id: str) -> list[CheckOutcome]:
    from orchestration.defs.publish import check_results

    outcomes = [
        CheckOutcome(
            asset=str(result["asset"]),
            check=str(result["check"]),
            passed=bool(result["passed"]),
            blocking=result["severity"] == dg.AssetCheckSeverity.ERROR.value,
        )
        for result in check_results(instance, run_id)
    ]
    return sorted(outcomes, key=lambda outcome: (outcome.passed, outcome.asset, outcome.check))
