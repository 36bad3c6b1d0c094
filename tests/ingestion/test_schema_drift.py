"""Schema drift: a new source column reaches raw; a changed type is quarantined, not coerced."""

from __future__ import annotations

import json
from datetime import timedelta

from ingestion import run_ingestion
from parcours.paths import DataDir
from tests.ingestion.conftest import rows, scalar
from tests.ingestion.world import START, World, contact


def _write_contacts(data_dir: DataDir, days_after: int, loyalty_points: object) -> None:
    day = START + timedelta(days=days_after)
    record = contact(500 + days_after, day)
    record["properties"]["loyalty_points"] = loyalty_points
    record["properties"]["hs_new_flag"] = True
    path = data_dir.landing / f"crm/contacts/contacts_{day.strftime('%Y%m%d')}.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")


def test_a_new_source_property_becomes_a_typed_raw_column(data_dir: DataDir, fresh_world: World) -> None:
    _write_contacts(data_dir, 10, "120")
    run_ingestion(data_dir, sources=["crm"])
    assert rows(
        data_dir, "SELECT loyalty_points, hs_new_flag FROM raw_crm.contacts WHERE contact_id = '1000510'"
    ) == [("120", True)]


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
