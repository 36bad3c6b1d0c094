"""Journey: funnel, stage moves, time in stage and journey map equal the stage history and touchpoints."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from apps.queries.journey import weighted_quantile
from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frame_with, snapshot_rows

MARCH = ["2026-03-01", "2026-03-14"]


def test_funnel_shows_the_stage_entries_of_the_range_and_how_many_moved_on(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("journey", dates=MARCH)
    assert not app.exception
    funnel = frame_with(app, "customers_entered").set_index("funnel_stage")
    expected = snapshot_rows(
        world,
        "select funnel_stage, sum(customers_entered), sum(customers_moved_on) from fct_funnel_daily "
        "where date_day between ? and ? group by all",
        MARCH,
    )
    shown = {stage: (row.customers_entered, row.customers_moved_on) for stage, row in funnel.iterrows()}
    assert shown == {stage: (entered, moved_on) for stage, entered, moved_on in expected}
    # Entries in March: c2 and c3 became aware (both moved on), c1 and c2 converted (c1 moved on).
    assert shown["awareness"] == (2, 2)
    assert shown["conversion"] == (2, 1)
    assert funnel.loc["conversion", "moved_on_rate"] == 0.5
    assert funnel.loc["awareness", "average_days_to_next_stage"] == 3.0


def test_region_filter_restricts_the_funnel(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey", dates=MARCH, region="south")
    funnel = frame_with(app, "customers_entered").set_index("funnel_stage")
    # In the south: c3's awareness and consideration, c4's advocacy.
    assert funnel["customers_entered"].to_dict() == {"awareness": 1, "consideration": 1, "advocacy": 1}


def test_stage_moves_equal_the_stage_transitions_mart(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey", dates=MARCH)
    moves = frame_with(app, "transitions")
    expected = snapshot_rows(
        world,
        "select from_stage, to_stage, sum(transitions) from fct_stage_transitions "
        "where month_start = '2026-03-01' and from_stage <> to_stage group by all",
    )
    shown = {(row.source, row.target): row.transitions for row in moves.itertuples()}
    assert shown == {(source, target): count for source, target, count in expected}
    assert ("entry", "consideration") not in shown  # c1 entered in February


def test_time_to_next_stage_covers_the_moves_of_the_range(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey", dates=MARCH)
    durations = frame_with(app, "average_days").set_index("funnel_stage")
    # Moves in March: out of awareness c2 (2 days) and c3 (4 days); out of conversion c1 (5), c4 (6).
    assert durations.loc["awareness", "average_days"] == 3.0
    assert durations.loc["awareness", "customers_moved_on"] == 2
    assert durations.loc["conversion", "median_days"] == 5.5
    assert durations.loc["consideration", "average_days"] == 9.0


def test_journey_without_funnel_marts_names_them(core_world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey")
    assert not app.exception
    text = " ".join(element.value for element in app.info)
    assert "fct_funnel_daily" in text


def test_journey_map_puts_each_touchpoint_in_the_stage_of_its_day(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey")
    touchpoints = frame_with(app, "with_sentiment")
    per_stage = touchpoints.groupby("funnel_stage")["touchpoints"].sum().to_dict()
    # t1, t2 (c1, 03-01) in conversion; t3, t4 in loyalty; t5 (c2, 03-03) awareness; t6 conversion;
    # t7 (c3, 03-05) awareness; t8 consideration; t9 (c4, 03-02) conversion; t10 advocacy.
    assert per_stage == {"conversion": 4, "loyalty": 2, "awareness": 2, "consideration": 1, "advocacy": 1}
    journey_map = app.table[0].value
    assert journey_map.loc["Net sentiment", "advocacy"] == "+100% of 1"
    assert journey_map.loc["Satisfaction (NPS / CSAT)", "loyalty"] == "NPS +100 (n=1)"


def test_channel_filter_restricts_the_journey_map(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey", channel="social")
    touchpoints = frame_with(app, "with_sentiment")
    assert set(touchpoints["channel"]) == {"social"}
    assert touchpoints["touchpoints"].sum() == 2


def test_segment_filter_applies_to_the_journey_map_through_the_customer(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("journey", rfm="champion")
    assert not app.exception
    touchpoints = frame_with(app, "with_sentiment")
    assert touchpoints["touchpoints"].sum() == 4  # c1's t1..t4, the only champion


def test_business_unit_filter_restricts_the_journey_map_to_the_units_stores(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("journey", bu="city")
    touchpoints = frame_with(app, "with_sentiment")
    expected = snapshot_rows(
        world, "select sum(touchpoints) from fct_journey_map_daily where business_unit = 'city'"
    )
    # c1's store purchase t3 in S1, the only store of the city unit.
    assert touchpoints["touchpoints"].sum() == expected[0][0] == 1
    assert set(touchpoints["channel"]) == {"store"}


def test_percentiles_from_the_duration_histogram_equal_duckdbs_quantile_cont() -> None:
    days = np.array([1.0, 2.0, 4.0, 9.0])
    customers = np.array([3, 1, 2, 4])
    every_day = np.repeat(days, customers).tolist()
    for share in (0.1, 0.5, 0.9):
        sql = f"select quantile_cont(x, {share}) from unnest({every_day}) as t(x)"
        expected = duckdb.execute(sql).fetchall()
        assert weighted_quantile(days, customers, share) == pytest.approx(expected[0][0])
