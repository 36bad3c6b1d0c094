"""Queries of the Voice of the customer page: NPS and CSAT by journey moment and stage, verbatims."""

from __future__ import annotations

import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where

VOC_SUMMARY = Dimensions(date="month_start", grain="month", region="region", store="store_id")
RESPONSES = Dimensions(date="date_day", region="region", store="store_id", channel="channel")


def voc_by(filters: Filters, by: list[str]) -> pd.DataFrame:
    """Answers, NPS and CSAT re-aggregated from fct_voc_summary by the columns ``by``."""
    allowed = {"month_start", "survey_type", "journey_moment", "funnel_stage", "region", "store_id"}
    if not set(by) <= allowed:
        raise ValueError(f"cannot group fct_voc_summary by {by}")
    clause = where(filters, VOC_SUMMARY)
    keys = ", ".join(by)
    return data.query(
        f"""
        select {keys},
               sum(answers) filter (where survey_type = 'nps') as nps_answers,
               sum(promoters) as promoters, sum(detractors) as detractors,
               (sum(promoters) - sum(detractors)) / nullif(sum(answers) filter (where survey_type = 'nps'), 0)
                 as nps,
               sum(answers) filter (where survey_type = 'csat') as csat_answers,
               sum(satisfied) filter (where survey_type = 'csat') as satisfied,
               sum(satisfied) filter (where survey_type = 'csat')
                 / nullif(sum(answers) filter (where survey_type = 'csat'), 0) as csat
        from fct_voc_summary
        {clause.sql}
        group by {keys}
        order by {keys}
        """,
        clause.params,
    )


def verbatims(filters: Filters, sentiment: str | None, limit: int = 200) -> pd.DataFrame:
    """The latest answers with a verbatim, newest first."""
    clause = where(filters, RESPONSES).and_("verbatim is not null and verbatim <> ''")
    if sentiment:
        clause = clause.and_("verbatim_sentiment = ?", sentiment)
    return data.query(
        f"""
        select date_day, survey_type, score, journey_moment, funnel_stage, verbatim_sentiment, verbatim,
               region, store_id
        from fct_survey_responses
        {clause.sql}
        order by date_day desc, feedback_id
        limit {int(limit)}
        """,
        clause.params,
    )
