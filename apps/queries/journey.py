"""Queries of the Journey page: stage funnel, stage transitions, time in stage, journey map."""

from __future__ import annotations

import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where

STAGES = ("awareness", "consideration", "conversion", "loyalty", "advocacy", "lapsed")

# Stage periods are filtered through the customer's current attributes (dim_customers).
STAGE_HISTORY = Dimensions(region="region", rfm_segment="rfm_segment", behaviour_segment="behaviour_segment")
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


def _stage_scope(filters: Filters, period_start: str = "h.valid_from") -> tuple[str, list[object]]:
    clause = where(filters, STAGE_HISTORY, alias="c")
    if filters.start and filters.end:
        clause = clause.and_(
            f"{period_start} <= ? and (h.valid_to is null or h.valid_to > ?)", filters.end, filters.start
        )
    return clause.sql, clause.params


def stage_funnel(filters: Filters) -> pd.DataFrame:
    """Customers active in the date range who reached each funnel stage (or a later one) by its end.

    A customer counts at every stage up to the furthest one reached, so the funnel narrows; lapsed
    customers count at the stages they reached before lapsing, and once more as ``lapsed``.
    """
    condition, params = _stage_scope(filters)
    end_condition = "and h.valid_from <= ?" if filters.end else ""
    end_params = [filters.end] if filters.end else []
    return data.query(
        f"""
        with scoped as (
            select distinct h.customer_key
            from fct_customer_stage_history as h
            join dim_customers as c on c.customer_key = h.customer_key
            {condition}
        ),
        reached as (
            select h.customer_key,
                   max(h.funnel_stage_order) filter (where h.funnel_stage <> 'lapsed') as furthest,
                   bool_or(h.funnel_stage = 'lapsed') as has_lapsed
            from fct_customer_stage_history as h
            join scoped on scoped.customer_key = h.customer_key
            where true {end_condition}
            group by h.customer_key
        ),
        stages as (
            select funnel_stage, min(funnel_stage_order) as stage_order
            from fct_customer_stage_history
            group by funnel_stage
        )
        select stages.funnel_stage, stages.stage_order,
               count(reached.customer_key) as customers
        from stages
        left join reached
          on (stages.funnel_stage <> 'lapsed' and reached.furthest >= stages.stage_order)
          or (stages.funnel_stage = 'lapsed' and reached.has_lapsed)
        group by stages.funnel_stage, stages.stage_order
        order by stages.stage_order, stages.funnel_stage
        """,
        [*params, *end_params],
    )


def stage_transitions(filters: Filters) -> pd.DataFrame:
    """Transitions between funnel stages that happened in the date range (Sankey flows)."""
    clause = where(filters, STAGE_HISTORY, alias="c")
    if filters.start and filters.end:
        clause = clause.and_("h.valid_from between ? and ?", filters.start, filters.end)
    return data.query(
        f"""
        select h.sankey_source as source, h.sankey_target as target, count(*) as transitions,
               count(distinct h.customer_key) as customers
        from fct_customer_stage_history as h
        join dim_customers as c on c.customer_key = h.customer_key
        {clause.sql} and h.sankey_source <> h.sankey_target
        group by all
        order by transitions desc, source, target
        """,
        clause.params,
    )


def time_in_stage(filters: Filters) -> pd.DataFrame:
    """Days spent in each funnel stage by the stage periods that ended in the date range."""
    clause = where(filters, STAGE_HISTORY, alias="c").and_("h.valid_to is not null")
    if filters.start and filters.end:
        clause = clause.and_("h.valid_to between ? and ?", filters.start, filters.end)
    return data.query(
        f"""
        select h.funnel_stage, min(h.funnel_stage_order) as stage_order, count(*) as completed_periods,
               round(avg(h.days_in_stage), 1) as average_days,
               quantile_cont(h.days_in_stage, 0.5) as median_days,
               quantile_cont(h.days_in_stage, 0.9) as p90_days
        from fct_customer_stage_history as h
        join dim_customers as c on c.customer_key = h.customer_key
        {clause.sql}
        group by h.funnel_stage
        order by stage_order, h.funnel_stage
        """,
        clause.params,
    )


def journey_map_touchpoints(filters: Filters) -> pd.DataFrame:
    """Touchpoints per funnel stage the customer was in at the time, and channel, with sentiment counts."""
    clause = where(filters, JOURNEY_MAP, alias="t")
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
        parts.append(f"NPS {(row['promoters'] - row['detractors']) / row['nps_answers'] * 100:+.0f}")
    if row["csat_answers"]:
        parts.append(f"CSAT {row['satisfied'] / row['csat_answers']:.0%}")
    return " / ".join(parts) or "no answers"
