"""A backfill re-reads the landing files of a range of days and rebuilds what depends on them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import dlt
import duckdb
import pytest

from orchestration.backfill import BackfillWindow, forget_landing_days
from orchestration.run import BACKFILL_TAG, run_config, run_pipeline
from parcours.paths import DataDir
from simulator import SimulationConfig, simulate_world

WORLD = SimulationConfig(customers=200, days=5, seed=11, start_date=date(2026, 10, 1), malformed_rate=0.01)
DAY_1 = date(2026, 10, 1)


def _pipeline_with_files(tmp_path: Path, name: str, files: dict[str, dict[str, str]]) -> dlt.Pipeline:
    pipeline = dlt.pipeline(
        pipeline_name=name,
        pipelines_dir=str(tmp_path / "dlt"),
        destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")),
        dataset_name="raw_test",
    )
    pipeline.run([{"id": 1}], table_name="contacts")  # a pipeline that has loaded once
    with pipeline.managed_state() as state:
        state["sources"] = {
            "crm": {"resources": {resource: {"files": paths} for resource, paths in files.items()}}
        }
    return pipeline


def test_forgetting_a_window_keeps_other_days_and_reference_files(tmp_path: Path) -> None:
    files = {
        "email_events": {f"crm/email_events/email_events_2026100{day}.jsonl": "1:1" for day in range(1, 7)},
        "contacts": {f"crm/contacts/contacts_2026100{day}.jsonl": "1:1" for day in range(1, 7)},
        "campaigns": {"crm/campaigns.jsonl": "1:1"},
    }
    pipeline = _pipeline_with_files(tmp_path, "parcours_crm", files)
    window = BackfillWindow(from_date="2026-10-02", to_date="2026-10-03")

    forgotten = forget_landing_days(pipeline, window)

    # immutable daily files: only the window; contacts (newest version wins): the window and after
    assert [path for path in forgotten if "email_events" in path] == [
        "crm/email_events/email_events_20261002.jsonl",
        "crm/email_events/email_events_20261003.jsonl",
    ]
    assert [path for path in forgotten if "contacts" in path] == [
        f"crm/contacts/contacts_2026100{day}.jsonl" for day in range(2, 7)
    ]
    resources = dlt.pipeline(pipeline_name="parcours_crm", pipelines_dir=str(tmp_path / "dlt")).state[
        "sources"
    ]["crm"]["resources"]
    assert sorted(resources["email_events"]["files"]) == [
        f"crm/email_events/email_events_2026100{day}.jsonl" for day in (1, 4, 5, 6)
    ]
    assert list(resources["contacts"]["files"]) == ["crm/contacts/contacts_20261001.jsonl"]
    assert list(resources["campaigns"]["files"]) == ["crm/campaigns.jsonl"]


@pytest.mark.parametrize(
    ("from_date", "to_date"), [("2026-10-05", "2026-10-02"), ("yesterday", None), (None, "2026-10-02")]
)
def test_a_malformed_or_reversed_window_is_refused_before_the_run(
    from_date: str | None, to_date: str | None
) -> None:
    window = BackfillWindow(from_date=from_date, to_date=to_date)
    with pytest.raises(ValueError):
        run_config(window) if window.active else window.bounds()


def test_an_ordinary_run_has_no_backfill_and_no_dbt_vars() -> None:
    window = BackfillWindow()
    assert not window.active and window.dbt_vars() == {}
    assert run_config(None)["resources"]["backfill"]["config"] == {"from_date": None, "to_date": None}
    assert BackfillWindow(from_date="2026-10-02").dbt_vars() == {"backfill_from_date": "2026-10-02"}


def _day_counts(warehouse: Path) -> dict[str, int]:
    marts = _mart_schema(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        queries = {
            "raw_events": f"select count(*) from raw_ga4.events where event_date = '{DAY_1}'",
            "sessions": f"select count(*) from {marts}.fct_sessions where session_date = '{DAY_1}'",
            "touchpoints": f"select count(*) from {marts}.fct_touchpoints where source_date = '{DAY_1}'",
        }
        return {name: _scalar(connection, sql) for name, sql in queries.items()}


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _files_read_by_latest_load(warehouse: Path, dataset: str, table: str) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            f"select distinct source_file from {dataset}.reconciliation where table_name = ? "
            f"and _dlt_load_id = (select max(_dlt_load_id) from {dataset}.reconciliation) order by 1",
            [table],
        ).fetchall()
    return [str(row[0]) for row in rows]


def _mart_schema(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(
            "select schema_name from duckdb_tables() where table_name = 'fct_sessions'"
        ).fetchone()
    assert row
    return str(row[0])


@pytest.mark.slow
def test_a_backfill_rereads_old_days_and_rebuilds_the_incremental_models(data_dir: DataDir) -> None:
    simulate_world(WORLD, landing_dir=data_dir.landing, truth_dir=data_dir.truth)
    first = run_pipeline()
    assert first.published, first.render()
    before = _day_counts(data_dir.warehouse)
    assert all(before.values()), before

    # Day 1 is lost downstream: its raw events, its sessions and its touchpoints. Day 1 lies
    # outside every late-data window (5 days landed, lookbacks of 2-3 days), so an ordinary
    # run would neither re-read its files nor rebuild it.
    marts = _mart_schema(data_dir.warehouse)
    with duckdb.connect(str(data_dir.warehouse)) as connection:
        connection.execute(f"delete from raw_ga4.events where event_date = '{DAY_1}'")
        connection.execute(f"delete from {marts}.fct_sessions where session_date = '{DAY_1}'")
        connection.execute(f"delete from {marts}.fct_touchpoints where source_date = '{DAY_1}'")

    window = BackfillWindow(from_date=DAY_1.isoformat(), to_date=DAY_1.isoformat())
    backfill = run_pipeline(backfill=window)

    assert backfill.success and backfill.published, backfill.render()
    assert _day_counts(data_dir.warehouse) == before
    # GA4 and e-mail events: only the window's file; contacts: the window and every later day
    ga4_read = _files_read_by_latest_load(data_dir.warehouse, "raw_ga4", "events")
    assert ga4_read == ["ga4/events_20261001.jsonl"]
    days = [DAY_1 + timedelta(days=offset) for offset in range(WORLD.days)]
    day_files = [f"crm/contacts/contacts_{day:%Y%m%d}.jsonl" for day in days]
    contacts_read = _files_read_by_latest_load(data_dir.warehouse, "raw_crm", "contacts")
    assert contacts_read and set(contacts_read) <= set(day_files) and len(contacts_read) > 1
    email_read = _files_read_by_latest_load(data_dir.warehouse, "raw_crm", "email_events")
    assert email_read == ["crm/email_events/email_events_20261001.jsonl"]
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(backfill.run_id)
        assert run is not None and run.tags[BACKFILL_TAG] == "2026-10-01..2026-10-01"
