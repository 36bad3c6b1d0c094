"""HubSpot CRM v3 objects API: list (first load) and search on hs_lastmodifieddate (incremental)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from dlt.sources.helpers.rest_client import RESTClient

from ingestion.http import CheckedCursorPaginator, guarded_pages
from ingestion.specs import Entity, nested_path_keys

PAGE_SIZE = 100  # the objects list's maximum
SEARCH_PAGE_SIZE = 200  # the search endpoints' maximum
TOKEN_SETTING = "sources.crm.api_token (env SOURCES__CRM__API_TOKEN)"

# Entity table -> HubSpot object type in the URL.
OBJECT_TYPES = {"contacts": "contacts", "feedback": "feedback_submissions", "tickets": "tickets"}


def property_names(entity: Entity) -> list[str]:
    """The HubSpot properties an entity reads (HubSpot returns only the properties asked for)."""
    return sorted({nested_path_keys(f.path)[1] for f in entity.fields if f.path.startswith("$.properties.")})


def object_pages(
    client: RESTClient, entity: Entity, since: datetime | None
) -> Iterator[list[dict[str, Any]]]:
    """Pages of one object type: every object, or those modified at or after ``since``."""
    object_type = OBJECT_TYPES[entity.table]
    properties = property_names(entity)
    if since is None:
        endpoint = f"/crm/v3/objects/{object_type}"
        pages = client.paginate(
            endpoint,
            params={"limit": PAGE_SIZE, "properties": ",".join(properties), "archived": "false"},
            paginator=CheckedCursorPaginator("HubSpot", endpoint, "paging.next.after", cursor_param="after"),
            data_selector="results",
        )
    else:
        body = {
            "filterGroups": [
                {
                    "filters": [
                        {
                            "propertyName": "hs_lastmodifieddate",
                            "operator": "GTE",
                            "value": str(int(since.timestamp() * 1000)),
                        }
                    ]
                }
            ],
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            "properties": properties,
            "limit": SEARCH_PAGE_SIZE,
        }
        endpoint = f"/crm/v3/objects/{object_type}/search"
        pages = client.paginate(
            endpoint,
            method="POST",
            json=body,
            paginator=CheckedCursorPaginator(
                "HubSpot", endpoint, "paging.next.after", cursor_body_path="after", total_path="total"
            ),
            data_selector="results",
        )
    return guarded_pages(pages, "HubSpot", TOKEN_SETTING, endpoint)
