"""Freshness checks: has new data arrived in each raw table, and were the key marts rebuilt?

Raw tables. The rule is the one the dbt project already declares on its sources
(``freshness: warn_after`` in ``models/staging/<source>/_<source>__sources.yml``): one
place for an analytics engineer to change. Dagster measures it on the time new rows
last *arrived*: each ingestion step stamps its raw tables with
``dagster/last_updated_timestamp`` = the load that last brought rows into the table
(the time in dlt's ``_dlt_load_id``), not the time the step ran. A daily run that finds
no new export file therefore leaves the table's last update where it was, and the
check fails once the source has been silent longer than ``warn_after``.
(dbt's own ``dbt source freshness`` compares the records' business time to the wall
clock, which says nothing useful about a simulated world dated in the past.)

Key marts. Rebuilt by the daily schedule at 06:00 Paris time, so each must have been
materialised in the day before ``MART_DEADLINE_CRON`` (08:00 Paris time, two hours of
slack): a failed or skipped morning run turns them stale.

Why Dagster's last-update freshness *checks* and not the newer ``FreshnessPolicy``
(which Dagster 1.13 marks the checks as superseded by): the policy's evaluator reads
only the time of the latest materialisation and ignores
``dagster/last_updated_timestamp``, so a daily run that loaded nothing would keep every
raw table "fresh" for ever. The checks honour the stamp, run inside the pipeline's own
runs and record a pass/fail result per run that the data-health page can show.

Severity WARN, not blocking: a silent source must not keep the fresh data of the other
sources out of the app (the data-health page shows each source's freshness). The checks
run in every run of the full pipeline (``parcours run`` included, right after the asset
they watch) and, between runs, from the sensor below, which ``dagster dev`` evaluates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from orchestration.defs.transformation import MANIFEST

RAW_FRESHNESS_EXCLUDED = ("reconciliation",)  # bookkeeping tables, loaded in every run
KEY_MARTS = ("dim_customers", "fct_orders", "fct_sessions", "fct_touchpoints", "fct_customer_stage_history")
MART_DEADLINE_CRON = "0 8 * * *"
MART_TIMEZONE = "Europe/Paris"
FRESHNESS_SENSOR_INTERVAL_S = 15 * 60
_PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class SourceFreshness:
    """A raw table and how long it may go without new rows before it is stale."""

    asset_key: dg.AssetKey
    warn_after: timedelta


def raw_freshness_rules(manifest: dict[str, object] | None = None) -> list[SourceFreshness]:
    """``warn_after`` of every dbt source table that declares freshness, keyed like its dlt asset."""
    manifest = manifest or json.loads(MANIFEST.read_text(encoding="utf-8"))
    rules = []
    for source in manifest["sources"].values():  # type: ignore[union-attr]
        warn_after = (source.get("freshness") or {}).get("warn_after") or {}
        if not warn_after.get("count") or source["identifier"] in RAW_FRESHNESS_EXCLUDED:
            continue
        delta = _PERIODS[warn_after["period"]] * int(warn_after["count"])
        rules.append(SourceFreshness(dg.AssetKey([source["schema"], source["identifier"]]), delta))
    return sorted(rules, key=lambda rule: rule.asset_key.to_user_string())


def freshness_checks() -> list[dg.AssetChecksDefinition]:
    """One Dagster last-update freshness check per watched raw table and key mart."""
    by_delta: dict[timedelta, list[dg.AssetKey]] = {}
    for rule in raw_freshness_rules():
        by_delta.setdefault(rule.warn_after, []).append(rule.asset_key)
    checks: list[dg.AssetChecksDefinition] = []
    for delta, keys in sorted(by_delta.items()):
        checks.extend(dg.build_last_update_freshness_checks(assets=keys, lower_bound_delta=delta))
    checks.extend(
        dg.build_last_update_freshness_checks(
            assets=[dg.AssetKey([name]) for name in KEY_MARTS],
            lower_bound_delta=timedelta(days=1),
            deadline_cron=MART_DEADLINE_CRON,
            timezone=MART_TIMEZONE,
        )
    )
    return checks


FRESHNESS_CHECKS = freshness_checks()

freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=FRESHNESS_CHECKS,
    name="freshness_checks_sensor",
    minimum_interval_seconds=FRESHNESS_SENSOR_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
)

defs = dg.Definitions(asset_checks=FRESHNESS_CHECKS, sensors=[freshness_sensor])
