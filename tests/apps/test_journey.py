"""Journey: funnel, stage moves, time in stage and journey map equal the stage history and touchpoints."""

from __future__ import annotations

from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frame_with, frames, snapshot_rows


def test_funnel_counts_each_customer_up_to_the_furthest_stage_reached(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("journey")
    assert not app.exception
    funnel = frames(app)[0].set_index("funnel_stage")["customers"].to_dict()
    # c1 reached loyalty, c2 conversion, c3 consideration, c4 advocacy; nobody lapsed.
    assert funnel == {
        "awareness": 4,
        "consideration": 4,
        "conversion": 3,
        "loyalty": 2,
        "advocacy": 1,
    }


def test_stage_moves_equal_the_transitions_of_the_stage_history(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey", dates=["2026-03-01", "2026-03-14"])
    moves = frame_with(app, "transitions")
    expected = snapshot_rows(
        world,
        "select sankey_source, sankey_target, count(*) from fct_customer_stage_history "
        "where valid_from between '2026-03-01' and '2026-03-14' and sankey_source <> sankey_target "
        "group by all",
    )
    shown = {(row.source, row.target): row.transitions for row in moves.itertuples()}
    assert shown == {(source, target): count for source, target, count in expected}


def test_time_in_stage_averages_the_completed_periods(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey")
    durations = frame_with(app, "average_days").set_index("funnel_stage")
    # Completed awareness periods in the range: c2 (2 days) and c3 (4 days).
    assert durations.loc["awareness", "average_days"] == 3.0
    assert durations.loc["awareness", "completed_periods"] == 2


def test_journey_map_puts_each_touchpoint_in_the_stage_of_its_day(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey")
    touchpoints = frame_with(app, "with_sentiment")
    per_stage = touchpoints.groupby("funnel_stage")["touchpoints"].sum().to_dict()
    # t1, t2 (c1, 03-01) in conversion; t3, t4 in loyalty; t5 (c2, 03-03) awareness; t6 conversion;
    # t7 (c3, 03-05) awareness; t8 consideration; t9 (c4, 03-02) conversion; t10 advocacy.
    assert per_stage == {"conversion": 4, "loyalty": 2, "awareness": 2, "consideration": 1, "advocacy": 1}
    journey_map = app.table[0].value
    assert journey_map.loc["Net sentiment", "advocacy"] == "+100% of 1"
    assert journey_map.loc["Satisfaction (NPS / CSAT)", "loyalty"] == "NPS +100"


def test_channel_filter_restricts_the_journey_map(world: DataDir, run_page: RunPage) -> None:
    app = run_page("journey", channel="social")
    touchpoints = frame_with(app, "with_sentiment")
    assert set(touchpoints["channel"]) == {"social"}
    assert touchpoints["touchpoints"].sum() == 2
