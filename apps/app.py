"""Streamlit entry point: page configuration, shared filters and navigation (``parcours app`` starts it)."""

from pathlib import Path

import streamlit as st

from apps import filters

# Not "pages/": Streamlit 1.67 treats a pages/ folder beside the entry point as a legacy multipage
# app and runs the page file alone (no st.navigation, no shared sidebar filters).
VIEWS = Path(__file__).parent / "views"
PAGES_WITHOUT_FILTERS = {"customer_360", "data_health"}

st.set_page_config(page_title="Parcours", page_icon=":material/route:", layout="wide")

navigation = st.navigation(
    {
        "Performance": [
            st.Page(VIEWS / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page(VIEWS / "journey.py", title="Journey", icon=":material/route:"),
            st.Page(VIEWS / "channels.py", title="Channels and attribution", icon=":material/hub:"),
        ],
        "Customers": [
            st.Page(VIEWS / "customers.py", title="Customers and segments", icon=":material/groups:"),
            st.Page(VIEWS / "customer_360.py", title="Customer 360", icon=":material/person_search:"),
        ],
        "Listening": [
            st.Page(VIEWS / "social_listening.py", title="Social listening", icon=":material/forum:"),
            st.Page(VIEWS / "voice_of_customer.py", title="Voice of the customer", icon=":material/reviews:"),
        ],
        "Operations": [
            st.Page(VIEWS / "data_health.py", title="Data health", icon=":material/monitor_heart:"),
        ],
    }
)
# Rendered on every page so the URL keeps the filters across page switches.
filters.sidebar(applies=navigation.url_path not in PAGES_WITHOUT_FILTERS)
navigation.run()
