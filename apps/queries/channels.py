"""Queries of the Channels and attribution page."""

from __future__ import annotations

import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where

ORDERS = Dimensions(date="order_date", region="region", store="store_id", business_unit="business_unit")
ATTRIBUTION = Dimensions(
    date="month_start",
    grain="month",
    channel="channel",
    campaign="campaign",
    region="region",
    store="store_id",
)
ROPO = Dimensions(date="week_start", grain="week", region="region")
CHANNEL_MIX = Dimensions(
    date="month_start",
    grain="month",
    channel="channel",
    region="region",
    rfm_segment="rfm_segment",
    behaviour_segment="behaviour_segment",
)
CAMPAIGN_REACH = Dimensions(
    date="date_day",
    channel="channel",
    campaign="campaign",
    region="region",
    store="store_id",
    business_unit="business_unit",
)
MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "markov")


ORDERS_DAILY = "fct_orders_daily"


def online_vs_store(filters: Filters) -> pd.DataFrame:
    """Orders and net revenue per day and order channel (online / store).

    From fct_orders_daily (fct_orders summed per day, channel, region and store); snapshots
    published before it existed are read from fct_orders.
    """
    clause = where(filters, ORDERS)
    if data.has_table(ORDERS_DAILY):
        source, orders = ORDERS_DAILY, "sum(orders)::bigint"
    else:
        source, orders = "fct_orders", "count(*)"
    return data.query(
        f"""
        select order_date, order_channel, {orders} as orders, sum(net_revenue)::double as net_revenue
        from {source}
        {clause.sql}
        group by order_date, order_channel
        order by order_date, order_channel
        """,
        clause.params,
    )


def attribution_by_channel(filters: Filters) -> pd.DataFrame:
    """Conversions and revenue credited to each channel (web: per GA4 channel group) under each model.

    ``channel`` ``(none)`` holds the conversions with no touchpoint before them.
    """
    clause = where(filters, ATTRIBUTION)
    return data.query(
        f"""
        select attribution_model, channel, channel_group, conversion_channel,
               sum(conversions)::double as conversions, sum(revenue)::double as revenue
        from fct_attribution_channel_summary
        {clause.sql}
        group by attribution_model, channel, channel_group, conversion_channel
        order by attribution_model, channel, channel_group, conversion_channel
        """,
        clause.params,
    )


def markov_channels() -> pd.DataFrame:
    """Markov removal effects and credit shares with their bootstrap interval, per Markov state.

    A state is a channel, web split by GA4 channel group (``web / Direct``); ``(none)`` holds the
    conversions with no touchpoint (no removal effect).
    """
    return data.query(
        """
        select markov_state, channel, channel_group, removal_effect, credit_share, credit_share_ci_low,
               credit_share_ci_high, attributed_conversions, attributed_revenue
        from fct_attribution_markov_channels
        order by credit_share desc, markov_state
        """
    )


def ropo_weekly(filters: Filters) -> pd.DataFrame:
    """ROPO and showrooming numerators and denominators per week and region."""
    clause = where(filters, ROPO)
    return data.query(
        f"""
        select week_start, region, sum(web_researchers) as web_researchers,
               sum(ropo_customers) as ropo_customers, sum(ropo_revenue)::double as ropo_revenue,
               sum(store_visitors) as store_visitors, sum(showrooming_customers) as showrooming_customers,
               sum(showrooming_revenue)::double as showrooming_revenue
        from fct_ropo_weekly
        {clause.sql}
        group by week_start, region
        order by week_start, region
        """,
        clause.params,
    )


def rates(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """ROPO rate and showrooming rate re-aggregated by ``by`` (sum of numerators / sum of denominators)."""
    grouped = frame.groupby(by, as_index=False)[
        ["web_researchers", "ropo_customers", "store_visitors", "showrooming_customers"]
    ].sum()
    grouped["ropo_rate"] = grouped["ropo_customers"] / grouped["web_researchers"].where(
        grouped["web_researchers"] != 0
    )
    grouped["showrooming_rate"] = grouped["showrooming_customers"] / grouped["store_visitors"].where(
        grouped["store_visitors"] != 0
    )
    return grouped


def channel_mix(filters: Filters) -> pd.DataFrame:
    """Touchpoints, orders and revenue per month and channel."""
    clause = where(filters, CHANNEL_MIX)
    return data.query(
        f"""
        select month_start, channel, sum(touchpoints) as touchpoints, sum(orders) as orders,
               sum(revenue)::double as revenue
        from fct_channel_mix_monthly
        {clause.sql}
        group by month_start, channel
        order by month_start, channel
        """,
        clause.params,
    )


def campaign_performance(filters: Filters, model: str) -> pd.DataFrame:
    """Conversions and revenue credited to each campaign under ``model``."""
    clause = where(filters, ATTRIBUTION).and_("attribution_model = ?", model)
    return data.query(
        f"""
        select campaign, sum(conversions)::double as conversions, sum(revenue)::double as revenue
        from fct_attribution_channel_summary
        {clause.sql} and campaign is not null and channel <> '(none)'
        group by campaign
        order by revenue desc, campaign
        """,
        clause.params,
    )


def campaign_reach(filters: Filters) -> pd.DataFrame:
    """Touchpoints, customers first reached, purchases and revenue per campaign and channel.

    Re-aggregated from fct_campaign_reach_daily: ``customers_first_reached`` counts the customers
    the campaign reached through the channel for the first time in the date range.
    """
    clause = where(filters, CAMPAIGN_REACH)
    return data.query(
        f"""
        select campaign, channel, sum(touchpoints)::bigint as touchpoints,
               sum(customers_first_reached)::bigint as customers_first_reached,
               sum(purchases)::bigint as purchases, sum(revenue)::double as revenue
        from fct_campaign_reach_daily
        {clause.sql}
        group by campaign, channel
        order by touchpoints desc, campaign, channel
        """,
        clause.params,
    )


NO_TOUCH = "(none)"


def channel_labels(frame: pd.DataFrame) -> pd.Series:
    """Channel names with web split by GA4 channel group (``web / Direct``), as the Markov states."""
    is_web = (frame["channel"] == "web") & frame["channel_group"].notna()
    return frame["channel"].where(~is_web, "web / " + frame["channel_group"].astype(str))
