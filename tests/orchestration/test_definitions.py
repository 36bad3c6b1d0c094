"""The asset graph reads like a map of the pipeline, with no break in its lineage."""

from __future__ import annotations

import dagster as dg
import pytest

from parcours.paths import DataDir


@pytest.fixture
def asset_graph(data_dir: DataDir) -> dg.AssetGraph:
    from orchestration.definitions import defs

    dg.Definitions.validate_loadable(defs)
    return defs.resolve_asset_graph()


def test_every_dbt_source_is_loaded_by_a_dlt_asset(asset_graph: dg.AssetGraph) -> None:
    staging = [key for key in asset_graph.get_all_asset_keys() if key.path[-1].startswith("stg_")]
    assert staging
    for key in staging:
        for parent in asset_graph.get(key).parent_keys:
            node = asset_graph.get(parent)
            assert node.is_materializable, (
                f"{key.to_user_string()} reads {parent.to_user_string()}, which nothing loads"
            )


def test_raw_assets_are_keyed_and_grouped_by_dataset(asset_graph: dg.AssetGraph) -> None:
    raw = [key for key in asset_graph.get_all_asset_keys() if key.path[0].startswith(("raw_", "restricted_"))]
    assert {key.path[0] for key in raw} >= {"raw_crm", "raw_ga4", "raw_pos", "raw_social", "restricted_crm"}
    for key in raw:
        assert asset_graph.get(key).group_name == key.path[0]
        assert asset_graph.get(key).owners


def test_restricted_tables_wait_for_the_raw_tables_that_hand_them_over(asset_graph: dg.AssetGraph) -> None:
    for restricted, raw in (
        (["restricted_crm", "contacts"], ["raw_crm", "contacts"]),
        (["restricted_pos", "receipt_emails"], ["raw_pos", "orders"]),
    ):
        assert dg.AssetKey(raw) in asset_graph.get(dg.AssetKey(restricted)).parent_keys


def test_the_snapshot_waits_for_every_mart_and_feeds_the_app(asset_graph: dg.AssetGraph) -> None:
    snapshot = asset_graph.get(dg.AssetKey(["serving_snapshot"]))
    marts = {
        key for key in asset_graph.get_all_asset_keys() if asset_graph.get(key).group_name == "marts_core"
    }
    assert marts and marts <= snapshot.parent_keys
    assert asset_graph.get(dg.AssetKey(["streamlit_app"])).parent_keys == {snapshot.key}


def test_dbt_tests_and_reconciliation_are_blocking_checks(asset_graph: dg.AssetGraph) -> None:
    from orchestration.definitions import defs

    specs = [
        spec
        for assets in defs.assets or []
        if isinstance(assets, dg.AssetsDefinition)
        for spec in assets.check_specs
    ]
    reconciliation = [spec for spec in specs if spec.name == "records_read_equal_loaded_plus_quarantined"]
    assert {spec.asset_key.path[0] for spec in reconciliation} >= {
        "raw_crm",
        "raw_ga4",
        "raw_pos",
        "raw_social",
    }
    assert all(spec.blocking for spec in reconciliation)
    assert any(spec.name.startswith("unique_") and spec.blocking for spec in specs)


def test_schema_drift_checks_warn_without_blocking() -> None:
    from orchestration.definitions import defs

    specs = [
        spec
        for assets in defs.assets or []
        if isinstance(assets, dg.AssetsDefinition)
        for spec in assets.check_specs
        if spec.name in ("no_schema_drift", "no_schema_drift_in_the_latest_load")
    ]
    assert {spec.asset_key.to_user_string() for spec in specs if spec.name == "no_schema_drift"} == {
        "raw_crm/schema_drift",
        "raw_ga4/schema_drift",
        "raw_pos/schema_drift",
        "raw_social/schema_drift",
    }
    assert any(spec.name == "no_schema_drift_in_the_latest_load" for spec in specs)
    assert not any(spec.blocking for spec in specs if spec.name == "no_schema_drift")


def test_the_job_runs_in_process_with_a_failure_hook_and_a_daily_schedule() -> None:
    from orchestration.definitions import defs

    job = defs.resolve_job_def("full_pipeline")
    assert job.executor_def.name == "in_process"
    assert {hook.name for hook in job.hook_defs} == {"alert_on_step_failure"}
    schedule = defs.resolve_schedule_def("daily_full_pipeline")
    assert schedule.cron_schedule == "0 6 * * *"
