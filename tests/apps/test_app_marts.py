"""The pages read small aggregate marts; what they show equals what the per-customer marts give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from apps import data, filters
from apps.filters import Filters
from apps.queries import channels, customers
from parcours.paths import DataDir

APP_MARTS = {
    "dim_filter_values",
    "fct_orders_daily",
    "fct_customer_segment_sizes",
    "fct_customer_consent_coverage",
}
CHOICES = (
    Filters(),
    Filters(region=("north",)),
    Filters(rfm_segment=("champion", "loyal"), behaviour_segment=("store_shopper", "omnichannel_buyer")),
    Filters(start=date(2026, 3, 2), end=date(2026, 3, 7), store=("S2",), business_unit=("outlet",)),
)


def _without_app_marts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the snapshot look as if it predated the app's marts (the pages then scan the base marts)."""
    has_table = data.has_table
    monkeypatch.setattr(data, "has_table", lambda name: name not in APP_MARTS and has_table(name))


def _both_ways(monkeypatch: pytest.MonkeyPatch, read: Callable[[], object]) -> tuple[object, object]:
    from_marts = read()
    _without_app_marts(monkeypatch)
    return from_marts, read()


def test_filter_options_from_dim_filter_values_equal_a_scan_of_the_marts(
    world: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_marts, scanned = _both_ways(monkeypatch, filters.filter_options)
    assert from_marts == scanned
    assert from_marts["store_names"] == {"S1": "Lille Centre", "S2": "Marseille Port"}  # type: ignore[index]


def _segments_consent_and_orders() -> list[pd.DataFrame]:
    frames = []
    for chosen in CHOICES:
        frames += [customers.segment_sizes(chosen, column) for column in customers.SEGMENT_COLUMNS.values()]
        frames += [customers.consent_coverage(chosen), channels.online_vs_store(chosen)]
    return frames


def test_segments_consent_and_orders_from_the_app_marts_equal_the_per_customer_marts(
    world: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_marts, scanned = _both_ways(monkeypatch, _segments_consent_and_orders)
    assert any(not frame.empty for frame in from_marts)  # type: ignore[attr-defined]
    for aggregated, direct in zip(from_marts, scanned, strict=True):  # type: ignore[call-overload]
        pd.testing.assert_frame_equal(aggregated, direct)
