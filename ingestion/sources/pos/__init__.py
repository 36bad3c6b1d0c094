"""POS source: Square orders (sales and returns), locations (stores) and catalog items.

:func:`pos_source` loads ``raw_pos`` (receipt e-mails as keyed hashes); :func:`pos_restricted_source`
loads clear receipt e-mails into ``restricted_pos``. Modes: ``file`` (default) reads
``<landing_url>/pos/...``; ``api`` reads the Square API (orders search with cursor, incremental on
``updated_at``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

import dlt
from dlt.extract.resource import DltResource
from dlt.sources.helpers.rest_client import RESTClient

from ingestion.http import ApiSettings, make_rest_client
from ingestion.landing import Landing
from ingestion.resources import api_resource, file_resource, handoff_resource
from ingestion.sources.pos.api import catalog_pages, location_pages, order_pages
from ingestion.sources.pos.entities import CATALOG, LOCATIONS, ORDERS
from ingestion.specs import Entity

FILE_PATTERNS = {
    LOCATIONS: "pos/locations.jsonl",
    CATALOG: "pos/catalog.jsonl",
    ORDERS: "pos/orders/orders_*.jsonl",
}
PageFetcher = Callable[[RESTClient, datetime | None], Iterator[list[dict[str, Any]]]]
API_PAGES: dict[Entity, PageFetcher] = {
    LOCATIONS: location_pages,
    CATALOG: catalog_pages,
    ORDERS: order_pages,
}
API_CURSORS: dict[Entity, str | None] = {LOCATIONS: None, CATALOG: None, ORDERS: "updated_at"}


def _resources(
    landing_url: str | None,
    pii_key: str,
    mode: str,
    api: ApiSettings | None,
    as_of: datetime | None,
) -> list[DltResource]:
    if mode not in ("file", "api"):
        raise ValueError(f"pos mode must be 'file' or 'api', not {mode!r}")
    if mode == "file" and not landing_url:
        raise ValueError("pos file mode needs landing_url")
    resources = []
    for entity, pattern in FILE_PATTERNS.items():
        if mode == "api":
            if api is None:
                raise ValueError("pos api mode needs api_base_url and api_token")
            fetch: Callable[[datetime | None], Iterable[list[dict[str, Any]]]] = partial(
                API_PAGES[entity], make_rest_client(api)
            )
            resources.append(
                api_resource(
                    entity,
                    fetch,
                    f"square:{entity.table}",
                    pii_key=pii_key,
                    cursor_column=API_CURSORS[entity],
                    as_of=as_of,
                )
            )
        else:
            resources.append(
                file_resource(
                    entity,
                    Landing(str(landing_url)),
                    pattern,
                    pii_key=pii_key,
                    as_of=as_of,
                )
            )
    return resources


@dlt.source(name="pos", max_table_nesting=0)
def pos_source(
    landing_url: str | None = None,
    pii_key: str = dlt.secrets.value,
    mode: str = "file",
    api_base_url: str | None = None,
    api_token: str | None = None,
    api_max_attempts: int = 5,
    api_backoff_factor: float = 1.0,
    api_timeout: float = 60.0,
    as_of: datetime | None = None,
) -> list[DltResource]:
    """Square records into ``raw_pos``; arguments as in :func:`ingestion.sources.crm.crm_source`."""
    api = ApiSettings.of_source(api_base_url, api_token, api_max_attempts, api_backoff_factor, api_timeout)
    return _resources(landing_url, pii_key, mode, api, as_of)


@dlt.source(name="pos_restricted", max_table_nesting=0)
def pos_restricted_source() -> list[DltResource]:
    """Clear receipt e-mails into ``restricted_pos``.

    The rows come from the parse of :func:`pos_source`'s runs (file or API mode), handed over once
    their raw load is complete (``ingestion.handoff``): run it after the raw pipeline.
    """
    return [handoff_resource(entity, "pos") for entity in FILE_PATTERNS if entity.restricted_table]
