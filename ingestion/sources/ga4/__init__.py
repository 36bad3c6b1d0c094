"""GA4 source: the BigQuery export's daily ``events_YYYYMMDD`` tables as NDJSON files.

Raw tables (dataset ``raw_ga4``): ``events``, ``event_params``, ``event_items``, ``user_properties``,
plus ``quarantine`` and ``reconciliation``. Every table is replaced per ``event_date`` (delete-insert),
so a day file rewritten with late events within the look-back window is re-read without duplicates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import dlt
from dlt.extract.resource import DltResource

from ingestion.landing import GA4_LOOKBACK_DAYS, Landing
from ingestion.resources import file_resource
from ingestion.sources.ga4.entities import EVENTS


@dlt.source(name="ga4", max_table_nesting=0)
def ga4_source(
    landing_url: str = dlt.config.value,
    pii_key: str = dlt.secrets.value,
    lookback_days: int = GA4_LOOKBACK_DAYS,
    as_of: datetime | None = None,
) -> Sequence[DltResource]:
    """GA4 events from ``<landing_url>/ga4/events_*.jsonl``.

    Args:
        landing_url: the landing zone root (a folder or any fsspec URL).
        pii_key: the HMAC key (GA4 carries no e-mail or phone; kept for a uniform signature).
        lookback_days: changed day files within this many days of the newest day are re-read.
        as_of: the "now" of the future-timestamp check (the wall clock by default).
    """
    landing = Landing(landing_url)
    return [
        file_resource(
            EVENTS, landing, "ga4/events_*.jsonl", pii_key=pii_key, lookback_days=lookback_days, as_of=as_of
        )
    ]
