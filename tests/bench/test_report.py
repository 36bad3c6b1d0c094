"""Figures the benchmark derives from what it measured."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.measure import StageResult
from bench.report import OVERHEAD_FIGURES, _daily_split, _overhead, summary
from bench.runner import BenchConfig, BenchRun
from bench.stages import node_kind_seconds
from parcours.paths import DataDir


def test_orchestration_overhead_is_the_time_outside_steps_plus_the_dbt_step_beyond_dbt() -> None:
    # 100 s run, 96 s in steps (4 s outside); the dbt step took 80 s for a 74 s dbt process.
    figures = _overhead(
        {"dagster_s": 100.0, "steps_s": 96.0, "dbt_step_s": 80.0, "dbt_process_s": 74.0, "bare_s": 120.0}
    )
    assert figures["orchestration_outside_steps_s"] == pytest.approx(4.0)
    assert figures["orchestration_in_dbt_step_s"] == pytest.approx(6.0)
    assert figures["orchestration_overhead_share"] == pytest.approx(10 / 100)
    assert figures["orchestration_overhead_vs_compute"] == pytest.approx(10 / 90)


def test_orchestration_overhead_is_null_with_the_reason_when_not_measured() -> None:
    figures = _overhead({"bare_s": 50.0, "reason": "run_pipeline failed"})
    assert all(figures[name] is None for name in OVERHEAD_FIGURES)
    assert figures["orchestration_note"] == "run_pipeline failed"


def test_dbt_node_seconds_split_into_tables_incremental_models_and_tests() -> None:
    results = [
        {"unique_id": "model.parcours.dim_customers", "execution_time": 2.5},
        {"unique_id": "model.parcours.int_kpis__customer_days", "execution_time": 1.5},
        {"unique_id": "model.parcours.fct_sessions", "execution_time": 4.0},
        {"unique_id": "model.parcours.stg_crm__contacts", "execution_time": 0.25},
        {"unique_id": "test.parcours.not_null_dim_customers_customer_key.0a1b", "execution_time": 0.5},
        {"unique_id": "test.parcours.unique_dim_customers_customer_key.2c3d", "execution_time": 0.75},
        {"unique_id": "seed.parcours.journey_stages", "execution_time": 9.0},
    ]
    materializations = {
        "model.parcours.dim_customers": "table",
        "model.parcours.int_kpis__customer_days": "table",
        "model.parcours.fct_sessions": "incremental",
    }
    figures = node_kind_seconds(results, materializations)
    assert figures == {
        "table_models_s": pytest.approx(4.0),
        "table_models_count": 2,
        "incremental_models_s": pytest.approx(4.0),
        "incremental_models_count": 1,
        "unknown_models_s": pytest.approx(0.25),
        "unknown_models_count": 1,
        "tests_s": pytest.approx(1.25),
        "tests_count": 2,
    }


def test_daily_split_reads_the_incremental_dbt_build_and_is_null_without_one() -> None:
    stage = StageResult(
        name="dbt build", detail={"table_models_s": 50.0, "incremental_models_s": 9.0, "tests_s": 30.0}
    )
    assert _daily_split(stage) == {
        "incremental_dbt_table_models_s": 50.0,
        "incremental_dbt_incremental_models_s": 9.0,
        "incremental_dbt_tests_s": 30.0,
    }
    assert set(_daily_split(None).values()) == {None}


def test_peak_memory_is_the_highest_of_every_counted_stage_the_reruns_included(tmp_path: Path) -> None:
    run = BenchRun(config=BenchConfig(customers=10, days=1), name="peaks", data=DataDir(tmp_path))
    run.phases = {
        "full": [
            StageResult("simulate", peak_rss_mb=9000.0, counted=False),
            StageResult("dbt build", peak_rss_mb=7000.0),
        ],
        "incremental": [StageResult("dbt build", peak_rss_mb=7500.0)],
        "rerun_bare": [StageResult("dbt build", peak_rss_mb=8200.0)],
        "rerun_dagster": [StageResult("dagster definitions load", peak_rss_mb=8800.0, counted=False)],
    }
    assert summary(run)["peak_rss_mb"] == 8200.0
