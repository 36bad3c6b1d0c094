"""Journey: stage funnel, Sankey of stage transitions, time in stage and the journey map."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps import charts, components, filters
from apps.queries import journey

if components.page_header(
    "Customer journey",
    "Where do customers stand in their journey, how do they move between stages, "
    "and what do they touch at each stage?",
):
    chosen = filters.current()
    funnel_column, sankey_column = st.columns([2, 3])
    with funnel_column:
        st.subheader("Stage funnel")
        st.caption(
            "Customers entering each stage in the date range (first entry), and the share of them who "
            "have reached a later stage since. Channel = acquisition channel (first touchpoint)."
        )
        if components.require_marts("fct_funnel_daily"):
            components.filter_note(chosen, journey.FUNNEL_DAILY)
            funnel = journey.stage_funnel(chosen)
            if not components.empty(funnel, "stage entries"):
                figure = go.Figure(
                    go.Bar(
                        y=funnel["funnel_stage"],
                        x=funnel["customers_entered"],
                        orientation="h",
                        text=[
                            f"{entered:,} · {rate:.0%} moved on" if pd.notna(rate) else f"{entered:,}"
                            for entered, rate in zip(
                                funnel["customers_entered"], funnel["moved_on_rate"], strict=True
                            )
                        ],
                        textposition="auto",
                    )
                )
                figure.update_layout(
                    yaxis={"autorange": "reversed", "title": "stage"}, xaxis={"title": "customers entered"}
                )
                components.chart(figure, "stage-funnel")
                components.table(funnel, "stage_funnel")
    with sankey_column:
        st.subheader("Moves between stages")
        st.caption(
            "Stage changes in the months of the date range (`entry`: first known stage); the mart is monthly."
        )
        if components.require_marts("fct_stage_transitions"):
            components.filter_note(chosen, journey.STAGE_TRANSITIONS)
            transitions = journey.stage_transitions(chosen)
            if not components.empty(transitions, "stage changes"):
                nodes = ["entry", *journey.STAGES]
                index = {name: position for position, name in enumerate(nodes)}
                sankey = go.Figure(
                    go.Sankey(
                        node={"label": nodes, "pad": 18},
                        link={
                            "source": transitions["source"].map(index).tolist(),
                            "target": transitions["target"].map(index).tolist(),
                            "value": transitions["transitions"].tolist(),
                        },
                    )
                )
                components.chart(sankey, "stage-sankey")
                components.table(transitions, "stage_transitions")

    st.subheader("Time to the next stage")
    st.caption(
        "Days from entering a stage to entering the next one, for customers who moved on in the "
        "date range (the wait may have started before it)."
    )
    if components.require_marts("fct_stage_durations_daily"):
        components.filter_note(chosen, journey.STAGE_DURATIONS)
        durations = journey.time_in_stage(chosen)
        if not components.empty(durations, "moves to a next stage"):
            figure = charts.bar(
                durations,
                x="funnel_stage",
                y=["average_days", "median_days", "p90_days"],
                barmode="group",
                labels={"value": "days", "funnel_stage": "stage", "variable": ""},
            )
            components.chart(figure, "time-in-stage")
            components.table(durations, "time_in_stage")

    if components.require_marts("fct_journey_map_daily"):
        st.subheader("Journey map")
        st.caption(
            "Each column is a stage; touchpoints are counted in the stage the customer was in on that day, "
            "survey answers in the stage they rate (the day before the answer). Net sentiment = (positive - "
            "negative) / touchpoints with a sentiment (mentions and surveys). Satisfaction counts the survey "
            "answers among the touchpoints (channel survey)."
        )
        components.filter_note(chosen, journey.JOURNEY_MAP)
        touchpoints = journey.journey_map_touchpoints(chosen)
        if not components.empty(touchpoints, "touchpoints"):
            st.table(journey.journey_map(touchpoints))
            shares = touchpoints.pivot_table(
                index="channel", columns="funnel_stage", values="touchpoints", aggfunc="sum", fill_value=0
            )
            shares = shares[[stage for stage in journey.STAGES if stage in shares.columns]]
            heatmap = charts.heatmap(
                shares.div(shares.sum(axis=0), axis=1),
                text_format=".0%",
                colorscale="Blues",
                labels={"x": "stage", "y": "channel", "color": "share"},
                title="Share of each stage's touchpoints by channel",
            )
            components.chart(heatmap, "journey-channel-shares")
            components.table(touchpoints, "journey_map_touchpoints")
