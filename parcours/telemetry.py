"""Switch off every tool's usage reporting: a customer-data product does not phone home."""

from __future__ import annotations

import os

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "true",
}


def disable_telemetry() -> None:
    """Set the opt-out variables of dbt, dlt, Dagster and Streamlit unless the user set them."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
