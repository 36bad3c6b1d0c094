"""Incremental file loads: GA4 day files rewritten with late events, and changed reference files."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta

from ingestion import run_ingestion
from parcours.paths import DataDir
from tests.ingestion.conftest import scalar
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


def test_late_ga4_events_rewritten_within_three_days_merge_without_duplicates(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["ga4"])
    before = fresh_world.valid["events"]
    _append_late_events(data_dir, START + timedelta(days=1), 5)
    report = run_ingestion(data_dir, sources=["ga4"])
    assert _events(data_dir) == (before + 5, before + 5)
    line = report.table("raw_ga4", "events")
    assert line is not None and line.records_loaded == fresh_world.valid["events"] // 3 + 5
    params = scalar(data_dir, "SELECT count(*) FROM raw_ga4.event_params")
    assert params == fresh_world.valid["event_params"] + 2 * 5
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4_staging.events") == 0


def test_ga4_days_never_loaded_are_appended_without_the_staging_dataset(
    data_dir: DataDir, fresh_world: World
) -> None:
    run_ingestion(data_dir, sources=["ga4"])
    staging = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw_ga4_staging'"
    assert scalar(data_dir, staging) == 0
    newest = START + timedelta(days=3)
    (data_dir.landing / f"ga4/events_{newest.strftime('%Y%m%d')}.jsonl").write_text(
        json.dumps(ga4_event(1, newest, user=1)) + "\n", encoding="utf-8"
    )
    run_ingestion(data_dir, sources=["ga4"])
    assert scalar(data_dir, staging) == 0
    assert _events(data_dir) == (fresh_world.valid["events"] + 1, fresh_world.valid["events"] + 1)
    _append_late_events(data_dir, newest, 2)
    run_ingestion(data_dir, sources=["ga4"])
    assert scalar(data_dir, staging) > 0
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4_staging.events") == 0
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
