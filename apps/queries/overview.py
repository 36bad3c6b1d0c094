"""Queries of the Overview page: headline KPIs of fct_kpi_daily, their trend and previous period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from apps import data
from apps.filters import Dimensions, Filters, where
from apps.objectives import Kpi

KPI_DAILY = Dimensions(date="date_day", region="region", channel="channel")


@dataclass(frozen=True)
class KpiValue:
    """A KPI over the chosen range and the previous range of the same length."""

    kpi: Kpi
    value: float | None
    previous: float | None
    trend: pd.DataFrame  # date_day, value

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (None when it cannot be computed).

        A score (NPS, -1..+1) has no meaningful relative change: see :attr:`point_change`.
        """
        if self.kpi.format == "score":
            return None
        if self.value is None or self.previous is None or self.previous == 0:
            return None
        return self.value / self.previous - 1

    @property
    def point_change(self) -> float | None:
        """Absolute change of a score against the previous period, in points (0.05 -> +5 points)."""
        if self.kpi.format != "score" or self.value is None or self.previous is None:
            return None
        return (self.value - self.previous) * 100


def kpi_days(filters: Filters) -> pd.DataFrame:
    """Daily numerator and denominator per KPI, over the range and the range just before it."""
    scope = Filters(**{**filters.__dict__, "start": None, "end": None})
    clause = where(scope, KPI_DAILY)
    if filters.start and filters.end:
        previous_start = filters.start - (filters.end - filters.start) - timedelta(days=1)
        clause = clause.and_("date_day between ? and ?", previous_start, filters.end)
    return data.query(
        f"""
        select kpi_name, date_day, sum(numerator) as numerator, sum(denominator) as denominator
        from fct_kpi_daily
        {clause.sql}
        group by kpi_name, date_day
        order by kpi_name, date_day
        """,
        clause.params,
    )


def kpi_values(days: pd.DataFrame, kpis: list[Kpi], start: date | None, end: date | None) -> list[KpiValue]:
    """Each KPI's value over [start, end], over the previous period, and its daily trend."""
    frame = days.assign(date_day=pd.to_datetime(days["date_day"]).dt.date) if not days.empty else days
    if start is None or end is None:
        if frame.empty:
            return [KpiValue(kpi, None, None, pd.DataFrame(columns=["date_day", "value"])) for kpi in kpis]
        start, end = min(frame["date_day"]), max(frame["date_day"])
    previous_end = start - timedelta(days=1)
    previous_start = previous_end - (end - start)
    values = []
    for kpi in kpis:
        rows = frame[frame["kpi_name"] == kpi.name] if not frame.empty else frame
        current = rows[(rows["date_day"] >= start) & (rows["date_day"] <= end)] if not rows.empty else rows
        before = (
            rows[(rows["date_day"] >= previous_start) & (rows["date_day"] <= previous_end)]
            if not rows.empty
            else rows
        )
        values.append(
            KpiValue(
                kpi,
                aggregate(current, kpi.aggregation),
                aggregate(before, kpi.aggregation),
                _trend(current, kpi),
            )
        )
    return values


def aggregate(rows: pd.DataFrame, aggregation: str) -> float | None:
    """One number from daily numerators / denominators, as the KPI's aggregation says."""
    if rows.empty:
        return None
    numerator = rows["numerator"].astype(float)
    if aggregation == "sum":
        return float(numerator.sum())
    if aggregation == "ratio":
        denominator = float(rows["denominator"].astype(float).sum())
        return float(numerator.sum()) / denominator if denominator else None
    if aggregation == "last":
        return float(numerator[rows["date_day"] == rows["date_day"].max()].sum())
    return float(numerator.groupby(rows["date_day"]).sum().mean())


def _trend(rows: pd.DataFrame, kpi: Kpi) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=["date_day", "value"])
    daily = rows.sort_values("date_day")
    if kpi.aggregation == "ratio":
        value = daily["numerator"].astype(float) / daily["denominator"].astype(float).where(
            daily["denominator"] != 0
        )
    else:
        value = daily["numerator"].astype(float)
    return pd.DataFrame({"date_day": daily["date_day"].to_numpy(), "value": value.to_numpy()})
