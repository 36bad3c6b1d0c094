"""Truncated pagination over HTTP on 127.0.0.1: bodies cut short are fetched again and loaded once; a
looping or inconsistent cursor fails fast, names the endpoint and the cursor, and loads nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from bench.fake_apis import FakeApis, Faults, ServedRecord, serve
from ingestion.http import ApiPagingError
from ingestion.pipelines import make_pipeline
from parcours.paths import DataDir
from tests.ingestion.conftest import rows, scalar
from tests.ingestion.test_api_mode import _crm, _pos
from tests.ingestion.world import World

CONTACTS = "/crm/v3/objects/contacts"
CONTACTS_SEARCH = "/crm/v3/objects/contacts/search"
ORDERS_SEARCH = "/v2/orders/search"
PAGE_SIZE = 4  # the fake server's own page cap: the small world spans several pages


def _paging_error(failure: pytest.ExceptionInfo[PipelineStepFailed]) -> ApiPagingError:
    cause: BaseException | None = failure.value
    while cause is not None and not isinstance(cause, ApiPagingError):
        cause = cause.__cause__ or cause.__context__
    assert cause is not None, f"no ApiPagingError behind {failure.value!r}"
    return cause


def _raw_tables(data_dir: DataDir, dataset: str) -> int:
    if not data_dir.warehouse.exists():
        return 0
    return int(
        scalar(data_dir, f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{dataset}'")
    )


def _contacts_cursor(data_dir: DataDir) -> Any:
    state = make_pipeline("crm", data_dir).state
    return state["sources"]["crm"]["resources"]["contacts"].get("cursor")


def test_pages_cut_short_in_transit_are_fetched_again_and_loaded_once(
    data_dir: DataDir, fresh_world: World
) -> None:
    faults = Faults(
        path_script={(CONTACTS, 2): "truncate", (CONTACTS, 4): "cut", (ORDERS_SEARCH, 2): "truncate"},
        page_size=PAGE_SIZE,
    )
    apis = FakeApis(data_dir.landing, faults)
    with serve(apis) as base_url:
        crm_lines = _crm(data_dir, base_url)
        pos_lines = _pos(data_dir, base_url)
    served = len(apis.objects["contacts"])
    contact_requests = [path for path, _ in apis.requests if path == CONTACTS]
    assert len(contact_requests) == -(-served // PAGE_SIZE) + 2  # every page once, two of them twice
    contacts = next(line for line in crm_lines if line.table == "contacts")
    assert (contacts.records_read, contacts.balanced) == (served, True)  # no page counted twice
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.contacts") == len(fresh_world.contact_ids)
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.reconciliation WHERE table_name = 'contacts'") == 1
    orders = next(line for line in pos_lines if line.table == "orders")
    assert orders.records_read == len(apis.orders)
    assert scalar(data_dir, "SELECT count(*) FROM raw_pos.orders") == fresh_world.valid["orders"]
    assert scalar(data_dir, "SELECT count(*) - count(DISTINCT order_id) FROM raw_pos.orders") == 0


def test_a_body_cut_short_on_every_attempt_fails_naming_the_endpoint_and_loads_nothing(
    data_dir: DataDir, fresh_world: World
) -> None:
    faults = Faults(path_script={(CONTACTS, n): "cut" for n in range(2, 7)}, page_size=PAGE_SIZE)
    apis = FakeApis(data_dir.landing, faults)
    with serve(apis) as base_url, pytest.raises(PipelineStepFailed) as failure:
        _crm(data_dir, base_url)
    message = str(_paging_error(failure))
    assert CONTACTS in message and "not complete JSON" in message
    assert len([path for path, _ in apis.requests if path == CONTACTS]) == 6  # 1 page + 5 attempts
    assert _raw_tables(data_dir, "raw_crm") == 0


def test_a_square_cursor_pointing_back_fails_fast_then_a_clean_run_loads_every_order_once(
    data_dir: DataDir, fresh_world: World
) -> None:
    looping = FakeApis(
        data_dir.landing, Faults(path_script={(ORDERS_SEARCH, 3): "loop"}, page_size=PAGE_SIZE)
    )
    with serve(looping) as base_url, pytest.raises(PipelineStepFailed) as failure:
        _pos(data_dir, base_url)
    message = str(_paging_error(failure))
    assert ORDERS_SEARCH in message and f"cursor '{PAGE_SIZE * 2}'" in message and "loop" in message
    assert len([path for path, _ in looping.requests if path == ORDERS_SEARCH]) == 3  # failed at once
    assert _raw_tables(data_dir, "raw_pos") == 0

    clean = FakeApis(data_dir.landing, Faults(page_size=PAGE_SIZE))
    with serve(clean) as base_url:
        lines = _pos(data_dir, base_url)
    orders = next(line for line in lines if line.table == "orders")
    assert orders.records_read == len(clean.orders)
    assert scalar(data_dir, "SELECT count(*) FROM raw_pos.orders") == fresh_world.valid["orders"]
    assert scalar(
        data_dir, "SELECT sum(records_read) FROM raw_pos.reconciliation WHERE table_name = 'orders'"
    ) == (len(clean.orders))


@pytest.mark.parametrize(
    ("fault", "words"),
    [("loop", "already returned by page 2"), ("short", "but the API announced")],
)
def test_an_inconsistent_hubspot_search_cursor_fails_and_keeps_the_incremental_cursor(
    data_dir: DataDir, fresh_world: World, fault: str, words: str
) -> None:
    apis = FakeApis(data_dir.landing, Faults(page_size=PAGE_SIZE))
    with serve(apis) as base_url:
        _crm(data_dir, base_url)
    cursor = _contacts_cursor(data_dir)
    loaded = rows(data_dir, "SELECT contact_id, updated_at FROM raw_crm.contacts ORDER BY contact_id")
    reconciled = scalar(data_dir, "SELECT count(*) FROM raw_crm.reconciliation")
    # every contact is modified after the first load: the incremental search spans several pages
    modified = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    served = apis.objects["contacts"]
    apis.objects["contacts"] = [_modified_at(contact.parsed(), modified) for contact in served]

    apis.faults = Faults(path_script={(CONTACTS_SEARCH, 3): fault}, page_size=PAGE_SIZE)
    apis.requests.clear()
    with serve(apis) as base_url, pytest.raises(PipelineStepFailed) as failure:
        _crm(data_dir, base_url)
    message = str(_paging_error(failure))
    assert CONTACTS_SEARCH in message and words in message and f"'{PAGE_SIZE * 2}'" in message
    assert _contacts_cursor(data_dir) == cursor
    assert rows(data_dir, "SELECT contact_id, updated_at FROM raw_crm.contacts ORDER BY contact_id") == loaded
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.reconciliation") == reconciled

    apis.faults = Faults(page_size=PAGE_SIZE)
    with serve(apis) as base_url:
        lines = _crm(data_dir, base_url)
    contacts = next(line for line in lines if line.table == "contacts")
    assert contacts.records_read == len(apis.objects["contacts"])
    assert _contacts_cursor(data_dir) > cursor
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.contacts") == len(fresh_world.contact_ids)
    assert scalar(data_dir, f"SELECT count(*) FROM raw_crm.contacts WHERE updated_at < '{modified}'") == 0


def _modified_at(contact: dict[str, Any], moment: str) -> ServedRecord:
    """A contact as the API serves it once modified at ``moment``."""
    contact["updatedAt"] = moment
    if isinstance(contact.get("properties"), dict):
        contact["properties"]["hs_lastmodifieddate"] = moment
    return ServedRecord.of(contact)
