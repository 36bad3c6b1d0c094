"""Queries of the Customers and segments page."""

from __future__ import annotations

import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where

# dim_customers holds each customer's current state: the date range does not apply.
CUSTOMERS = Dimensions(region="region", rfm_segment="rfm_segment", behaviour_segment="behaviour_segment")
SEGMENT_SUMMARY = Dimensions(region="region")
# Cohorts are followed over time: every cohort is shown, whatever the date range.
COHORTS = Dimensions(region="region", channel="acquisition_channel")
LIFETIME_VALUE = Dimensions(region="region", rfm_segment="rfm_segment", behaviour_segment="behaviour_segment")
CONSENT = Dimensions(date="date_day", region="region")

SEGMENT_COLUMNS = {
    "RFM segment": "rfm_segment",
    "Behaviour segment (persona)": "behaviour_segment",
    "Buying-cycle position": "current_buying_cycle_position",
    "Funnel stage": "current_funnel_stage",
    "Preferred channel": "preferred_channel",
    "Region": "region",
    "Age band": "age_band",
}
CONSENTS = ("consent_email", "consent_sms", "consent_ads", "consent_analytics")


SEGMENT_SIZES = "fct_customer_segment_sizes"
CONSENT_COVERAGE = "fct_customer_consent_coverage"


def segment_sizes(filters: Filters, column: str) -> pd.DataFrame:
    """Customers, buyers, orders and revenue per value of a dim_customers column.

    From fct_customer_segment_sizes (dim_customers summed per segment and filter attributes);
    snapshots published before it existed are read from dim_customers.
    """
    if column not in SEGMENT_COLUMNS.values():
        raise ValueError(f"not a segment column: {column}")
    clause = where(filters, CUSTOMERS)
    if data.has_table(SEGMENT_SIZES):
        clause = clause.and_("segment_column = ?", column)
        source = SEGMENT_SIZES
        measures = """segment, sum(customers)::bigint as customers,
               sum(customers_with_orders)::bigint as customers_with_orders,
               sum(orders) as orders, sum(revenue)::double as revenue,
               round(sum(revenue)::double / nullif(sum(customers_with_orders), 0), 2) as revenue_per_buyer"""
    else:
        source = "dim_customers"
        measures = f"""coalesce({column}::varchar, 'unknown') as segment, count(*) as customers,
               count(*) filter (where order_count > 0) as customers_with_orders,
               sum(order_count) as orders, sum(total_revenue)::double as revenue,
               round(sum(total_revenue)::double / nullif(count(*) filter (where order_count > 0), 0), 2)
                 as revenue_per_buyer"""
    return data.query(
        f"""
        select {measures}
        from {source}
        {clause.sql}
        group by segment
        order by customers desc, segment
        """,
        clause.params,
    )


def consent_coverage(filters: Filters) -> pd.DataFrame:
    """Customers who consented, refused or never said, per consent (current state).

    From fct_customer_consent_coverage; snapshots published before it existed are read from
    dim_customers.
    """
    clause = where(filters, CUSTOMERS)
    if data.has_table(CONSENT_COVERAGE):
        counts = data.query(
            f"""
            select consent, sum(customers) as customers, sum(consented) as consented,
                   sum(refused) as refused, sum(unanswered) as unanswered
            from {CONSENT_COVERAGE}
            {clause.sql}
            group by consent
            """,
            clause.params,
        ).set_index("consent")
    else:
        counts = _consent_counts_of_customers(clause.sql, clause.params)
    by_consent = counts.to_dict("index")
    rows = []
    for consent in CONSENTS:
        name = consent.removeprefix("consent_")
        found = by_consent.get(name, {})
        total, yes = int(found.get("customers", 0)), int(found.get("consented", 0))
        rows.append(
            {
                "consent": name,
                "consented": yes,
                "refused": int(found.get("refused", 0)),
                "unknown": int(found.get("unanswered", 0)),
                "coverage": yes / total if total else None,
            }
        )
    return pd.DataFrame(rows)


def _consent_counts_of_customers(where_sql: str, params: list[object]) -> pd.DataFrame:
    """Per consent: customers, consented, refused and unknown, counted on dim_customers."""
    parts = " union all ".join(
        f"select '{consent.removeprefix('consent_')}' as consent, count(*) as customers, "
        f"count(*) filter (where {consent}) as consented, count(*) filter (where not {consent}) as refused, "
        f"count(*) filter (where {consent} is null) as unanswered from dim_customers {where_sql}"
        for consent in CONSENTS
    )
    return data.query(parts, params * len(CONSENTS)).set_index("consent")


def segment_summary(filters: Filters, segment_type: str) -> pd.DataFrame:
    """fct_segment_summary for one segment type, re-aggregated over the chosen regions."""
    clause = where(filters, SEGMENT_SUMMARY).and_("segment_type = ?", segment_type)
    return data.query(
        f"""
        select segment, sum(customers) as customers, sum(customers_with_orders) as customers_with_orders,
               sum(orders) as orders, sum(revenue)::double as revenue,
               sum(consent_email_customers) as consent_email_customers
        from fct_segment_summary
        {clause.sql}
        group by segment
        order by customers desc, segment
        """,
        clause.params,
    )


def segment_types() -> list[str]:
    """Segment types present in fct_segment_summary."""
    frame = data.query("select distinct segment_type from fct_segment_summary order by segment_type")
    return frame["segment_type"].tolist()


def retention_cohorts(filters: Filters) -> pd.DataFrame:
    """Retention per cohort month and months since the first order (active / cohort customers).

    The mart's ``customer_origin`` (``new``: first purchase ever; ``existing``: bought before the
    data starts) splits each cohort when the snapshot has it.
    """
    clause = where(filters, COHORTS)
    origin = (
        "customer_origin"
        if "customer_origin" in data.columns("fct_retention_cohorts")
        else "'all'::varchar as customer_origin"
    )
    return data.query(
        f"""
        select cohort_month, {origin}, months_since_first_order,
               sum(cohort_customers) as cohort_customers,
               sum(active_customers) as active_customers, sum(orders) as orders,
               sum(revenue)::double as revenue,
               sum(active_customers) / nullif(sum(cohort_customers), 0) as retention,
               sum(repeat_customers) as repeat_customers,
               sum(repeat_customers) / nullif(sum(cohort_customers), 0) as repeat_rate
        from fct_retention_cohorts
        {clause.sql}
        group by all
        order by cohort_month, customer_origin, months_since_first_order
        """,
        clause.params,
    )


def clv_distribution(filters: Filters, bins: int = 20) -> pd.DataFrame:
    """Customers per historical-CLV band (equal bands from 0 to the 99th percentile) and churn status."""
    clause = where(filters, LIFETIME_VALUE)
    return data.query(
        f"""
        with scoped as (
            select historical_clv::double as clv, churn_status from fct_customer_lifetime_value {clause.sql}
        ),
        bounds as (
            select greatest(quantile_cont(clv, 0.99), 1) / {bins} as width from scoped
        )
        select least(floor(greatest(clv, 0) / width), {bins - 1}) * width as clv_from,
               (least(floor(greatest(clv, 0) / width), {bins - 1}) + 1) * width as clv_to,
               churn_status, count(*) as customers
        from scoped, bounds
        group by all
        order by clv_from, churn_status
        """,
        clause.params,
    )


def clv_summary(filters: Filters) -> pd.DataFrame:
    """Customers, average and median CLV per churn status."""
    clause = where(filters, LIFETIME_VALUE)
    return data.query(
        f"""
        select churn_status, count(*) as customers, round(avg(historical_clv)::double, 2) as average_clv,
               round(median(historical_clv)::double, 2) as median_clv,
               sum(historical_clv)::double as total_clv
        from fct_customer_lifetime_value
        {clause.sql}
        group by churn_status
        order by customers desc, churn_status
        """,
        clause.params,
    )


def consent_daily(filters: Filters) -> pd.DataFrame:
    """Consent coverage per day and consent channel (consented / known customers)."""
    clause = where(filters, CONSENT)
    return data.query(
        f"""
        select date_day, consent_channel, sum(known_customers) as known_customers,
               sum(consented_customers) as consented_customers, sum(grants) as grants,
               sum(withdrawals) as withdrawals,
               sum(consented_customers) / nullif(sum(known_customers), 0) as coverage
        from fct_consent_daily
        {clause.sql}
        group by date_day, consent_channel
        order by date_day, consent_channel
        """,
        clause.params,
    )
