"""Jobs, the daily schedule and the sensor that starts a run when new files land."""

from __future__ import annotations

import hashlib

import dagster as dg

from orchestration.defs.alerts import alert_on_step_failure
from orchestration.environment import data_dir

PIPELINE_TIMEZONE = "Europe/Paris"

full_pipeline = dg.define_asset_job(
    name="full_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every source, build and test the dbt project, publish the serving snapshot.",
    hooks={alert_on_step_failure},
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_full_pipeline",
    job=full_pipeline,
    cron_schedule="0 6 * * *",
    execution_timezone=PIPELINE_TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every morning at 06:00 Paris time, before the marketing team opens the app.",
)


def landing_fingerprint() -> tuple[str, int]:
    """A digest of the landing zone's file names, sizes and modification times, and the file count."""
    landing = data_dir().landing
    digest = hashlib.sha256()
    count = 0
    for path in sorted(landing.rglob("*.jsonl")):
        stat = path.stat()
        digest.update(f"{path.relative_to(landing)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        count += 1
    return digest.hexdigest(), count


@dg.sensor(
    name="new_landing_files",
    job=full_pipeline,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the pipeline when files are added to or rewritten in the landing zone.",
)
def new_landing_files(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """Request one run per new state of the landing zone."""
    fingerprint, count = landing_fingerprint()
    if count == 0 or fingerprint == context.cursor:
        return dg.SensorResult(skip_reason="no new files in the landing zone", cursor=context.cursor)
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=fingerprint)], cursor=fingerprint)


defs = dg.Definitions(jobs=[full_pipeline], schedules=[daily_schedule], sensors=[new_landing_files])
