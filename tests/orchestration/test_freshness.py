"""Freshness checks: a raw table is stale when no new rows arrived for longer than dbt's warn_after."""

from __future__ import annotations

import time
from datetime import timedelta

import dagster as dg

from parcours.paths import DataDir

DAY_S = 24 * 3600


def test_raw_freshness_rules_come_from_the_dbt_sources(data_dir: DataDir) -> None:
    from orchestration.defs.freshness import raw_freshness_rules

    rules = {rule.asset_key.to_user_string(): rule.warn_after for rule in raw_freshness_rules()}
    assert rules["raw_ga4/events"] == timedelta(days=2)
    assert rules["raw_crm/tickets"] == timedelta(days=7)
    assert "raw_crm/campaigns" not in rules  # reference data declares no freshness
    assert not any(key.endswith("/reconciliation") for key in rules)


def test_freshness_checks_cover_raw_tables_and_key_marts_without_blocking(data_dir: DataDir) -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    checked = {
        key.asset_key.to_user_string() for key in graph.asset_check_keys if key.name == "freshness_check"
    }
    expected = {"raw_ga4/events", "raw_pos/orders", "raw_crm/contacts", "dim_customers", "fct_touchpoints"}
    assert expected <= checked
    job = defs.resolve_job_def("full_pipeline")
    assert any(name.startswith("freshness_check_") for name in job.graph.node_dict)
    assert defs.resolve_sensor_def("freshness_checks_sensor")
    specs = [spec for checks in defs.asset_checks or [] for spec in getattr(checks, "check_specs", [])]
    assert all(not spec.blocking for spec in specs if spec.name == "freshness_check")


def _evaluate(instance: dg.DagsterInstance) -> dict[str, bool]:
    from orchestration.defs.freshness import FRESHNESS_CHECKS

    keys = [spec.asset_key for checks in FRESHNESS_CHECKS for spec in checks.check_specs]
    job = dg.define_asset_job("freshness_only", selection=dg.AssetSelection.checks(*FRESHNESS_CHECKS))
    defs = dg.Definitions(
        assets=[dg.AssetSpec(key) for key in keys], asset_checks=FRESHNESS_CHECKS, jobs=[job]
    )
    result = defs.resolve_job_def("freshness_only").execute_in_process(instance=instance)
    return {
        evaluation.asset_key.to_user_string(): evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    }


def test_a_source_silent_longer_than_warn_after_is_stale_even_if_its_step_just_ran(
    data_dir: DataDir,
) -> None:
    from orchestration.defs.ingestion import LAST_UPDATED_METADATA

    now = time.time()
    arrivals = {
        ("raw_ga4", "events"): now - 3 * DAY_S,  # step ran now, but no new rows for 3 days > 2
        ("raw_crm", "tickets"): now - 3 * DAY_S,  # 3 days < 7
        ("raw_pos", "orders"): now - 3600,
        ("dim_customers",): now,
    }
    with dg.DagsterInstance.ephemeral() as instance:
        for path, arrived in arrivals.items():
            instance.report_runless_asset_event(
                dg.AssetMaterialization(
                    asset_key=list(path),
                    metadata={LAST_UPDATED_METADATA: dg.MetadataValue.timestamp(arrived)},
                )
            )
        passed = _evaluate(instance)
    assert passed["raw_ga4/events"] is False
    assert passed["raw_crm/tickets"] is True
    assert passed["raw_pos/orders"] is True
    assert passed["raw_social/mentions"] is False  # never loaded
    assert passed["fct_orders"] is False  # never built
