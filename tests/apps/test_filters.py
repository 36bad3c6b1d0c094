"""Shared filters: SQL per mart, URL binding, persistence across pages, notes on filters that do not apply."""

from __future__ import annotations

from datetime import date

from apps.filters import Dimensions, Filters, not_applied, where
from parcours.paths import DataDir
from tests.apps.conftest import RunPage, metrics


def test_where_applies_only_the_filters_a_mart_has_columns_for() -> None:
    filters = Filters(start=date(2026, 3, 4), end=date(2026, 3, 10), region=("north",), campaign=("launch",))
    clause = where(filters, Dimensions(date="week_start", grain="week", region="region"))
    assert clause.sql == (
        "where true and week_start between date_trunc('week', ?::date) and ? "
        "and list_contains(?::varchar[], region::varchar)"
    )
    assert clause.params == [date(2026, 3, 4), date(2026, 3, 10), ["north"]]
    assert not_applied(filters, Dimensions(region="region")) == ["Campaign"]


def test_where_without_filters_keeps_every_row() -> None:
    assert where(Filters(), Dimensions(date="date_day", region="region")).sql == "where true"


def test_filters_from_a_shared_url_survive_a_page_switch(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers", region="south")
    assert metrics(app)["Customers"] == "2"
    app.switch_page("views/journey.py").run()
    assert app.multiselect(key="region").value == ["south"]
    app.switch_page("views/customers.py").run()
    assert metrics(app)["Customers"] == "2"


def test_changing_a_filter_in_the_sidebar_updates_the_numbers(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers")
    assert metrics(app)["Customers"] == "4"
    app.multiselect(key="rfm").set_value(["champion", "loyal"]).run()
    assert metrics(app)["Customers"] == "2"


def test_a_filter_the_view_has_no_column_for_is_named(world: DataDir, run_page: RunPage) -> None:
    app = run_page("customers", campaign="launch")
    assert any("Not filtered by campaign" in caption.value for caption in app.caption)


def test_pages_without_filters_show_them_disabled(world: DataDir, run_page: RunPage) -> None:
    app = run_page("data_health")
    assert app.multiselect(key="region").disabled
