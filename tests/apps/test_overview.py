"""Overview: headline KPI tiles equal fct_kpi_daily re-aggregated, objectives come from the YAML file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from apps.objectives import Objective, load_kpis
from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frames, metrics, snapshot_rows

RANGE = ["2026-03-08", "2026-03-14"]
PREVIOUS = ["2026-03-01", "2026-03-07"]


def _sum(data: DataDir, kpi: str, days: list[str], region: str | None = None) -> float:
    rows = snapshot_rows(
        data,
        "select sum(numerator) from fct_kpi_daily where kpi_name = ? and date_day between ? and ? "
        "and (? is null or region = ?)",
        [kpi, *days, region, region],
    )
    return float(rows[0][0])


def _ratio(data: DataDir, kpi: str, days: list[str]) -> float:
    rows = snapshot_rows(
        data,
        "select sum(numerator) / sum(denominator) from fct_kpi_daily "
        "where kpi_name = ? and date_day between ? and ?",
        [kpi, *days],
    )
    return float(rows[0][0])


def test_tiles_equal_the_kpi_mart_over_the_chosen_dates(world: DataDir, run_page: RunPage) -> None:
    app = run_page("overview", dates=RANGE)
    assert not app.exception
    shown = metrics(app)
    assert shown["Revenue online"] == f"€{_sum(world, 'revenue_online', RANGE):,.0f}"
    assert shown["Revenue in store"] == f"€{_sum(world, 'revenue_store', RANGE):,.0f}"
    assert shown["New customers"] == f"{_sum(world, 'new_customers', RANGE):,.0f}"
    assert shown["Conversion rate"] == f"{_ratio(world, 'conversion_rate', RANGE):.1%}"
    assert shown["NPS"] == f"{_ratio(world, 'nps', RANGE) * 100:+.0f}"
    # Customer counts are distinct per day (fct_kpi_daily): the tiles show an average day.
    for kpi, label in (("customers", "Purchasing customers"), ("active_customers", "Active customers")):
        daily = snapshot_rows(
            world,
            "select avg(n) from (select sum(numerator) as n from fct_kpi_daily "
            "where kpi_name = ? and date_day between ? and ? group by date_day)",
            [kpi, *RANGE],
        )
        assert shown[label] == f"{daily[0][0]:,.0f}"


def test_nps_change_is_in_points_not_a_percentage(world: DataDir, run_page: RunPage) -> None:
    app = run_page("overview", dates=RANGE)
    summary = frames(app)[-1].set_index("kpi")
    points = (_ratio(world, "nps", RANGE) - _ratio(world, "nps", PREVIOUS)) * 100
    assert summary.loc["nps", "Change"] == f"{points:+.0f} pts"
    assert pd.isna(summary.loc["nps", "change"])


def test_growth_objective_compares_with_the_previous_period_of_the_same_length(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("overview", dates=RANGE)
    summary = frames(app)[-1].set_index("kpi")
    now, before = _sum(world, "new_customers", RANGE), _sum(world, "new_customers", PREVIOUS)
    assert summary.loc["new_customers", "previous_period"] == before
    assert summary.loc["new_customers", "change"] == pytest.approx(now / before - 1)
    assert summary.loc["new_customers", "Status"] == ("on track" if now / before - 1 >= 0.20 else "behind")
    assert summary.loc["nps", "Objective"] == "≥ +30"


def test_region_filter_from_the_url_restricts_every_tile(world: DataDir, run_page: RunPage) -> None:
    app = run_page("overview", dates=RANGE, region="south")
    shown = metrics(app)
    assert shown["New customers"] == f"{_sum(world, 'new_customers', RANGE, region='south'):,.0f}"
    assert shown["Revenue online"] == "—"  # the web revenue rows are all in the north


def test_objectives_file_defines_every_contract_kpi_with_a_known_aggregation() -> None:
    names = {kpi.name for kpi in load_kpis()}
    assert {"customers", "active_customers", "revenue_online", "revenue_store", "conversion_rate"} <= names
    assert {"cross_channel_share", "ropo_rate", "nps", "newsletter_signups", "ad_click_through"} <= names


def test_an_invalid_objective_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "objectives.yml"
    path.write_text("kpis:\n  nps:\n    aggregation: ratio\n    objective: {kind: roughly, target: 1}\n")
    with pytest.raises(ValueError, match="objective kind"):
        load_kpis(path)


def test_objective_status_rules() -> None:
    assert Objective("at_least", 0.3).status(0.31, None) == "met"
    assert Objective("at_most", 0.3).status(0.31, None) == "missed"
    assert Objective("growth", 0.2).status(12, 10) == "met"
    assert Objective("growth", 0.2).status(11, 10) == "missed"
    assert Objective("growth", 0.2).status(11, None) == "unknown"
