"""Channels and attribution: model comparison, online versus in store, ROPO, campaigns, channel mix."""

import plotly.graph_objects as go
import streamlit as st

from apps import charts, components, data, filters
from apps.queries import channels


def _online_vs_store(chosen: filters.Filters) -> None:
    st.subheader("Online versus in store")
    st.caption("Orders and revenue net of returns, per day, from the order mart.")
    components.filter_note(chosen, channels.ORDERS)
    orders = channels.online_vs_store(chosen)
    if components.empty(orders, "orders"):
        return
    totals = orders.groupby("order_channel")[["orders", "net_revenue"]].sum()
    columns = st.columns(4)
    for column, channel in zip(columns[::2], ("online", "store"), strict=True):
        with column:
            components.kpi_tile(
                f"Revenue {channel}", components.fmt_money(totals["net_revenue"].get(channel, 0))
            )
    for column, channel in zip(columns[1::2], ("online", "store"), strict=True):
        with column:
            components.kpi_tile(f"Orders {channel}", components.fmt_count(totals["orders"].get(channel, 0)))
    figure = charts.bar(
        orders,
        x="order_date",
        y="net_revenue",
        color="order_channel",
        labels={"order_date": "", "net_revenue": "net revenue (EUR)", "order_channel": ""},
    )
    components.chart(figure, "online-vs-store")
    components.table(orders, "orders_by_channel")


def _attribution(chosen: filters.Filters) -> None:
    st.subheader("Attribution: credit per channel under each model")
    st.caption(
        "Each order's credit is shared among the touchpoints before it; models differ in how. "
        "Monthly figures: the months overlapping the date range."
    )
    if not components.require_marts("fct_attribution_channel_summary"):
        return
    components.filter_note(chosen, channels.ATTRIBUTION)
    credits = channels.attribution_by_channel(chosen)
    if components.empty(credits, "attributed conversions"):
        return
    conversion_channel = st.segmented_control(
        "Conversions", ["all", "online", "store"], default="all", key="attribution-conversion-channel"
    )
    shown = (
        credits
        if conversion_channel in (None, "all")
        else credits[credits["conversion_channel"] == conversion_channel]
    )
    split_web = st.toggle("Split web by GA4 channel group", key="attribution-split-web")
    shown = shown.assign(channel=channels.channel_labels(shown) if split_web else shown["channel"])
    by_channel = shown.groupby(["attribution_model", "channel"], as_index=False)[
        ["conversions", "revenue"]
    ].sum()
    untouched = shown.loc[shown["channel"] == channels.NO_TOUCH, "conversions"].sum()
    total = shown["conversions"].sum()
    if untouched and total:
        st.caption(
            f"Not charted: `{channels.NO_TOUCH}`, the conversions with no known touchpoint before them "
            f"({untouched / total:.0%} of conversions, the same under every model; in the table)."
        )
    by_channel = by_channel[by_channel["channel"] != channels.NO_TOUCH]
    left, right = st.columns(2)
    for column, measure in ((left, "conversions"), (right, "revenue")):
        with column:
            figure = charts.bar(
                by_channel,
                x="channel",
                y=measure,
                color="attribution_model",
                barmode="group",
                order=channels.MODELS,
                title=f"Attributed {measure}",
            )
            components.chart(figure, f"attribution-{measure}")
    components.table(credits, "attribution_by_channel")
    if data.has_table("fct_attribution_markov_channels"):
        markov = channels.markov_channels()
        if not markov.empty:
            st.markdown(
                "**Markov model: what each channel adds** (share of credit with its 90% bootstrap interval)"
            )
            charted = markov[markov["markov_state"] != channels.NO_TOUCH]
            if len(charted) < len(markov):
                share = float(markov.loc[markov["markov_state"] == channels.NO_TOUCH, "credit_share"].sum())
                st.caption(
                    f"Not charted: `{channels.NO_TOUCH}`, conversions with no touchpoint ({share:.0%} of the "
                    "credit; no removal effect)."
                )
            figure = go.Figure(
                go.Bar(
                    x=charted["markov_state"],
                    y=charted["credit_share"],
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": charted["credit_share_ci_high"] - charted["credit_share"],
                        "arrayminus": charted["credit_share"] - charted["credit_share_ci_low"],
                    },
                )
            )
            figure.update_yaxes(tickformat=".0%")
            figure.update_xaxes(title="Markov state (web split by GA4 channel group)")
            components.chart(figure, "markov-shares")
            components.table(markov, "markov_channels")


def _ropo(chosen: filters.Filters) -> None:
    st.subheader("ROPO and showrooming")
    st.caption(
        "ROPO: web researchers who then bought in store. Showrooming: store visitors who then bought online. "
        "Whole weeks overlapping the date range; the newest weeks stay low until their ROPO and "
        "showrooming windows have passed."
    )
    if not components.require_marts("fct_ropo_weekly"):
        return
    components.filter_note(chosen, channels.ROPO)
    weekly = channels.ropo_weekly(chosen)
    if components.empty(weekly, "weeks"):
        return
    overall = channels.rates(weekly.assign(all="all"), "all")
    first, second, third = st.columns(3)
    with first:
        components.kpi_tile("ROPO rate", components.fmt_rate(overall["ropo_rate"].iloc[0]))
    with second:
        components.kpi_tile("Showrooming rate", components.fmt_rate(overall["showrooming_rate"].iloc[0]))
    with third:
        components.kpi_tile("ROPO revenue", components.fmt_money(weekly["ropo_revenue"].sum()))
    left, right = st.columns(2)
    with left:
        by_week = channels.rates(weekly, "week_start").melt(
            id_vars="week_start", value_vars=["ropo_rate", "showrooming_rate"], var_name="rate"
        )
        figure = charts.line(by_week, x="week_start", y="value", color="rate", markers=True, title="By week")
        figure.update_yaxes(tickformat=".0%")
        components.chart(figure, "ropo-weekly")
    with right:
        by_region = channels.rates(weekly, "region")
        figure = charts.bar(
            by_region, x="region", y=["ropo_rate", "showrooming_rate"], barmode="group", title="By region"
        )
        figure.update_yaxes(tickformat=".0%")
        components.chart(figure, "ropo-region")
    components.table(weekly, "ropo_weekly")


def _campaigns(chosen: filters.Filters) -> None:
    st.subheader("Campaign performance")
    if data.has_table("fct_attribution_channel_summary"):
        model = st.selectbox("Attribution model", channels.MODELS, index=3, key="campaign-model")
        performance = channels.campaign_performance(chosen, model)
        if not components.empty(performance, "attributed campaigns"):
            components.table(performance, "campaign_performance")
    else:
        components.require_marts("fct_attribution_channel_summary")
    if components.require_marts("fct_campaign_reach_daily"):
        st.markdown(
            "**Reach per campaign** (touchpoints tagged with a campaign; customers first reached: "
            "customers the campaign reached through the channel for the first time in the date range)"
        )
        components.filter_note(chosen, channels.CAMPAIGN_REACH)
        reach = channels.campaign_reach(chosen)
        if not components.empty(reach, "campaign touchpoints"):
            components.table(reach, "campaign_reach")


def _channel_mix(chosen: filters.Filters) -> None:
    st.subheader("Channel mix by month")
    if not components.require_marts("fct_channel_mix_monthly"):
        return
    components.filter_note(chosen, channels.CHANNEL_MIX)
    mix = channels.channel_mix(chosen)
    if components.empty(mix, "touchpoints"):
        return
    figure = charts.bar(mix, x="month_start", y="touchpoints", color="channel", labels={"month_start": ""})
    components.chart(figure, "channel-mix")
    components.table(mix, "channel_mix")


if components.page_header(
    "Channels and attribution",
    "Which channels and campaigns create value, online and in store, "
    "and how much does the web drive store sales?",
):
    chosen = filters.current()
    online, attribution, ropo, campaigns, mix = st.tabs(
        ["Online vs store", "Attribution models", "ROPO and showrooming", "Campaigns", "Channel mix"]
    )
    with online:
        if components.require_marts("fct_orders"):
            _online_vs_store(chosen)
    with attribution:
        _attribution(chosen)
    with ropo:
        _ropo(chosen)
    with campaigns:
        _campaigns(chosen)
    with mix:
        _channel_mix(chosen)
