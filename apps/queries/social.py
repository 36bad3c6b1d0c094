"""Queries of the Social listening page."""

from __future__ import annotations

import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where

SOCIAL_DAILY = Dimensions(date="date_day", region="region")
SOCIAL_TOPICS = Dimensions(date="date_day")
INFLUENCERS = Dimensions()


def mentions_daily(filters: Filters) -> pd.DataFrame:
    """Mentions, sentiment counts, reach and engagements per day, platform and brand."""
    clause = where(filters, SOCIAL_DAILY)
    return data.query(
        f"""
        select date_day, platform, brand, is_competitor, sum(mentions) as mentions,
               sum(positive) as positive, sum(neutral) as neutral, sum(negative) as negative,
               sum(potential_reach) as potential_reach, sum(engagements) as engagements
        from fct_social_daily
        {clause.sql}
        group by date_day, platform, brand, is_competitor
        order by date_day, platform, brand
        """,
        clause.params,
    )


def share_of_voice(daily: pd.DataFrame) -> pd.DataFrame:
    """Mentions and share of all mentions per brand, own brand first."""
    brands = daily.groupby(["brand", "is_competitor"], as_index=False)[
        ["mentions", "positive", "negative"]
    ].sum()
    total = brands["mentions"].sum()
    brands["share_of_voice"] = brands["mentions"] / total if total else None
    brands["net_sentiment"] = (brands["positive"] - brands["negative"]) / brands["mentions"].where(
        brands["mentions"] != 0
    )
    return brands.sort_values(["is_competitor", "mentions", "brand"], ascending=[True, False, True])


def sentiment_weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Weekly share of positive, neutral and negative mentions of our own brand(s)."""
    own = daily[~daily["is_competitor"].astype(bool)].copy()
    own["week_start"] = pd.to_datetime(own["date_day"]).dt.to_period("W-SUN").dt.start_time
    weekly = own.groupby("week_start", as_index=False)[["mentions", "positive", "neutral", "negative"]].sum()
    long = weekly.melt(
        id_vars=["week_start", "mentions"],
        value_vars=["positive", "neutral", "negative"],
        var_name="sentiment",
    )
    long["share"] = long["value"] / long["mentions"].where(long["mentions"] != 0)
    return long.sort_values(["week_start", "sentiment"])


def topics(filters: Filters) -> pd.DataFrame:
    """Mentions of our brand per macro theme, topic and sentiment over the date range.

    Competitors are left out when the mart flags them (``is_competitor``).
    """
    clause = where(filters, SOCIAL_TOPICS)
    if "is_competitor" in data.columns("fct_social_topics"):
        clause = clause.and_("not is_competitor")
    return data.query(
        f"""
        select macro_theme, topic, sentiment, sum(mentions) as mentions
        from fct_social_topics
        {clause.sql}
        group by macro_theme, topic, sentiment
        order by mentions desc, macro_theme, topic, sentiment
        """,
        clause.params,
    )


def influencers(limit: int = 100) -> pd.DataFrame:
    """The authors with the largest potential reach: participation, networking, reach, sentiment."""
    return data.query(
        """
        select author_handle, platform, mentions as participation, replies_received as networking,
               conversations_started, potential_reach, positive_mentions, negative_mentions,
               top_topics, is_customer, is_advocate
        from fct_social_influencers
        order by potential_reach desc, mentions desc, author_key
        limit ?
        """,
        [limit],
    )
