"""Incremental file loads: GA4 day files rewritten with late events, and changed reference files."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

from ingestion import run_ingestion
from ingestion.pipelines import TableReconciliation
from parcours.paths import DataDir
from tests.ingestion.conftest import rows, scalar
from tests.ingestion.world import START, World, ga4_event


def _append_late_events(data_dir: DataDir, day: date, count: int) -> None:
    path = data_dir.landing / f"ga4/events_{day.strftime('%Y%m%d')}.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        for n in range(count):
            handle.write(json.dumps(ga4_event(1000 + n, day, user=1)) + "\n")


def _events(data_dir: DataDir) -> tuple[int, int]:
    total = scalar(data_dir, "SELECT count(*) FROM raw_ga4.events")
    distinct = scalar(data_dir, "SELECT count(DISTINCT event_id) FROM raw_ga4.events")
    return total, distinct


def _staging_events(data_dir: DataDir) -> int | None:
    """Rows in the GA4 staging dataset's events (None: a load never went through it)."""
    exists = scalar(
        data_dir,
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'raw_ga4_staging' AND table_name = 'events'",
    )
    return scalar(data_dir, "SELECT count(*) FROM raw_ga4_staging.events") if exists else None


def _day_file(data_dir: DataDir, day: date) -> Path:
    return data_dir.landing / f"ga4/events_{day.strftime('%Y%m%d')}.jsonl"


def test_late_ga4_events_appended_to_a_day_file_are_read_alone_and_appended(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["ga4"])
    before = fresh_world.valid["events"]
    path = _day_file(data_dir, START + timedelta(days=1))
    lines = path.read_text(encoding="utf-8").splitlines()
    _append_late_events(data_dir, START + timedelta(days=1), 5)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines[2] + "\n")  # an event loaded with the day: a duplicate
        handle.write('{"event_date": \n')

    report = run_ingestion(data_dir, sources=["ga4"])

    assert _events(data_dir) == (before + 5, before + 5)
    assert report.table("raw_ga4", "events") == TableReconciliation("raw_ga4", "events", 7, 5, 2)
    params = scalar(data_dir, "SELECT count(*) FROM raw_ga4.event_params")
    assert params == fresh_world.valid["event_params"] + 2 * 5
    assert _staging_events(data_dir) is None  # appended: no staging copy, no delete
    quarantined = rows(
        data_dir,
        "SELECT line_number, reason_code FROM raw_ga4.quarantine WHERE _dlt_load_id = "
        "(SELECT max(_dlt_load_id) FROM raw_ga4.quarantine) ORDER BY line_number",
    )
    assert quarantined == [(len(lines) + 6, "duplicate"), (len(lines) + 7, "broken_json")]
    assert run_ingestion(data_dir, sources=["ga4"]).tables == []


def test_a_ga4_day_file_rewritten_in_place_is_read_whole_and_replaces_its_day(
    data_dir: DataDir, fresh_world: World
) -> None:
    """A rewrite that is not an append (here: lines reordered, one added) replaces the day; a day
    only appended to in the same run is then read whole too, as a replaced day."""
    run_ingestion(data_dir, sources=["ga4"])
    before = fresh_world.valid["events"]
    rewritten = _day_file(data_dir, START)
    lines = rewritten.read_text(encoding="utf-8").splitlines()
    added = json.dumps(ga4_event(2000, START, user=2))
    rewritten.write_text("".join(line + "\n" for line in [*reversed(lines), added]), encoding="utf-8")
    os.utime(rewritten, (rewritten.stat().st_atime, rewritten.stat().st_mtime + 10))
    _append_late_events(data_dir, START + timedelta(days=1), 2)

    report = run_ingestion(data_dir, sources=["ga4"])

    assert _events(data_dir) == (before + 3, before + 3)
    read = rows(
        data_dir,
        "SELECT source_file, records_read FROM raw_ga4.reconciliation WHERE _dlt_load_id = "
        "(SELECT max(_dlt_load_id) FROM raw_ga4.reconciliation) ORDER BY source_file",
    )
    appended = _day_file(data_dir, START + timedelta(days=1))
    assert read == [(f"ga4/{rewritten.name}", len(lines) + 1), (f"ga4/{appended.name}", len(lines) + 2)]
    assert report.balanced
    assert _staging_events(data_dir) == 0  # merged through the staging dataset, emptied after


def test_ga4_days_never_loaded_are_appended_without_the_staging_dataset(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["ga4"])
    assert _staging_events(data_dir) is None
    newest = START + timedelta(days=3)
    _day_file(data_dir, newest).write_text(json.dumps(ga4_event(1, newest, user=1)) + "\n", encoding="utf-8")
    run_ingestion(data_dir, sources=["ga4"])
    assert _staging_events(data_dir) is None
    assert _events(data_dir) == (fresh_world.valid["events"] + 1, fresh_world.valid["events"] + 1)
    _append_late_events(data_dir, newest, 2)
    run_ingestion(data_dir, sources=["ga4"])
    assert _staging_events(data_dir) is None
    assert _events(data_dir) == (fresh_world.valid["events"] + 3, fresh_world.valid["events"] + 3)


def test_ga4_rewrite_older_than_the_look_back_window_is_ignored(
    data_dir: DataDir, fresh_world: World
) -> None:
    newest = START + timedelta(days=5)
    (data_dir.landing / f"ga4/events_{newest.strftime('%Y%m%d')}.jsonl").write_text(
        json.dumps(ga4_event(1, newest, user=1)) + "\n", encoding="utf-8"
    )
    run_ingestion(data_dir, sources=["ga4"])
    before = _events(data_dir)
    _append_late_events(data_dir, START, 5)
    report = run_ingestion(data_dir, sources=["ga4"])
    assert _events(data_dir) == before
    assert report.tables == []


def test_changed_reference_file_is_reread_and_merged_on_its_key(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["pos"])
    path = data_dir.landing / "pos/locations.jsonl"
    stores = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    stores[0]["status"] = "CLOSED"
    path.write_text("".join(json.dumps(s) + "\n" for s in stores), encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 10))
    run_ingestion(data_dir, sources=["pos"])
    assert scalar(data_dir, "SELECT count(*) FROM raw_pos.locations") == len(stores)
    assert (
        scalar(data_dir, f"SELECT status FROM raw_pos.locations WHERE location_id = '{stores[0]['id']}'")
        == "CLOSED"
    )
