"""Queries of the Journey page: stage funnel, stage transitions, time in stage, journey map.

The funnel, the Sankey and the time in stage read the funnel marts. The journey map (touchpoints
per stage the customer was in) has no mart of its own: it joins the marts fct_touchpoints and
fct_customer_stage_history.
"""

from __future__ import annotations

import dataclasses

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
# Stage entries that moved on, dated by the day they entered the next stage.
STAGE_ENTRIES = dataclasses.replace(FUNNEL_DAILY, date="next_stage_entered_on")
STAGE_TRANSITIONS = Dimensions(
    date="month_start", grain="month", region="region", behaviour_segment="behaviour_segment"
)
# Touchpoints carry their own channel, campaign, store and region; segments come from dim_customers.
JOURNEY_MAP = Dimensions(
    date="touchpoint_date",
    channel="channel",
    region="region",
    store="store_id",
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

    Read from fct_funnel_stage_entries (one row per customer and stage reached), so the median and
    90th percentile are exact.
    """
    clause = where(filters, STAGE_ENTRIES).and_("days_to_next_stage is not null")
    return data.query(
        f"""
        select funnel_stage, min(stage_order) as stage_order, count(*) as customers_moved_on,
               round(avg(days_to_next_stage), 1) as average_days,
               quantile_cont(days_to_next_stage, 0.5) as median_days,
               quantile_cont(days_to_next_stage, 0.9) as p90_days
        from fct_funnel_stage_entries
        {clause.sql}
        group by funnel_stage
        order by stage_order, funnel_stage
        """,
        clause.params,
    )


def journey_map_touchpoints(filters: Filters) -> pd.DataFrame:
    """Touchpoints per funnel stage the customer was in at the time, and channel, with sentiment counts."""
    # Segments are the customer's (dim_customers), not columns of fct_touchpoints.
    touchpoint_columns = dataclasses.replace(JOURNEY_MAP, rfm_segment=None, behaviour_segment=None)
    clause = where(filters, touchpoint_columns, alias="t")
    segment_clause = where(
        Filters(rfm_segment=filters.rfm_segment, behaviour_segment=filters.behaviour_segment),
        Dimensions(rfm_segment="rfm_segment", behaviour_segment="behaviour_segment"),
        alias="c",
    )
    return data.query(
        f"""
        select h.funnel_stage, min(h.funnel_stage_order) as stage_order, t.channel,
               count(*) as touchpoints, count(distinct t.customer_key) as customers,
               count(*) filter (where t.sentiment = 'positive') as positive,
               count(*) filter (where t.sentiment = 'negative') as negative,
               count(*) filter (where t.sentiment is not null) as with_sentiment
        from fct_touchpoints as t
        join fct_customer_stage_history as h
          on h.customer_key = t.customer_key
         and t.touchpoint_date >= h.valid_from
         and (h.valid_to is null or t.touchpoint_date < h.valid_to)
        join dim_customers as c on c.customer_key = t.customer_key
        {clause.sql} and {segment_clause.sql.removeprefix("where ")}
        group by h.funnel_stage, t.channel
        order by stage_order, h.funnel_stage, touchpoints desc, t.channel
        """,
        [*clause.params, *segment_clause.params],
    )


def journey_map_satisfaction(filters: Filters) -> pd.DataFrame:
    """Survey answers per funnel stage (fct_survey_responses): answers, promoters, detractors, satisfied."""
    dimensions = Dimensions(date="date_day", region="region", store="store_id", channel="channel")
    clause = where(filters, dimensions)
    return data.query(
        f"""
        select funnel_stage,
               count(*) filter (where survey_type = 'nps') as nps_answers,
               count(*) filter (where survey_type = 'nps' and is_promoter) as promoters,
               count(*) filter (where survey_type = 'nps' and is_detractor) as detractors,
               count(*) filter (where survey_type = 'csat') as csat_answers,
               count(*) filter (where survey_type = 'csat' and is_satisfied) as satisfied
        from fct_survey_responses
        {clause.sql}
        group by funnel_stage
        order by funnel_stage
        """,
        clause.params,
    )


def journey_map(touchpoints: pd.DataFrame, satisfaction: pd.DataFrame | None) -> pd.DataFrame:
    """The journey map: one column per funnel stage, one row per measure."""
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
        rows[stage]["Satisfaction (NPS / CSAT)"] = _satisfaction(satisfaction, stage)
    return pd.DataFrame(rows, columns=stages)


def _satisfaction(satisfaction: pd.DataFrame | None, stage: str) -> str:
    if satisfaction is None or satisfaction.empty:
        return "—"
    match = satisfaction[satisfaction["funnel_stage"] == stage]
    if match.empty:
        return "no answers"
    row = match.iloc[0]
    parts = []
    if row["nps_answers"]:
        nps = (row["promoters"] - row["detractors"]) / row["nps_answers"] * 100
        parts.append(f"NPS {nps:+.0f} (n={int(row['nps_answers'])})")
    if row["csat_answers"]:
        parts.append(f"CSAT {row['satisfied'] / row['csat_answers']:.0%} (n={int(row['csat_answers'])})")
    return " / ".join(parts) or "no answers"
