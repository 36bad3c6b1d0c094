"""Square API: locations, catalog items and orders search (cursor paging, incremental on updated_at)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import SinglePagePaginator

from ingestion.http import CheckedCursorPaginator, decoded, guarded_pages

PAGE_SIZE = 500  # Square's maximum for orders search (its default too)
LOCATIONS_PER_SEARCH = 10  # Square's limit on location_ids per orders search
TOKEN_SETTING = "sources.pos.api_token (env SOURCES__POS__API_TOKEN)"


def location_pages(client: RESTClient, since: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every location (one page); ``since`` is ignored: the list is small and merged on its id."""
    pages = client.paginate("/v2/locations", paginator=SinglePagePaginator(), data_selector="locations")
    return guarded_pages(pages, "Square", TOKEN_SETTING, "/v2/locations")


def catalog_pages(client: RESTClient, since: datetime | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every catalog item, cursor-paged; ``since`` is ignored (reference data merged on its id)."""
    pages = client.paginate(
        "/v2/catalog/list",
        params={"types": "ITEM"},
        paginator=CheckedCursorPaginator("Square", "/v2/catalog/list", "cursor", cursor_param="cursor"),
        data_selector="objects",
    )
    return guarded_pages(pages, "Square", TOKEN_SETTING, "/v2/catalog/list")


def order_pages(client: RESTClient, since: datetime | None) -> Iterator[list[dict[str, Any]]]:
    """Orders of every location updated at or after ``since``, oldest first."""
    location_ids = [location["id"] for page in location_pages(client) for location in decoded(page)]
    for start in range(0, len(location_ids), LOCATIONS_PER_SEARCH):
        query: dict[str, Any] = {"sort": {"sort_field": "UPDATED_AT", "sort_order": "ASC"}}
        if since is not None:
            query["filter"] = {"date_time_filter": {"updated_at": {"start_at": since.isoformat()}}}
        body = {
            "location_ids": location_ids[start : start + LOCATIONS_PER_SEARCH],
            "query": query,
            "limit": PAGE_SIZE,
        }
        pages = client.paginate(
            "/v2/orders/search",
            method="POST",
            json=body,
            paginator=CheckedCursorPaginator(
                "Square", "/v2/orders/search", "cursor", cursor_body_path="cursor"
            ),
            data_selector="orders",
        )
        yield from guarded_pages(pages, "Square", TOKEN_SETTING, "/v2/orders/search")
