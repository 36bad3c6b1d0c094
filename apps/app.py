"""Streamlit entry point: page configuration and navigation (``parcours app`` starts it)."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="Parcours", page_icon=":material/route:", layout="wide")

navigation = st.navigation(
    {
        "Operations": [
            st.Page(PAGES / "data_health.py", title="Data health", icon=":material/monitor_heart:"),
        ],
    }
)
navigation.run()
