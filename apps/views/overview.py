"""Overview: headline KPIs with their trend and objectives (apps/objectives.yml)."""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from apps import charts, components, filters
from apps.objectives import Kpi, load_kpis
from apps.queries import overview

FORMATTERS: dict[str, Callable[[float | None], str]] = {
    "count": components.fmt_count,
    "money": components.fmt_money,
    "rate": components.fmt_rate,
    "score": components.fmt_score,
}
STATUS_LABELS = {"met": "on track", "missed": "behind", "unknown": "not measurable yet"}
TILES_PER_ROW = 4


def _objective_line(item: overview.KpiValue) -> str:
    objective = item.kpi.objective
    if objective is None:
        return ""
    status = objective.status(item.value, item.previous)
    mark = {"met": ":green[●]", "missed": ":red[●]", "unknown": ":gray[●]"}[status]
    return f"{mark} Objective {objective.describe(FORMATTERS[item.kpi.format])}: {STATUS_LABELS[status]}"


def _change_text(item: overview.KpiValue) -> str | None:
    """Change against the previous period: relative, or in points for a score."""
    if item.point_change is not None:
        return f"{item.point_change:+.0f} pts"
    return f"{item.change:+.1%}" if item.change is not None else None


def _tile(item: overview.KpiValue) -> None:
    fmt = FORMATTERS[item.kpi.format]
    change = _change_text(item)
    delta = f"{change} vs previous period" if change is not None else None
    bad_when_up = item.kpi.objective is not None and item.kpi.objective.kind == "at_most"
    components.kpi_tile(
        item.kpi.label,
        fmt(item.value),
        delta=delta,
        trend=item.trend["value"].fillna(0).tolist(),
        help_text=item.kpi.help,
        delta_color="inverse" if bad_when_up else "normal",
    )
    line = _objective_line(item)
    if line:
        st.caption(line)


def _summary(values: list[overview.KpiValue]) -> pd.DataFrame:
    rows = []
    for item in values:
        fmt = FORMATTERS[item.kpi.format]
        objective = item.kpi.objective
        rows.append(
            {
                "KPI": item.kpi.label,
                "Value": fmt(item.value),
                "Previous period": fmt(item.previous),
                "Change": _change_text(item) or "—",
                "Objective": objective.describe(fmt) if objective else "",
                "Status": STATUS_LABELS[objective.status(item.value, item.previous)] if objective else "",
                "Why": objective.note if objective else "",
                "kpi": item.kpi.name,
                "value": item.value,
                "previous_period": item.previous,
                "change": item.change,
            }
        )
    return pd.DataFrame(rows)


SHOWN_COLUMNS = ["KPI", "Value", "Previous period", "Change", "Objective", "Status", "Why"]


def _trend_chart(values: list[overview.KpiValue], kpis: list[Kpi]) -> None:
    labels = {kpi.label: kpi for kpi in kpis}
    label = st.selectbox("KPI to plot", list(labels), key="overview-trend-kpi")
    item = next(value for value in values if value.kpi.label == label)
    if components.empty(item.trend, "days with this KPI"):
        return
    figure = charts.line(
        item.trend, x="date_day", y="value", markers=True, labels={"date_day": "", "value": label}
    )
    objective = item.kpi.objective
    if objective is not None and objective.kind != "growth":
        figure.add_hline(y=objective.target, line_dash="dash", annotation_text="objective")
    if item.kpi.format in {"rate", "score"}:
        figure.update_yaxes(tickformat=".0%" if item.kpi.format == "rate" else ".2f")
    components.chart(figure, "overview-trend")


if components.page_header(
    "Overview",
    "How are customers, revenue and satisfaction doing in the chosen period, and are we on track?",
):
    chosen = filters.current()
    if components.require_marts(
        "fct_kpi_daily", columns={"fct_kpi_daily": ["date_day", "kpi_name", "numerator", "denominator"]}
    ):
        components.filter_note(chosen, overview.KPI_DAILY)
        kpis = load_kpis()
        values = overview.kpi_values(overview.kpi_days(chosen), kpis, chosen.start, chosen.end)
        for first in range(0, len(values), TILES_PER_ROW):
            for column, item in zip(
                st.columns(TILES_PER_ROW), values[first : first + TILES_PER_ROW], strict=False
            ):
                with column:
                    _tile(item)
        if chosen.active() and any(item.value is None for item in values):
            st.caption(
                "— : no data for this KPI under the chosen filters (some KPIs have no channel breakdown)."
            )
        st.subheader("Trend")
        _trend_chart(values, kpis)
        st.subheader("All KPIs against their objectives")
        st.caption("Objectives are set in `apps/objectives.yml`.")
        components.table(_summary(values), "kpis", columns=SHOWN_COLUMNS)
