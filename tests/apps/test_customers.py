"""Customers and segments: segment sizes, consent, cohorts and lifetime value equal the marts."""

from __future__ import annotations

import pytest

from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frame_with, metrics, snapshot_rows


def test_segment_sizes_equal_dim_customers(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers")
    assert not app.exception
    sizes = frame_with(app, "segment", "revenue_per_buyer").set_index("segment")["customers"].to_dict()
    assert sizes == dict(snapshot_rows(world, "select rfm_segment, count(*) from dim_customers group by 1"))
    assert metrics(app)["Customers"] == "4"


def test_behaviour_segment_filter_from_the_url(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers", persona=["store_shopper", "online_shopper"])
    shown = metrics(app)
    assert shown["Customers"] == "2"
    assert shown["Revenue"] == "€200"


def test_consent_coverage_counts_consented_customers(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers")
    coverage = frame_with(app, "consent", "consented", "refused").set_index("consent")
    assert coverage.loc["email", "consented"] == 3
    assert coverage.loc["sms", "unknown"] == 1
    assert metrics(app)["Consent email"] == "75.0%"


def test_retention_heatmap_reads_active_over_cohort_customers(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers")
    cohorts = frame_with(app, "cohort_month", "retention")
    january = cohorts[cohorts["months_since_first_order"] == 1].iloc[0]
    assert january["retention"] == pytest.approx(4 / 10)
    first_month = cohorts[cohorts["months_since_first_order"] == 0].set_index("cohort_month")
    # January cohort: 2 of 10 buyers ordered again within their first month.
    assert first_month.iloc[0]["repeat_rate"] == pytest.approx(2 / 10)
    assert set(cohorts["customer_origin"]) == {"new"}


def test_lifetime_value_by_churn_status(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers")
    summary = frame_with(app, "churn_status", "average_clv").set_index("churn_status")
    assert summary.loc["active", "customers"] == 2
    assert summary.loc["active", "average_clv"] == pytest.approx(165.0)


def test_persona_summary_is_shown_by_default(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers")
    summary = frame_with(app, "segment", "consent_email_customers").set_index("segment")
    assert summary.loc["Busy parent", "customers"] == 2
