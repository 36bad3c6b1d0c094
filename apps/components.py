"""Pieces every page shares: empty states, the freshness line, KPI tiles, charts, downloadable tables."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from apps import data
from apps.filters import Dimensions, Filters, not_applied

RUN_COMMAND = ".venv/bin/parcours run"


def require_snapshot() -> bool:
    """Show how to publish one and return False when no snapshot exists yet."""
    if data.snapshot() is not None:
        return True
    st.info(
        "No data has been published yet. Run the pipeline once, then reload this page:\n\n"
        f"```bash\n{RUN_COMMAND}\n```"
    )
    attempt = data.publish_attempt()
    if attempt is not None and not attempt.published:
        st.warning(f"The latest run did not publish: {attempt.reason}")
    return False


def require_marts(*tables: str, columns: dict[str, Sequence[str]] | None = None) -> bool:
    """Say which marts (or columns) the section needs and return False when one is missing."""
    missing = [table for table in tables if not data.has_table(table)]
    if missing:
        names = ", ".join(f"`{table}`" for table in missing)
        st.info(
            f"This section needs the mart {names}, which is not in the published snapshot yet. "
            f"A newer pipeline run publishes it:\n\n```bash\n{RUN_COMMAND}\n```",
            icon=":material/hourglass_empty:",
        )
        return False
    for table, wanted in (columns or {}).items():
        absent = sorted(set(wanted) - data.columns(table))
        if absent:
            st.info(
                f"The mart `{table}` in the published snapshot lacks the column(s) "
                f"{', '.join(absent)}; a newer pipeline run publishes them:\n\n```bash\n{RUN_COMMAND}\n```",
                icon=":material/hourglass_empty:",
            )
            return False
    return True


def freshness_caption() -> None:
    """One line under the title: when the data shown was published."""
    current = data.snapshot()
    if current is not None:
        st.caption(f"Data published {current.published_at} (run {current.run_id[:8]}).")


def page_header(title: str, question: str) -> bool:
    """Title, the question the page answers and the freshness line; False without a snapshot."""
    st.title(title)
    st.caption(question)
    if not require_snapshot():
        return False
    freshness_caption()
    return True


def filter_note(filters: Filters, dimensions: Dimensions) -> None:
    """Say which active filters do not apply to the chart below (its mart has no such column)."""
    ignored = not_applied(filters, dimensions)
    if ignored:
        st.caption(f"Not filtered by {', '.join(ignored).lower()}: this view has no such breakdown.")


def kpi_tile(
    label: str,
    value: str,
    delta: str | None = None,
    trend: Sequence[float] | None = None,
    help_text: str | None = None,
    delta_color: str = "normal",
) -> None:
    """A KPI tile: the value, its change against the previous period and a sparkline."""
    st.metric(
        label,
        value,
        delta=delta,
        help=help_text,
        border=True,
        chart_data=list(trend) if trend is not None and len(trend) > 1 else None,
        chart_type="area",
        delta_color=delta_color,  # type: ignore[arg-type]
    )


def chart(figure: go.Figure, key: str) -> None:
    """An interactive plotly chart in the app's style."""
    # Property assignments: update_layout(legend_title_text=...) resolves its magic underscores slowly.
    figure.layout.margin = {"l": 10, "r": 10, "t": 40, "b": 10}
    figure.layout.legend.title.text = ""
    st.plotly_chart(figure, width="stretch", key=key, config={"displaylogo": False})


def empty(frame: pd.DataFrame, what: str) -> bool:
    """Say there is nothing to show for the filters and return True when ``frame`` is empty."""
    if frame.empty:
        st.info(f"No {what} for the chosen filters.", icon=":material/filter_alt_off:")
        return True
    return False


def table(frame: pd.DataFrame, name: str, columns: Sequence[str] | None = None) -> None:
    """A table with a CSV download button (of every column, even those ``columns`` does not show)."""
    st.dataframe(_plain_dates(frame), width="stretch", hide_index=True, column_order=columns)
    st.download_button(
        f"Download {name} as CSV",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download-{name}",
        icon=":material/download:",
    )


def _plain_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Show day-grain timestamps (all at midnight) as dates, not ``2026-03-01 00:00:00``."""
    shown = frame
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values) and values.dt.tz is None:
            present = values.dropna()
            if present.empty or (present == present.dt.normalize()).all():
                shown = shown.assign(**{column: values.dt.date})
    return shown


def fmt_count(value: float | None) -> str:
    """A count with thousands separators ("—" when unknown)."""
    return "—" if value is None or pd.isna(value) else f"{value:,.0f}"


def fmt_money(value: float | None) -> str:
    """An amount in euros."""
    return "—" if value is None or pd.isna(value) else f"€{value:,.0f}"


def fmt_rate(value: float | None) -> str:
    """A share as a percentage."""
    return "—" if value is None or pd.isna(value) else f"{value:.1%}"


def fmt_score(value: float | None) -> str:
    """A score such as NPS, on -100..100."""
    return "—" if value is None or pd.isna(value) else f"{value * 100:+.0f}"
