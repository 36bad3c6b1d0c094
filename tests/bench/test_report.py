"""Figures the benchmark derives from what it measured."""

from __future__ import annotations

import pytest

from bench.report import OVERHEAD_FIGURES, _overhead


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
