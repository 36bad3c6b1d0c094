"""Switch off every tool's usage reporting: a customer-data product does not phone home.

Dagster reads its switch from ``dagster.yaml`` in the instance folder instead
(``telemetry: enabled: false``); the orchestration package writes that file.
"""

from __future__ import annotations

import os

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
}


def disable_telemetry() -> None:
    """Set the opt-out variables of dbt, dlt and Streamlit unless the user set them."""
    for name, value in TELEMETRY_OFF.items():
        os.environ.setdefault(name, value)
