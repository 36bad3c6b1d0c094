"""CRM source: HubSpot CRM v3 contacts, feedback, tickets, marketing e-mail events and campaigns.

Two sources, two datasets: :func:`crm_source` loads ``raw_crm`` (e-mails and phones as keyed hashes,
no names), :func:`crm_restricted_source` loads the clear personal data into ``restricted_crm``.

Modes: ``file`` (default) reads ``<landing_url>/crm/...``; ``api`` reads contacts, feedback and
tickets from the HubSpot CRM v3 objects API (e-mail events and campaigns still come from the landing
zone when ``landing_url`` is set, as they are not CRM objects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from ingestion.http import ApiSettings, make_rest_client
from ingestion.landing import Landing
from ingestion.resources import api_resource, file_resource, handoff_resource
from ingestion.sources.crm.api import object_pages
from ingestion.sources.crm.entities import CAMPAIGNS, CONTACTS, EMAIL_EVENTS, FEEDBACK, TICKETS
from ingestion.specs import Entity

FILE_PATTERNS = {
    CONTACTS: "crm/contacts/contacts_*.jsonl",
    EMAIL_EVENTS: "crm/email_events/email_events_*.jsonl",
    FEEDBACK: "crm/feedback/feedback_*.jsonl",
    TICKETS: "crm/tickets/tickets_*.jsonl",
    CAMPAIGNS: "crm/campaigns.jsonl",
}
API_ENTITIES = (CONTACTS, FEEDBACK, TICKETS)


def _api_fetch(
    settings: ApiSettings, entity: Entity
) -> Callable[[datetime | None], Iterable[list[dict[str, Any]]]]:
    return partial(object_pages, make_rest_client(settings), entity)


def _resources(
    landing_url: str | None,
    pii_key: str,
    mode: str,
    api: ApiSettings | None,
    as_of: datetime | None,
) -> list[DltResource]:
    if mode not in ("file", "api"):
        raise ValueError(f"crm mode must be 'file' or 'api', not {mode!r}")
    if mode == "api" and api is None:
        raise ValueError("crm api mode needs api_base_url and api_token")
    landing = Landing(landing_url) if landing_url else None
    resources = []
    for entity, pattern in FILE_PATTERNS.items():
        if mode == "api" and api is not None and entity in API_ENTITIES:
            resources.append(
                api_resource(
                    entity,
                    _api_fetch(api, entity),
                    f"hubspot:{entity.table}",
                    pii_key=pii_key,
                    cursor_column="updated_at",
                    as_of=as_of,
                )
            )
        elif landing is not None:
            resources.append(file_resource(entity, landing, pattern, pii_key=pii_key, as_of=as_of))
    return resources


@dlt.source(name="crm", max_table_nesting=0)
def crm_source(
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
    """HubSpot CRM records into ``raw_crm``, personal data hashed.

    Args:
        landing_url: the landing zone root (a folder or any fsspec URL); required in file mode.
        pii_key: the HMAC key of e-mail and phone hashes.
        mode: ``file`` or ``api``.
        api_base_url: HubSpot API root (``https://api.hubapi.com``) in api mode.
        api_token: a private-app access token in api mode.
        api_max_attempts: attempts per request on 429 / 5xx / timeouts.
        api_backoff_factor: exponential backoff multiplier between attempts, in seconds.
        api_timeout: seconds to wait for a response before retrying.
        as_of: the "now" of the future-timestamp check (the wall clock by default).
    """
    api = ApiSettings.of_source(api_base_url, api_token, api_max_attempts, api_backoff_factor, api_timeout)
    return _resources(landing_url, pii_key, mode, api, as_of)


@dlt.source(name="crm_restricted", max_table_nesting=0)
def crm_restricted_source() -> list[DltResource]:
    """Clear contact data (e-mail, phone, names, birth date) into ``restricted_crm``.

    The rows come from the parse of :func:`crm_source`'s runs (file or API mode), handed over once
    their raw load is complete (``ingestion.handoff``): run it after the raw pipeline.
    """
    return [handoff_resource(entity, "crm") for entity in FILE_PATTERNS if entity.restricted_table]
