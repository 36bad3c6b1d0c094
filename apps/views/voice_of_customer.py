"""Voice of the customer: NPS and CSAT by journey moment and stage, with verbatims."""

import streamlit as st

from apps import charts, components, filters
from apps.queries import voice_of_customer as voc


def _headline(chosen: filters.Filters) -> None:
    totals = voc.voc_by(chosen, ["survey_type"])
    if components.empty(totals, "survey answers"):
        return
    nps = totals[totals["survey_type"] == "nps"]
    csat = totals[totals["survey_type"] == "csat"]
    first, second, third, fourth = st.columns(4)
    with first:
        components.kpi_tile("NPS", components.fmt_score(nps["nps"].iloc[0] if not nps.empty else None))
    with second:
        components.kpi_tile("NPS answers", components.fmt_count(nps["nps_answers"].sum()))
    with third:
        components.kpi_tile("CSAT", components.fmt_rate(csat["csat"].iloc[0] if not csat.empty else None))
    with fourth:
        components.kpi_tile("CSAT answers", components.fmt_count(csat["csat_answers"].sum()))


def _heatmaps(chosen: filters.Filters) -> None:
    grid = voc.voc_by(chosen, ["journey_moment", "funnel_stage"])
    if components.empty(grid, "survey answers"):
        return
    left, right = st.columns(2)
    # NPS on -100..+100, CSAT as a share of satisfied answers.
    for column, measure, scale, fmt, factor, bounds in (
        (left, "nps", "RdYlGn", "+.0f", 100, (-100, 100)),
        (right, "csat", "Greens", ".0%", 1, (0, 1)),
    ):
        with column:
            pivot = (
                grid.pivot(index="journey_moment", columns="funnel_stage", values=measure).astype(float)
                * factor
            )
            if pivot.dropna(how="all").empty:
                st.info(f"No {measure.upper()} answers for the chosen filters.")
                continue
            figure = charts.heatmap(
                pivot,
                text_format=fmt,
                colorscale=scale,
                zrange=bounds,
                labels={"x": "stage", "y": "journey moment", "color": measure.upper()},
                title=f"{measure.upper()} by journey moment and stage",
            )
            components.chart(figure, f"{measure}-heatmap")
    components.table(grid, "voc_by_moment_and_stage")
    monthly = voc.voc_by(chosen, ["month_start"])
    if len(monthly) > 1:
        figure = charts.line(
            monthly, x="month_start", y=["nps", "csat"], markers=True, labels={"month_start": ""}
        )
        components.chart(figure, "voc-monthly")


def _verbatims(chosen: filters.Filters) -> None:
    st.subheader("What customers say")
    if not components.require_marts("fct_survey_responses"):
        return
    components.filter_note(chosen, voc.RESPONSES)
    sentiment = st.segmented_control(
        "Sentiment", ["positive", "neutral", "negative"], key="verbatim-sentiment", selection_mode="single"
    )
    found = voc.verbatims(chosen, sentiment)
    if not components.empty(found, "verbatims"):
        components.table(found, "verbatims")


if components.page_header(
    "Voice of the customer",
    "How satisfied are customers at each moment of their journey, and what do they tell us?",
):
    chosen = filters.current()
    if components.require_marts("fct_voc_summary"):
        components.filter_note(chosen, voc.VOC_SUMMARY)
        st.caption(
            "Scores and heatmaps: whole months overlapping the date range (the mart is monthly), so they can "
            "differ from the Overview's NPS for the exact dates; the verbatims follow the exact dates."
        )
        _headline(chosen)
        _heatmaps(chosen)
    _verbatims(chosen)
