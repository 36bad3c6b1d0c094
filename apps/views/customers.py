"""Customers and segments: segment sizes, personas, retention cohorts, lifetime value, consent."""

import streamlit as st

from apps import charts, components, filters
from apps.queries import customers


def _segments(chosen: filters.Filters) -> None:
    st.subheader("Segments")
    st.caption("Current segment of every known customer (the date range does not apply).")
    components.filter_note(chosen, customers.CUSTOMERS)
    label = st.segmented_control(
        "Split customers by", list(customers.SEGMENT_COLUMNS), default="RFM segment", key="segment-column"
    )
    column = customers.SEGMENT_COLUMNS[label or "RFM segment"]
    sizes = customers.segment_sizes(chosen, column)
    if components.empty(sizes, "customers"):
        return
    first, second, third = st.columns(3)
    with first:
        components.kpi_tile("Customers", components.fmt_count(sizes["customers"].sum()))
    with second:
        components.kpi_tile(
            "Customers with orders", components.fmt_count(sizes["customers_with_orders"].sum())
        )
    with third:
        components.kpi_tile("Revenue", components.fmt_money(sizes["revenue"].sum()))
    left, right = st.columns(2)
    with left:
        figure = charts.bar(sizes, x="segment", y="customers", title="Customers")
        components.chart(figure, "segment-customers")
    with right:
        components.chart(
            charts.bar(sizes, x="segment", y="revenue_per_buyer", title="Revenue per buying customer (EUR)"),
            "segment-revenue",
        )
    components.table(sizes, f"segments_by_{column}")


def _personas(chosen: filters.Filters) -> None:
    st.subheader("Segment summary")
    if not components.require_marts("fct_segment_summary"):
        return
    components.filter_note(chosen, customers.SEGMENT_SUMMARY)
    types = customers.segment_types()
    if not types:
        st.info("The segment summary is empty.")
        return
    default = types.index("persona") if "persona" in types else 0
    segment_type = st.selectbox("Segment type", types, index=default, key="segment-type")
    summary = customers.segment_summary(chosen, segment_type)
    if components.empty(summary, "customers"):
        return
    figure = charts.treemap(
        summary, path=["segment"], values="customers", color="revenue", colorscale="Blues"
    )
    components.chart(figure, "segment-treemap")
    components.table(summary, f"segment_summary_{segment_type}")


def _retention(chosen: filters.Filters) -> None:
    st.subheader("Retention by first-order cohort")
    st.caption(
        "Share of each cohort (month of the first order in the data) active N months later, for every "
        "cohort (the date range does not apply); `new`: first purchase ever, `existing`: bought before "
        "the data starts. The channel filter selects the acquisition channel."
    )
    if not components.require_marts("fct_retention_cohorts"):
        return
    components.filter_note(chosen, customers.COHORTS)
    cohorts = customers.retention_cohorts(chosen)
    if components.empty(cohorts, "cohorts"):
        return
    grid = cohorts.pivot_table(
        index=["cohort_month", "customer_origin"],
        columns="months_since_first_order",
        values="retention",
        aggfunc="sum",
    )
    grid.index = [f"{str(month)[:7]} ({origin})" for month, origin in grid.index]
    figure = charts.heatmap(
        grid,
        text_format=".0%",
        colorscale="Greens",
        labels={"x": "months since first order", "y": "cohort", "color": "retention"},
    )
    if cohorts["months_since_first_order"].max() == 0:
        repeat = cohorts["repeat_customers"].sum() / cohorts["cohort_customers"].sum()
        st.caption(
            "The data spans one month so far: month 0 is 100% by definition; retention appears with the "
            f"next month. Within the first month, {repeat:.0%} of buyers ordered again (repeat_rate)."
        )
    components.chart(figure, "retention-heatmap")
    components.table(cohorts, "retention_cohorts")


def _lifetime_value(chosen: filters.Filters) -> None:
    st.subheader("Customer lifetime value")
    st.caption("Net revenue to date per buying customer (historical CLV), by churn status.")
    if not components.require_marts("fct_customer_lifetime_value"):
        return
    components.filter_note(chosen, customers.LIFETIME_VALUE)
    distribution = customers.clv_distribution(chosen)
    if components.empty(distribution, "buying customers"):
        return
    distribution["band"] = distribution.apply(lambda row: f"€{row.clv_from:,.0f}-{row.clv_to:,.0f}", axis=1)
    figure = charts.bar(
        distribution,
        x="band",
        y="customers",
        color="churn_status",
        labels={"band": "historical CLV (EUR)"},
        order=["active", "at_risk", "lapsed"],
    )
    components.chart(figure, "clv-distribution")
    components.table(customers.clv_summary(chosen), "clv_by_churn_status")


def _consent(chosen: filters.Filters) -> None:
    st.subheader("Consent coverage")
    st.caption(
        "Tiles: share of all customers (dim_customers, current state) who consented; `unknown` customers "
        "have no consent on record (e.g. web-only visitors)."
    )
    components.filter_note(chosen, customers.CUSTOMERS)
    coverage = customers.consent_coverage(chosen)
    columns = st.columns(len(coverage))
    for column, consent, share in zip(columns, coverage["consent"], coverage["coverage"], strict=True):
        with column:
            components.kpi_tile(f"Consent {consent}", components.fmt_rate(share))
    components.table(coverage, "consent_coverage")
    if components.require_marts("fct_consent_daily"):
        daily = customers.consent_daily(chosen)
        if not components.empty(daily, "consent days"):
            st.caption(
                "By day: people known to the CRM at the end of the day who consented / people known to "
                "the CRM (fct_consent_daily), so higher than the tiles."
            )
            figure = charts.line(
                daily, x="date_day", y="coverage", color="consent_channel", labels={"date_day": ""}
            )
            figure.update_yaxes(tickformat=".0%")
            components.chart(figure, "consent-daily")
            components.table(daily, "consent_daily")


if components.page_header(
    "Customers and segments",
    "Who are our customers, which segments matter, do they come back, and can we reach them?",
):
    chosen = filters.current()
    segments, personas, retention, value, consent = st.tabs(
        ["Segments", "Personas", "Retention cohorts", "Lifetime value", "Consent"]
    )
    with segments:
        if components.require_marts("dim_customers"):
            _segments(chosen)
    with personas:
        _personas(chosen)
    with retention:
        _retention(chosen)
    with value:
        _lifetime_value(chosen)
    with consent:
        if components.require_marts("dim_customers"):
            _consent(chosen)
