"""The Streamlit app: journey KPIs for business users, read from the published snapshot only."""
