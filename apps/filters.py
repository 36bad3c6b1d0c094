"""The app's shared filters: date range, channel, region, store, business unit, campaign, segments.

The filter widgets live in the sidebar of the entry point (``apps/app.py``) and are bound to
URL query parameters (``bind="query-params"``), so every page sees the same filters and a view
can be shared by copying its address. Query functions turn a :class:`Filters` into a SQL
``where`` clause for the columns a mart actually has (:class:`Dimensions`); filters a mart has
no column for are listed on the page as not applying, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any, Literal

import streamlit as st

from apps import data

Grain = Literal["day", "week", "month"]

# Filter name -> (sidebar label, URL parameter name).
MULTI_FILTERS: dict[str, tuple[str, str]] = {
    "channel": ("Channel", "channel"),
    "region": ("Region", "region"),
    "store": ("Store", "store"),
    "business_unit": ("Business unit", "bu"),
    "campaign": ("Campaign", "campaign"),
    "rfm_segment": ("RFM segment", "rfm"),
    "behaviour_segment": ("Behaviour segment (persona)", "persona"),
}
DATE_PARAM = "dates"
# Days shown when the URL names no range: the newest two weeks of data, so the Overview can
# compare them with the two weeks before.
DEFAULT_RANGE_DAYS = 14
CHANNELS = ("web", "email", "social", "store", "survey", "customer_service")


@dataclass(frozen=True)
class Filters:
    """The filter values chosen in the sidebar; an empty tuple means "all"."""

    start: date | None = None
    end: date | None = None
    channel: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    store: tuple[str, ...] = ()
    business_unit: tuple[str, ...] = ()
    campaign: tuple[str, ...] = ()
    rfm_segment: tuple[str, ...] = ()
    behaviour_segment: tuple[str, ...] = ()

    def active(self) -> list[str]:
        """Names of the multi-value filters that restrict something."""
        return [name for name in MULTI_FILTERS if getattr(self, name)]

    def values(self, name: str) -> tuple[str, ...]:
        """The values chosen for the filter ``name``."""
        return tuple(getattr(self, name))


@dataclass(frozen=True)
class Dimensions:
    """Which column of a mart each filter applies to (``None``: the mart has no such column)."""

    date: str | None = None
    grain: Grain = "day"
    channel: str | None = None
    region: str | None = None
    store: str | None = None
    business_unit: str | None = None
    campaign: str | None = None
    rfm_segment: str | None = None
    behaviour_segment: str | None = None
    extra: tuple[str, ...] = field(default=())

    def column(self, name: str) -> str | None:
        """Column the filter ``name`` applies to."""
        return getattr(self, name) if name in MULTI_FILTERS else None


@dataclass(frozen=True)
class Clause:
    """A SQL ``where`` clause and its positional parameters."""

    sql: str
    params: list[Any]

    def and_(self, condition: str, *params: Any) -> Clause:
        """This clause with one more condition."""
        return Clause(f"{self.sql} and ({condition})", [*self.params, *params])


def where(filters: Filters, dimensions: Dimensions, alias: str = "") -> Clause:
    """The ``where`` clause restricting a mart with ``dimensions`` to ``filters``."""
    prefix = f"{alias}." if alias else ""
    conditions: list[str] = ["true"]
    params: list[Any] = []
    if dimensions.date and filters.start and filters.end:
        column = f"{prefix}{dimensions.date}"
        if dimensions.grain == "day":
            conditions.append(f"{column} between ? and ?")
        else:
            conditions.append(f"{column} between date_trunc('{dimensions.grain}', ?::date) and ?")
        params += [filters.start, filters.end]
    for name in MULTI_FILTERS:
        chosen = filters.values(name)
        column_name = dimensions.column(name)
        if chosen and column_name:
            conditions.append(f"list_contains(?::varchar[], {prefix}{column_name}::varchar)")
            params.append(list(chosen))
    return Clause("where " + " and ".join(conditions), params)


def not_applied(filters: Filters, dimensions: Dimensions) -> list[str]:
    """Labels of the active filters the mart has no column for."""
    return [MULTI_FILTERS[name][0] for name in filters.active() if dimensions.column(name) is None]


def current() -> Filters:
    """The filters chosen in the sidebar of this session (all data when none is rendered)."""
    state = st.session_state
    dates = state.get(DATE_PARAM)
    start, end = _date_bounds(dates)
    values: dict[str, Any] = {"start": start, "end": end}
    for name, (_label, param) in MULTI_FILTERS.items():
        values[name] = tuple(str(value) for value in state.get(param) or ())
    known = {item.name for item in fields(Filters)}
    return Filters(**{key: value for key, value in values.items() if key in known})


def sidebar(applies: bool = True) -> Filters:
    """Render the filter widgets in the sidebar, bound to the URL, and return their values.

    ``applies=False`` shows them disabled (the page does not use them) but keeps their values.
    """
    options = filter_options()
    with st.sidebar:
        st.header("Filters")
        if not applies:
            st.caption("This page does not use the filters.")
        low, high = options["dates"]
        if low is not None and high is not None:
            st.date_input(
                "Date range",
                value=(max(low, high - timedelta(days=DEFAULT_RANGE_DAYS - 1)), high),
                min_value=low,
                max_value=high,
                key=DATE_PARAM,
                bind="query-params",
                disabled=not applies,
                help=f"Days of activity shown (by default the newest {DEFAULT_RANGE_DAYS} days of data). "
                "Monthly and weekly figures cover the months and weeks that overlap the range.",
            )
        for name, (label, param) in MULTI_FILTERS.items():
            choices = options.get(name) or []
            st.multiselect(
                label,
                choices,
                key=param,
                bind="query-params",
                disabled=not applies,
                placeholder="All",
                format_func=_store_label(options) if name == "store" else str,
            )
        st.caption("Filters are kept in the address bar: copy it to share this view.")
    return current()


FILTER_VALUES = "dim_filter_values"


def filter_options() -> dict[str, Any]:
    """The values each filter offers, read from the published snapshot.

    One small mart (``dim_filter_values``) answers every page view; snapshots published before
    it existed are read from the marts it is built from.
    """
    if data.has_table(FILTER_VALUES):
        return _options_from_filter_values()
    return _options_from_marts()


def _options_from_filter_values() -> dict[str, Any]:
    values = data.query(
        f"select filter_name, filter_value, filter_label, first_date, last_date from {FILTER_VALUES} "
        "order by filter_name, filter_value"
    )
    options: dict[str, Any] = {"dates": (None, None), "channel": list(CHANNELS)}
    if values.empty:
        return options
    channels = values[values["filter_name"] == "channel"]
    if not channels.empty and channels["first_date"].notna().any():
        options["dates"] = (_to_date(channels["first_date"].min()), _to_date(channels["last_date"].max()))
    for name in ("campaign", "region", "rfm_segment", "behaviour_segment", "business_unit"):
        options[name] = values.loc[values["filter_name"] == name, "filter_value"].tolist()
    stores = values[values["filter_name"] == "store"]
    if not stores.empty:
        options["store"] = stores["filter_value"].tolist()
        options["store_names"] = dict(zip(stores["filter_value"], stores["filter_label"], strict=True))
    return options


def _options_from_marts() -> dict[str, Any]:
    options: dict[str, Any] = {"dates": (None, None), "channel": list(CHANNELS)}
    if data.has_table("fct_touchpoints"):
        bounds = data.query(
            "select min(touchpoint_date) as low, max(touchpoint_date) as high from fct_touchpoints"
        )
        if not bounds.empty and bounds["low"].notna().all():
            options["dates"] = (_to_date(bounds["low"].iloc[0]), _to_date(bounds["high"].iloc[0]))
        # The campaign mart holds the same campaigns as the touchpoints, in far fewer rows.
        campaign_mart = "fct_campaign_reach_daily"
        options["campaign"] = _distinct(
            campaign_mart if data.has_table(campaign_mart) else "fct_touchpoints", "campaign"
        )
    if data.has_table("dim_customers"):
        options["region"] = _distinct("dim_customers", "region")
        options["rfm_segment"] = _distinct("dim_customers", "rfm_segment")
        options["behaviour_segment"] = _distinct("dim_customers", "behaviour_segment")
    if data.has_table("fct_orders"):
        stores = data.query(
            "select store_id::varchar as store_id, any_value(store_name order by ordered_at, order_key) "
            "as store_name, any_value(business_unit order by ordered_at, order_key) as business_unit "
            "from fct_orders where store_id is not null group by store_id order by store_id"
        )
        options["store"] = stores["store_id"].tolist()
        options["store_names"] = dict(zip(stores["store_id"], stores["store_name"], strict=True))
        options["business_unit"] = sorted({str(unit) for unit in stores["business_unit"].dropna()})
    return options


def _distinct(table: str, column: str) -> list[str]:
    frame = data.query(
        f"select distinct {column}::varchar as value from {table} where {column} is not null order by value"
    )
    return frame["value"].tolist() if not frame.empty else []


def _store_label(options: dict[str, Any]) -> Any:
    names: dict[str, str] = options.get("store_names", {})

    def label(store_id: object) -> str:
        name = names.get(str(store_id))
        return f"{name} ({store_id})" if name else str(store_id)

    return label


def _date_bounds(dates: object) -> tuple[date | None, date | None]:
    if isinstance(dates, Sequence) and not isinstance(dates, str) and len(dates) > 0:
        first = _to_date(dates[0])
        last = _to_date(dates[-1])
        return first, last
    return None, None


def _to_date(value: object) -> date:
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
