"""The instance settings Parcours writes, and the event log storage they name."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.utils import make_new_run_id

from orchestration.defs.transformation import ProcessTiming
from orchestration.environment import DAGSTER_INSTANCE_YAML, prepare_dagster_home
from orchestration.instance_storage import PooledSqliteEventLogStorage
from parcours.paths import DataDir


@dg.asset
def numbers() -> dg.MaterializeResult:
    """A tiny asset with row-count metadata."""
    return dg.MaterializeResult(metadata={"dagster/row_count": 3})


@dg.asset_check(asset=numbers, blocking=True)
def numbers_are_counted() -> dg.AssetCheckResult:
    """A tiny blocking check."""
    return dg.AssetCheckResult(passed=True)


def test_runs_stored_through_the_pooled_event_log_read_the_same_in_stock_dagster(data_dir: DataDir) -> None:
    prepare_dagster_home(data_dir)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        result = dg.materialize([numbers, numbers_are_counted], instance=instance)
        assert result.success
        ours = instance.get_records_for_run(result.run_id, limit=1000).records
        checks = instance.get_records_for_run(
            result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
        ).records
    assert len(checks) == 1
    stock = SqliteEventLogStorage(str(data_dir.dagster_home / "history" / "runs"))
    try:
        theirs = stock.get_records_for_run(result.run_id, limit=1000).records
        latest = stock.get_latest_materialization_events([dg.AssetKey("numbers")])[dg.AssetKey("numbers")]
    finally:
        stock.dispose()
    assert [record.storage_id for record in theirs] == [record.storage_id for record in ours]
    assert latest is not None and latest.run_id == result.run_id
    assert latest.asset_materialization.metadata["dagster/row_count"].value == 3  # type: ignore[union-attr]


def test_settings_parcours_wrote_are_updated_and_hand_written_ones_kept(data_dir: DataDir) -> None:
    settings = data_dir.dagster_home / "dagster.yaml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("# Written by Parcours: an older version.\ntelemetry:\n  enabled: false\n")
    prepare_dagster_home(data_dir)
    assert settings.read_text() == DAGSTER_INSTANCE_YAML
    hand_written = "telemetry:\n  enabled: false\n"
    settings.write_text(hand_written)
    prepare_dagster_home(data_dir)
    assert settings.read_text() == hand_written


def test_process_timing_spans_the_child_process_start_to_exit(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "print('hello')"], stdout=subprocess.PIPE)
    timing = ProcessTiming(process)
    assert process.stdout is not None and process.stdout.read() == b"hello\n"
    timing.write(tmp_path / "dbt_process.json")
    recorded = json.loads((tmp_path / "dbt_process.json").read_text())
    assert process.returncode == 0
    assert recorded["started_at"] <= recorded["ended_at"]
    assert recorded["seconds"] == recorded["ended_at"] - recorded["started_at"]


def test_a_watcher_in_another_process_sees_each_event_as_it_is_stored(data_dir: DataDir) -> None:
    """The UI's live run view watches the run's file; events kept in the open WAL must still reach it."""
    runs = str(data_dir.dagster_home / "history" / "runs")
    writer, watcher = PooledSqliteEventLogStorage(runs), SqliteEventLogStorage(runs)
    run_id = make_new_run_id()
    seen: list[str] = []
    arrived = threading.Event()

    def on_event(entry: EventLogEntry, _cursor: str) -> None:
        seen.append(entry.user_message)
        arrived.set()

    try:
        writer.store_event(_log_entry(run_id, "first"))
        watcher.watch(run_id, None, on_event)
        writer.store_event(_log_entry(run_id, "second"))
        assert arrived.wait(timeout=30), "the watcher never heard of the new event"
        assert "second" in seen
    finally:
        watcher.end_watch(run_id, on_event)
        watcher.dispose()
        writer.dispose()


def _log_entry(run_id: str, message: str) -> EventLogEntry:
    return EventLogEntry(
        error_info=None, level="INFO", user_message=message, run_id=run_id, timestamp=time.time()
    )
