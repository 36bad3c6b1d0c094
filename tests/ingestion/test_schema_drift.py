"""Schema drift: a new source column reaches raw; a changed type is quarantined, not coerced; a dropped
column and a renamed GA4 parameter keep the raw tables' columns and types; every change is reported in
``<raw dataset>.schema_drift`` and in the run's report."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from ingestion import run_ingestion
from parcours.paths import DataDir
from tests.ingestion.conftest import rows, scalar
from tests.ingestion.world import START, World, contact, ga4_event, order

DRIFT_COLUMNS = "change, column_name, source_path, detail, records"


def _write_contacts(data_dir: DataDir, days_after: int, loyalty_points: object) -> None:
    day = START + timedelta(days=days_after)
    record = contact(500 + days_after, day)
    record["properties"]["loyalty_points"] = loyalty_points
    record["properties"]["hs_new_flag"] = True
    path = data_dir.landing / f"crm/contacts/contacts_{day.strftime('%Y%m%d')}.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")


def _write_lines(data_dir: DataDir, relative: str, records: list[dict[str, Any]]) -> None:
    path = data_dir.landing / relative
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def _drift(data_dir: DataDir, dataset: str, file_part: str) -> list[tuple[Any, ...]]:
    return rows(
        data_dir,
        f"SELECT {DRIFT_COLUMNS} FROM {dataset}.schema_drift WHERE source_file LIKE '%{file_part}%' "
        "ORDER BY change, column_name",
    )


def _columns(data_dir: DataDir, dataset: str) -> list[tuple[Any, ...]]:
    return rows(
        data_dir,
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema = '{dataset}' AND table_name <> 'schema_drift' ORDER BY ALL",
    )


def test_a_new_source_property_becomes_a_typed_raw_column(data_dir: DataDir, fresh_world: World) -> None:
    _write_contacts(data_dir, 10, "120")
    report = run_ingestion(data_dir, sources=["crm"])
    assert rows(
        data_dir, "SELECT loyalty_points, hs_new_flag FROM raw_crm.contacts WHERE contact_id = '1000510'"
    ) == [("120", True)]
    assert _drift(data_dir, "raw_crm", "20261011") == [
        ("new_column", "hs_new_flag", '$.properties."hs_new_flag"', "new bool column", 1),
        ("new_column", "loyalty_points", '$.properties."loyalty_points"', "new string column", 1),
    ]
    assert [(line.change, line.column) for line in report.drift] == [
        ("new_column", "hs_new_flag"),
        ("new_column", "loyalty_points"),
    ]
    assert "schema drift:" in report.render()


def test_a_drift_column_changing_type_is_quarantined_as_type_drift(
    data_dir: DataDir, fresh_world: World
) -> None:
    _write_contacts(data_dir, 10, "120")
    run_ingestion(data_dir, sources=["crm"])
    _write_contacts(data_dir, 11, 120)
    report = run_ingestion(data_dir, sources=["crm"])
    reasons = rows(
        data_dir,
        "SELECT reason_code, reason_detail FROM raw_crm.quarantine WHERE source_file LIKE '%20261012%'",
    )
    assert reasons == [("type_drift", "loyalty_points: expected string, got UBIGINT")]
    line = report.table("raw_crm", "contacts")
    assert line is not None and (line.records_read, line.records_quarantined) == (1, 1)
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.contacts WHERE contact_id = '1000511'") == 0
    assert _drift(data_dir, "raw_crm", "20261012") == [
        ("type_drift", "loyalty_points", '$.properties."loyalty_points"', "expected string, got UBIGINT", 1)
    ]


def test_a_crm_export_dropping_a_column_is_reported_and_the_raw_column_kept(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["crm"])
    columns = _columns(data_dir, "raw_crm")
    day = START + timedelta(days=10)
    dropped = [contact(600 + n, day) for n in range(5)]
    for record in dropped:
        del record["properties"]["city"]
    _write_lines(data_dir, f"crm/contacts/contacts_{day.strftime('%Y%m%d')}.jsonl", dropped)
    report = run_ingestion(data_dir, sources=["crm"])
    drift = _drift(data_dir, "raw_crm", day.strftime("%Y%m%d"))
    assert [(change, column, path, n) for change, column, path, _, n in drift] == [
        ("missing_column", "city", '$.properties."city"', 5)
    ]
    assert re.fullmatch(r"on 100\.0% of \d+ earlier record\(s\), absent from all 5 of this file", drift[0][3])
    assert [(line.change, line.column) for line in report.drift] == [("missing_column", "city")]
    assert _columns(data_dir, "raw_crm") == columns  # the contract: same columns, same types
    line = report.table("raw_crm", "contacts")
    assert line is not None and (line.records_read, line.records_quarantined) == (5, 0)
    assert scalar(data_dir, "SELECT count(city) FROM raw_crm.contacts WHERE contact_id >= '1000600'") == 0


def test_a_pos_export_dropping_a_nested_column_names_its_raw_column(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["pos"])
    columns = _columns(data_dir, "raw_pos")
    day = START + timedelta(days=10)
    orders = [order(n, day, store="L001") for n in range(4)]
    for record in orders:
        del record["source"]
    _write_lines(data_dir, f"pos/orders/orders_{day.strftime('%Y%m%d')}.jsonl", orders)
    run_ingestion(data_dir, sources=["pos"])
    drift = _drift(data_dir, "raw_pos", day.strftime("%Y%m%d"))
    assert [(change, column, path, n) for change, column, path, _, n in drift] == [
        ("missing_column", "source_name", '$."source"', 4)
    ]
    assert _columns(data_dir, "raw_pos") == columns


def test_a_renamed_ga4_parameter_is_reported_as_vanished_and_new(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["ga4"])
    columns = _columns(data_dir, "raw_ga4")
    day = START + timedelta(days=3)
    events = [ga4_event(n, day, user=None) for n in range(10)]
    for event in events:
        for param in event["event_params"]:
            if param["key"] == "page_location":
                param["key"] = "page_url"
    _write_lines(data_dir, f"ga4/events_{day.strftime('%Y%m%d')}.jsonl", events)
    report = run_ingestion(data_dir, sources=["ga4"])
    drift = _drift(data_dir, "raw_ga4", day.strftime("%Y%m%d"))
    assert [(change, column, path, n) for change, column, path, _, n in drift] == [
        ("new_param_key", "page_url", "$.event_params[*].key", 10),
        ("vanished_param_key", "page_location", "$.event_params[*].key", None),
    ]
    assert {(line.change, line.column) for line in report.drift} == {
        ("new_param_key", "page_url"),
        ("vanished_param_key", "page_location"),
    }
    assert _columns(data_dir, "raw_ga4") == columns
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4.event_params WHERE key = 'page_url'") == 10
    # files with the documented keys only report nothing, whatever their optional keys
    assert (
        scalar(data_dir, "SELECT count(*) FROM raw_ga4.schema_drift WHERE source_file NOT LIKE '%20261004%'")
        == 0
    )
