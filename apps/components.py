"""Pieces every page shares: the empty state, the freshness line, downloadable tables."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from apps import data


def require_snapshot() -> bool:
    """Show how to publish one and return False when no snapshot exists yet."""
    if data.snapshot() is not None:
        return True
    st.info(
        "No data has been published yet. Run the pipeline once, then reload this page:\n\n"
        "```bash\n.venv/bin/parcours run\n```"
    )
    attempt = data.publish_attempt()
    if attempt is not None and not attempt.published:
        st.warning(f"The latest run did not publish: {attempt.reason}")
    return False


def freshness_caption() -> None:
    """One line under the title: when the data shown was published."""
    current = data.snapshot()
    if current is not None:
        st.caption(f"Data published {current.published_at} (run {current.run_id[:8]}).")


def table(frame: pd.DataFrame, name: str) -> None:
    """A table with a CSV download button."""
    st.dataframe(frame, width="stretch", hide_index=True)
    st.download_button(
        f"Download {name} as CSV",
        frame.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"download-{name}",
    )
