"""Point 5: schema drift end to end. The contract holds and the change is reported.

On a copy of a built data directory, three exports change shape and the whole pipeline runs again
(``parcours run``'s Dagster job): the latest GA4 day file is re-exported with the ``page_location``
parameter renamed ``page_url``, a CRM contacts export of a new day drops the ``city`` property, and
the latest POS orders file is re-exported without ``source`` (``source_name``). Every raw, staging,
intermediate and mart table keeps its columns and types, the dbt build (contracts enforced on marts)
passes and the snapshot is published; the changes are listed, per file and load, in
``stg_ingestion__schema_drift`` and raised as warnings (never blocking) by the ingestion steps'
``no_schema_drift`` checks and the dbt test ``no_schema_drift_in_the_latest_load``. The new
(type change) column case is covered by ``tests/ingestion/test_schema_drift.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orchestration.run import run_pipeline
from parcours.paths import DataDir
from tests.reliability.conftest import query

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

LAYERS = ("raw_crm", "raw_ga4", "raw_pos", "raw_social", "staging", "intermediate", "marts")
NEW_CONTACTS_FILE = "crm/contacts/contacts_20261005.jsonl"
CHANGED_CONTACTS = 10


def _columns(warehouse: Path) -> list[tuple[Any, ...]]:
    schemas = ", ".join(f"'{schema}'" for schema in LAYERS)
    return query(
        warehouse,
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema IN ({schemas}) ORDER BY ALL",
    )


def _rewrite(path: Path, change: Any) -> list[dict[str, Any]]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the simulator's malformed lines: they stay out of the re-export
        if isinstance(record, dict):
            change(record)
            records.append(record)
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return records


def _rename_page_location(event: dict[str, Any]) -> None:
    for param in event.get("event_params") or []:
        if isinstance(param, dict) and param.get("key") == "page_location":
            param["key"] = "page_url"


def _drop_source(order: dict[str, Any]) -> None:
    order.pop("source", None)


def _write_contacts_without_city(landing: Path) -> list[str]:
    """A new day's CRM export: ten contacts modified that day, exported without ``city``."""
    first = sorted((landing / "crm/contacts").glob("contacts_*.jsonl"))[0]
    contacts = []
    for line in first.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and isinstance(record.get("properties"), dict) and record.get("id"):
            record["updatedAt"] = record["properties"]["hs_lastmodifieddate"] = "2026-10-05T08:00:00.000Z"
            record["properties"].pop("city", None)
            contacts.append(record)
        if len(contacts) == CHANGED_CONTACTS:
            break
    (landing / NEW_CONTACTS_FILE).write_text(
        "".join(json.dumps(record) + "\n" for record in contacts), encoding="utf-8"
    )
    return [str(record["id"]) for record in contacts]


def test_drifting_exports_keep_every_table_contract_and_are_reported(copy_of_first: DataDir) -> None:
    data = copy_of_first
    before = _columns(data.warehouse)
    ga4_day = sorted((data.landing / "ga4").glob("events_*.jsonl"))[-1]
    renamed = sum(
        1
        for event in _rewrite(ga4_day, _rename_page_location)
        for p in event["event_params"]
        if p["key"] == "page_url"
    )
    orders_day = sorted((data.landing / "pos/orders").glob("orders_*.jsonl"))[-1]
    _rewrite(orders_day, _drop_source)
    contact_ids = _write_contacts_without_city(data.landing)

    summary = run_pipeline()

    assert summary.success and summary.published, summary.render()
    assert _columns(data.warehouse) == before  # every layer: same tables, columns and types
    failed = {(check.check, check.blocking) for check in summary.failed_checks}
    assert failed == {("no_schema_drift", False), ("no_schema_drift_in_the_latest_load", False)}, failed
    assert {check.asset for check in summary.failed_checks if check.check == "no_schema_drift"} == {
        "raw_crm/schema_drift",
        "raw_ga4/schema_drift",
        "raw_pos/schema_drift",
    }
    reported = query(
        data.warehouse,
        "SELECT source, table_name, source_file, change, column_name "
        "FROM staging.stg_ingestion__schema_drift WHERE is_latest_load ORDER BY ALL",
    )
    assert reported == [
        ("crm", "contacts", NEW_CONTACTS_FILE, "missing_column", "city"),
        ("ga4", "event_params", f"ga4/{ga4_day.name}", "new_param_key", "page_url"),
        ("ga4", "event_params", f"ga4/{ga4_day.name}", "vanished_param_key", "page_location"),
        ("pos", "orders", f"pos/orders/{orders_day.name}", "missing_column", "source_name"),
    ]
    # nothing silently dropped or invented: the renamed parameter is loaded under its new key,
    # the contacts without a city are loaded with none
    assert query(data.warehouse, "SELECT count(*) FROM raw_ga4.event_params WHERE key = 'page_url'") == [
        (renamed,)
    ]
    ids = ", ".join(f"'{contact_id}'" for contact_id in contact_ids)
    assert query(
        data.warehouse, f"SELECT count(*), count(city) FROM raw_crm.contacts WHERE contact_id IN ({ids})"
    ) == [(CHANGED_CONTACTS, 0)]
