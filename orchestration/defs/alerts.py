"""Failure alerts: a JSON line in ``<data dir>/logs/alerts.jsonl`` and, if configured, a webhook."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import dagster as dg
import requests

from orchestration.environment import data_dir

WEBHOOK_ENV_VAR = "PARCOURS_ALERT_WEBHOOK_URL"
WEBHOOK_TIMEOUT_S = 5


def write_alert(run_id: str, job_name: str, message: str) -> dict[str, str]:
    """Append an alert to the alert log and post it to the configured webhook, if any."""
    alert = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run_id,
        "job": job_name,
        "message": message,
    }
    log_file = data_dir().logs / "alerts.jsonl"
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(alert, sort_keys=True) + "\n")
    webhook = os.environ.get(WEBHOOK_ENV_VAR)
    if webhook:
        requests.post(webhook, json=alert, timeout=WEBHOOK_TIMEOUT_S)
    return alert


@dg.failure_hook(name="alert_on_step_failure")
def alert_on_step_failure(context: dg.HookContext) -> None:
    """Raise an alert for every failed step, naming the step and its error."""
    error = context.op_exception
    message = f"step {context.step_key} failed: {type(error).__name__}: {error}" if error else "step failed"
    write_alert(context.run_id, context.job_name, message)
