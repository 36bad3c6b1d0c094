"""Channels and attribution: tiles and tables equal the order, attribution and ROPO marts."""

from __future__ import annotations

import pytest

from parcours.paths import DataDir
from tests.apps.conftest import RunPage, frame_with, metrics, snapshot_rows


def test_online_and_store_revenue_equal_the_orders(world: DataDir, run_page: RunPage) -> None:
    app = run_page("channels")
    assert not app.exception
    expected = dict(
        snapshot_rows(world, "select order_channel, sum(net_revenue) from fct_orders group by all")
    )
    shown = metrics(app)
    assert shown["Revenue online"] == f"€{expected['online']:,.0f}"
    assert shown["Revenue store"] == f"€{expected['store']:,.0f}"


def test_store_filter_keeps_only_that_stores_orders(world: DataDir, run_page: RunPage) -> None:
    app = run_page("channels", store="Marseille Port (S2)")  # the URL holds the label shown
    orders = frame_with(app, "order_channel", "net_revenue")
    assert orders["net_revenue"].sum() == pytest.approx(160.0)
    assert set(orders["order_channel"]) == {"store"}


def test_attribution_shows_every_model_with_the_marts_credit(world: DataDir, run_page: RunPage) -> None:
    app = run_page("channels")
    credits = frame_with(app, "attribution_model", "conversions")
    shown = credits.groupby("attribution_model")["revenue"].sum().to_dict()
    expected = dict(
        snapshot_rows(
            world, "select attribution_model, sum(revenue) from fct_attribution_channel_summary group by 1"
        )
    )
    assert shown == pytest.approx(expected)
    markov = frame_with(app, "credit_share", "credit_share_ci_low")
    assert markov["credit_share"].sum() == pytest.approx(1.0)


def test_ropo_rate_is_re_aggregated_from_numerators_and_denominators(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("channels", region="north", dates=["2026-03-01", "2026-03-14"])
    rows = snapshot_rows(
        world,
        "select sum(ropo_customers) / sum(web_researchers), sum(showrooming_customers) / sum(store_visitors) "
        "from fct_ropo_weekly where region = 'north' and week_start between '2026-02-23' and '2026-03-14'",
    )
    shown = metrics(app)
    assert shown["ROPO rate"] == f"{rows[0][0]:.1%}"
    assert shown["Showrooming rate"] == f"{rows[0][1]:.1%}"


def test_campaign_performance_follows_the_chosen_model(world: DataDir, run_page: RunPage) -> None:
    app = run_page("channels")
    app.selectbox(key="campaign-model").set_value("markov").run()
    performance = frame_with(app, "campaign", "conversions", "revenue")
    assert performance.set_index("campaign").loc["spring_sale", "revenue"] == pytest.approx(230.0)


def test_markov_is_shown_per_state_and_names_the_conversions_without_touch(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("channels")
    markov = frame_with(app, "markov_state", "credit_share")
    expected = dict(
        snapshot_rows(world, "select markov_state, credit_share from fct_attribution_markov_channels")
    )
    assert dict(zip(markov["markov_state"], markov["credit_share"], strict=True)) == pytest.approx(expected)
    captions = " ".join(caption.value for caption in app.caption)
    # (none): 1 of the 5 conversions credited under each model, 20% of the Markov credit.
    assert "(none)" in captions
    assert "20% of conversions" in captions
    assert "20% of the credit" in captions


def test_splitting_web_by_channel_group_keeps_the_credit(world: DataDir, run_page: RunPage) -> None:
    app = run_page("channels")
    app.toggle(key="attribution-split-web").set_value(True).run()
    assert not app.exception
    credits = frame_with(app, "attribution_model", "conversions")
    assert credits["conversions"].sum() == pytest.approx(
        snapshot_rows(world, "select sum(conversions) from fct_attribution_channel_summary")[0][0]
    )


def test_campaign_reach_equals_the_campaign_mart_and_counts_customers_once(
    world: DataDir, run_page: RunPage
) -> None:
    app = run_page("channels")
    reach = frame_with(app, "campaign", "customers_first_reached").set_index(["campaign", "channel"])
    expected = snapshot_rows(
        world,
        "select campaign, channel, sum(touchpoints), sum(customers_first_reached) "
        "from fct_campaign_reach_daily group by all",
    )
    shown = {key: (row.touchpoints, row.customers_first_reached) for key, row in reach.iterrows()}
    assert shown == {(campaign, channel): (count, first) for campaign, channel, count, first in expected}
    # spring_sale on the web: c1's t1 and t2 (one customer reached once) and c2's t6.
    assert shown[("spring_sale", "web")] == (3, 2)
