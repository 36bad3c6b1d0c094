"""Social listening: mention volume, share of voice, sentiment, topics and influencers."""

import pandas as pd
import streamlit as st

from apps import charts, components, filters
from apps.queries import social


def _volume(daily: pd.DataFrame) -> None:
    own = daily[~daily["is_competitor"].astype(bool)]
    total = int(own["mentions"].sum())
    first, second, third, fourth = st.columns(4)
    with first:
        components.kpi_tile(
            "Mentions of our brand",
            components.fmt_count(total),
            trend=own.groupby("date_day")["mentions"].sum().tolist(),
        )
    with second:
        net = (own["positive"].sum() - own["negative"].sum()) / total if total else None
        components.kpi_tile(
            "Net sentiment", components.fmt_score(net), help_text="(positive - negative) / mentions"
        )
    with third:
        components.kpi_tile("Potential reach", components.fmt_count(own["potential_reach"].sum()))
    with fourth:
        components.kpi_tile("Engagements", components.fmt_count(own["engagements"].sum()))
    st.subheader("Mentions of our brand by platform")
    by_platform = own.groupby(["date_day", "platform"])["mentions"].sum().reset_index()
    figure = charts.line(
        by_platform, x="date_day", y="mentions", color="platform", area=True, labels={"date_day": ""}
    )
    components.chart(figure, "mentions-by-platform")


def _share_of_voice(daily: pd.DataFrame) -> None:
    brands = social.share_of_voice(daily)
    left, right = st.columns(2)
    with left:
        st.subheader("Share of voice")
        figure = charts.pie(brands, names="brand", values="mentions", hole=0.5)
        components.chart(figure, "share-of-voice")
    with right:
        st.subheader("Sentiment of our brand by week")
        weekly = social.sentiment_weekly(daily)
        figure = charts.bar(
            weekly,
            x="week_start",
            y="share",
            color="sentiment",
            color_map={"positive": "#2e7d32", "neutral": "#9e9e9e", "negative": "#c62828"},
            labels={"week_start": "week"},
        )
        figure.update_yaxes(tickformat=".0%")
        components.chart(figure, "sentiment-weekly")
    components.table(brands, "share_of_voice")


def _topics(chosen: filters.Filters) -> None:
    st.subheader("Topics and themes")
    st.caption("Mentions of our brand (competitors left out) per theme, topic and sentiment.")
    if not components.require_marts("fct_social_topics"):
        return
    components.filter_note(chosen, social.SOCIAL_TOPICS)
    found = social.topics(chosen)
    if components.empty(found, "topics"):
        return
    figure = charts.treemap(
        found,
        path=["macro_theme", "topic", "sentiment"],
        values="mentions",
        color_map={
            "positive": "#2e7d32",
            "neutral": "#9e9e9e",
            "negative": "#c62828",
            "(?)": "#eeeeee",
        },
    )
    components.chart(figure, "topics-treemap")
    components.table(found, "topics")


if components.page_header(
    "Social listening",
    "How much do people talk about us and our competitors, in what tone, about what, and who leads the talk?",
):
    chosen = filters.current()
    if components.require_marts("fct_social_daily"):
        components.filter_note(chosen, social.SOCIAL_DAILY)
        daily = social.mentions_daily(chosen)
        if not components.empty(daily, "mentions"):
            _volume(daily)
            _share_of_voice(daily)
    _topics(chosen)
    st.subheader("Influencers")
    st.caption(
        "Participation = mentions written, networking = replies received, reach = followers. "
        "All time; the filters do not apply."
    )
    if components.require_marts("fct_social_influencers"):
        components.table(social.influencers(), "influencers")
