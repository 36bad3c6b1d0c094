"""API mode against a local server that pages through simulated records and misbehaves on purpose."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from bench.fake_apis import TOKEN, FakeApis, Faults, ServedRecord, serve
from ingestion import resources, row_groups
from ingestion.http import ApiAuthError
from ingestion.pipelines import make_pipeline, run_pipeline
from ingestion.sources.crm import crm_source
from ingestion.sources.pos import pos_source
from parcours.paths import DataDir
from tests.ingestion.conftest import rows, scalar
from tests.ingestion.world import World

FAST_RETRIES: dict[str, Any] = {"api_max_attempts": 5, "api_backoff_factor": 0.01, "api_timeout": 0.5}
KEY = "test-only-pii-key-not-a-secret"


def _crm(data_dir: DataDir, base_url: str, token: str = TOKEN) -> Any:
    source = crm_source(pii_key=KEY, mode="api", api_base_url=base_url, api_token=token, **FAST_RETRIES)
    return run_pipeline(make_pipeline("crm", data_dir), source)[1]


def _pos(data_dir: DataDir, base_url: str) -> Any:
    source = pos_source(pii_key=KEY, mode="api", api_base_url=base_url, api_token=TOKEN, **FAST_RETRIES)
    return run_pipeline(make_pipeline("pos", data_dir), source)[1]


def test_hubspot_objects_load_page_by_page_through_transient_errors(
    data_dir: DataDir, fresh_world: World
) -> None:
    apis = FakeApis(data_dir.landing, Faults({2: "429", 4: "500", 5: "503", 6: "500", 8: "slow"}))
    with serve(apis) as base_url:
        lines = _crm(data_dir, base_url)
    statuses = [status for _, status in apis.requests]
    assert {429, 500, 503} <= set(statuses)
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.contacts") == len(fresh_world.contact_ids)
    served = len(apis.objects["contacts"])
    contacts = next(line for line in lines if line.table == "contacts")
    assert (contacts.records_read, contacts.balanced) == (served, True)
    assert rows(data_dir, "SELECT DISTINCT _source_api FROM raw_crm.contacts") == [("hubspot:contacts",)]


def test_hubspot_incremental_run_fetches_only_modified_objects(data_dir: DataDir, fresh_world: World) -> None:
    apis = FakeApis(data_dir.landing)
    with serve(apis) as base_url:
        _crm(data_dir, base_url)
        first = len(apis.requests)
        newest = max(
            (r for r in apis.objects["contacts"] if r.id in fresh_world.contact_ids),
            key=lambda r: r.updated_at,
        )
        lines = _crm(data_dir, base_url)
    searches = [path for path, _ in apis.requests[first:]]
    assert searches and all(path.endswith("/search") for path in searches)
    contacts = next(line for line in lines if line.table == "contacts")
    assert contacts.records_read < len(apis.objects["contacts"])
    assert scalar(data_dir, f"SELECT count(*) FROM raw_crm.contacts WHERE contact_id = '{newest.id}'") == 1
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.contacts") == len(fresh_world.contact_ids)


def test_square_orders_search_pages_with_a_cursor_and_loads_every_order(
    data_dir: DataDir, fresh_world: World
) -> None:
    apis = FakeApis(data_dir.landing, Faults({3: "503", 5: "429"}))
    with serve(apis) as base_url:
        lines = _pos(data_dir, base_url)
    assert scalar(data_dir, "SELECT count(*) FROM raw_pos.orders") == fresh_world.valid["orders"]
    assert scalar(data_dir, "SELECT count(*) FROM raw_pos.catalog") == fresh_world.valid["catalog"]
    orders = next(line for line in lines if line.table == "orders")
    assert orders.records_quarantined == fresh_world.quarantined("pos/orders")


@pytest.mark.parametrize("small_chunks", [False, True], ids=["one chunk", "page by page"])
def test_an_order_served_twice_in_a_first_load_keeps_its_latest_version_once(
    data_dir: DataDir, fresh_world: World, monkeypatch: pytest.MonkeyPatch, small_chunks: bool
) -> None:
    """A first load appends, but a key coming twice (changed while paging) merges the whole load.

    The nested rows of both versions stay in raw (nothing tells the merge which to drop); each
    carries its order's ``updated_at``, the version the staging models keep. Page by page: rows
    already handed to dlt as appends, and rows held back for a row group, merge all the same.
    """
    if small_chunks:
        monkeypatch.setattr(resources, "BATCH_BYTES", 1)
        monkeypatch.setattr(row_groups, "ROW_GROUP_ROWS", 3)
    apis = FakeApis(data_dir.landing)
    first = apis.orders[0].parsed()
    line = first["line_items"][0]
    apis.orders[0] = ServedRecord.of({**first, "line_items": [line, {**line, "uid": "dropped-later"}]})
    changed = {
        **first,
        "updated_at": first["updated_at"].replace("T17:", "T18:"),
        "source": {"name": "till-9"},
        "line_items": [{**line, "quantity": "7"}],
    }
    apis.orders.append(ServedRecord.of(changed))
    with serve(apis) as base_url:
        lines = _pos(data_dir, base_url)
    assert scalar(data_dir, "SELECT count(*) FROM raw_pos.orders") == fresh_world.valid["orders"]
    same = f"WHERE order_id = '{first['id']}'"
    assert rows(data_dir, f"SELECT source_name FROM raw_pos.orders {same}") == [("till-9",)]
    kept_version = f"{same} AND updated_at = (SELECT updated_at FROM raw_pos.orders {same})"
    assert rows(data_dir, f"SELECT line_uid, quantity FROM raw_pos.order_line_items {kept_version}") == [
        (line["uid"], 7.0)
    ]
    assert scalar(data_dir, f"SELECT count(DISTINCT updated_at) FROM raw_pos.order_line_items {same}") == 2
    tenders = scalar(data_dir, f"SELECT count(*) FROM raw_pos.order_tenders {kept_version}")
    assert tenders == len(first["tenders"])
    orders = next(line for line in lines if line.table == "orders")
    assert (orders.records_read, orders.balanced) == (len(apis.orders), True)


def test_a_rejected_token_fails_at_once_with_a_clear_message(data_dir: DataDir, fresh_world: World) -> None:
    apis = FakeApis(data_dir.landing)
    started = time.monotonic()
    with serve(apis) as base_url, pytest.raises(PipelineStepFailed) as failure:
        _crm(data_dir, base_url, token="expired-token")
    assert time.monotonic() - started < 5
    assert [status for _, status in apis.requests] == [401]
    cause: BaseException | None = failure.value
    while cause is not None and not isinstance(cause, ApiAuthError):
        cause = cause.__cause__
    assert cause is not None
    assert "401" in str(cause) and "SOURCES__CRM__API_TOKEN" in str(cause)
