"""Queries of the Journey page: stage funnel, stage transitions, time in stage, journey map.

Every query reads a pre-aggregated mart: the funnel fct_funnel_daily, the Sankey fct_stage_transitions,
the journey map (touchpoints, sentiment and satisfaction per stage) fct_journey_map_daily, and the
time in stage the histogram fct_stage_durations_daily (exact medians and percentiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where

STAGES = ("awareness", "consideration", "conversion", "loyalty", "advocacy", "lapsed")

# The funnel marts carry the customer's attributes; "channel" is the acquisition channel
# (channel of the customer's first touchpoint).
FUNNEL_DAILY = Dimensions(
    date="date_day",
    channel="acquisition_channel",
    region="region",
    store="store_id",
    business_unit="business_unit",
    rfm_segment="rfm_segment",
    behaviour_segment="behaviour_segment",
)
# Moves to a next stage, dated by the day they entered it (the histogram's date_day).
STAGE_DURATIONS = FUNNEL_DAILY
STAGE_TRANSITIONS = Dimensions(
    date="month_start", grain="month", region="region", behaviour_segment="behaviour_segment"
)
# Touchpoints per stage: their own day, channel, region, store and campaign; the customer's segments.
JOURNEY_MAP = Dimensions(
    date="date_day",
    channel="channel",
    region="region",
    store="store_id",
    business_unit="business_unit",
    campaign="campaign",
    rfm_segment="rfm_segment",
    behaviour_segment="behaviour_segment",
)


def stage_funnel(filters: Filters) -> pd.DataFrame:
    """Customers entering each funnel stage in the date range and how many moved on (fct_funnel_daily).

    ``moved_on_rate`` = customers_moved_on / customers_entered and ``average_days_to_next_stage`` =
    days_to_next_stage_sum / customers_moved_on, re-aggregated from the mart's additive columns.
    """
    clause = where(filters, FUNNEL_DAILY)
    frame = data.query(
        f"""
        select funnel_stage, min(stage_order) as stage_order,
               sum(customers_entered)::bigint as customers_entered,
               sum(customers_moved_on)::bigint as customers_moved_on,
               sum(days_to_next_stage_sum)::bigint as days_to_next_stage_sum
        from fct_funnel_daily
        {clause.sql}
        group by funnel_stage
        order by stage_order, funnel_stage
        """,
        clause.params,
    )
    if frame.empty:
        return frame
    entered = frame["customers_entered"].astype(float)
    moved_on = frame["customers_moved_on"].astype(float)
    frame["moved_on_rate"] = (moved_on / entered.where(entered != 0)).round(3)
    frame["average_days_to_next_stage"] = (
        frame["days_to_next_stage_sum"].astype(float) / moved_on.where(moved_on != 0)
    ).round(1)
    return frame


def stage_transitions(filters: Filters) -> pd.DataFrame:
    """Moves between funnel stages in the months of the date range (fct_stage_transitions, Sankey)."""
    clause = where(filters, STAGE_TRANSITIONS)
    return data.query(
        f"""
        select from_stage as source, to_stage as target, sum(transitions)::bigint as transitions
        from fct_stage_transitions
        {clause.sql} and from_stage <> to_stage
        group by from_stage, to_stage
        order by transitions desc, source, target
        """,
        clause.params,
    )


def time_in_stage(filters: Filters) -> pd.DataFrame:
    """Days from entering a stage to entering the next one, for moves that happened in the date range.

    Read from the histogram fct_stage_durations_daily (customers per whole number of days): the
    average, median and 90th percentile are exact (continuous quantiles, as DuckDB's quantile_cont).
    """
    clause = where(filters, STAGE_DURATIONS)
    histogram = data.query(
        f"""
        select funnel_stage, min(stage_order) as stage_order, days_to_next_stage as days,
               sum(customers_moved_on)::bigint as customers
        from fct_stage_durations_daily
        {clause.sql}
        group by funnel_stage, days_to_next_stage
        order by stage_order, funnel_stage, days
        """,
        clause.params,
    )
    rows = []
    for (order, stage), counts in histogram.groupby(["stage_order", "funnel_stage"], sort=True):
        days = counts["days"].to_numpy(dtype=float)
        weights = counts["customers"].to_numpy(dtype=int)
        rows.append(
            {
                "funnel_stage": stage,
                "stage_order": order,
                "customers_moved_on": int(weights.sum()),
                "average_days": round(float((days * weights).sum() / weights.sum()), 1),
                "median_days": weighted_quantile(days, weights, 0.5),
                "p90_days": weighted_quantile(days, weights, 0.9),
            }
        )
    return pd.DataFrame(rows, columns=list(DURATION_COLUMNS))


DURATION_COLUMNS = (
    "funnel_stage",
    "stage_order",
    "customers_moved_on",
    "average_days",
    "median_days",
    "p90_days",
)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, share: float) -> float:
    """The continuous ``share`` quantile of sorted ``values`` each repeated ``weights`` times.

    Linear interpolation between the two nearest ranks, as DuckDB's ``quantile_cont``.
    """
    ends = np.cumsum(weights)
    position = (ends[-1] - 1) * share
    low, high = int(np.floor(position)), int(np.ceil(position))
    at_low = values[np.searchsorted(ends, low, side="right")]
    at_high = values[np.searchsorted(ends, high, side="right")]
    return float(at_low + (position - low) * (at_high - at_low))


def journey_map_touchpoints(filters: Filters) -> pd.DataFrame:
    """Touchpoints per funnel stage the customer was in and channel, with sentiment and survey answers.

    Re-aggregated from fct_journey_map_daily's additive columns; ``with_sentiment`` counts the
    touchpoints with a sentiment (positive, neutral or negative).
    """
    clause = where(filters, JOURNEY_MAP)
    return data.query(
        f"""
        select funnel_stage, min(stage_order) as stage_order, channel,
               sum(touchpoints)::bigint as touchpoints,
               sum(positive_touchpoints)::bigint as positive,
               sum(negative_touchpoints)::bigint as negative,
               sum(positive_touchpoints + neutral_touchpoints + negative_touchpoints)::bigint
                 as with_sentiment,
               sum(nps_answers)::bigint as nps_answers, sum(promoters)::bigint as promoters,
               sum(detractors)::bigint as detractors, sum(csat_answers)::bigint as csat_answers,
               sum(satisfied_answers)::bigint as satisfied
        from fct_journey_map_daily
        {clause.sql}
        group by funnel_stage, channel
        order by stage_order, funnel_stage, touchpoints desc, channel
        """,
        clause.params,
    )


SATISFACTION_COLUMNS = ("nps_answers", "promoters", "detractors", "csat_answers", "satisfied")


def journey_map(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """The journey map: one column per funnel stage, one row per measure (from journey_map_touchpoints)."""
    stages = [stage for stage in STAGES if stage in set(touchpoints["funnel_stage"])]
    rows: dict[str, dict[str, object]] = {}
    for stage in stages:
        at_stage = touchpoints[touchpoints["funnel_stage"] == stage]
        total = int(at_stage["touchpoints"].sum())
        top = at_stage.sort_values(["touchpoints", "channel"], ascending=[False, True]).head(3)
        shares = ", ".join(
            f"{channel} {count / total:.0%}"
            for channel, count in zip(top["channel"], top["touchpoints"].astype(int), strict=True)
        )
        with_sentiment = int(at_stage["with_sentiment"].sum())
        net = int(at_stage["positive"].sum()) - int(at_stage["negative"].sum())
        rows[stage] = {
            "Touchpoints": f"{total:,}",
            "Top channels": shares,
            "Net sentiment": f"{net / with_sentiment:+.0%} of {with_sentiment:,}" if with_sentiment else "—",
        }
        rows[stage]["Satisfaction (NPS / CSAT)"] = _satisfaction(at_stage[list(SATISFACTION_COLUMNS)].sum())
    return pd.DataFrame(rows, columns=stages)


def _satisfaction(row: pd.Series) -> str:
    parts = []
    if row["nps_answers"]:
        nps = (row["promoters"] - row["detractors"]) / row["nps_answers"] * 100
        parts.append(f"NPS {nps:+.0f} (n={int(row['nps_answers'])})")
    if row["csat_answers"]:
        parts.append(f"CSAT {row['satisfied'] / row['csat_answers']:.0%} (n={int(row['csat_answers'])})")
    return " / ".join(parts) or "no answers"
