"""File mode end to end: every source of a small hand-made world, loaded twice into DuckDB."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ingestion.pipelines import DATASETS, pipelines_dir, tables_written
from tests.ingestion.conftest import Loaded, rows, scalar

RAW_TABLES = {
    "raw_crm": ("contacts", "email_events", "feedback", "tickets", "campaigns"),
    "raw_ga4": ("events", "event_params", "event_items", "user_properties"),
    "raw_pos": (
        "orders",
        "order_line_items",
        "order_tenders",
        "order_returns",
        "order_return_line_items",
        "locations",
        "catalog",
    ),
    "raw_social": ("mentions", "mention_topics", "posts"),
}
MERGED_VERSIONS = {"contacts"}  # a contact updated on two days is one row, the latest


def test_every_valid_record_lands_once_in_its_raw_table(loaded: Loaded) -> None:
    for dataset, tables in RAW_TABLES.items():
        for table in tables:
            count = scalar(loaded.data_dir, f"SELECT count(*) FROM {dataset}.{table}")
            expected = (
                len(loaded.world.contact_ids) if table in MERGED_VERSIONS else loaded.world.valid[table]
            )
            assert count == expected, f"{dataset}.{table}"


def test_every_malformed_line_is_quarantined_with_its_reason_file_and_line(loaded: Loaded) -> None:
    found = set()
    for dataset in RAW_TABLES:
        found |= set(
            rows(loaded.data_dir, f"SELECT source_file, line_number, reason_code FROM {dataset}.quarantine")
        )
    assert found == set(loaded.world.malformed)


def test_reconciliation_is_stored_and_balances_per_table(loaded: Loaded) -> None:
    assert loaded.first.balanced
    stored: Counter[str] = Counter()
    for dataset in RAW_TABLES:
        for table, read, ok, bad in rows(
            loaded.data_dir,
            f"SELECT table_name, sum(records_read), "
            f"sum(records_loaded), sum(records_quarantined) FROM {dataset}.reconciliation "
            "GROUP BY table_name",
        ):
            assert read == ok + bad
            stored[table] = ok
    reported = {line.table: line.records_loaded for line in loaded.first.tables}
    assert stored == Counter(reported)
    assert reported["events"] == loaded.world.valid["events"]
    assert sum(line.records_quarantined for line in loaded.first.tables) == len(loaded.world.malformed)


def test_every_raw_row_carries_its_source_file_and_load_id(loaded: Loaded) -> None:
    for dataset, tables in RAW_TABLES.items():
        for table in tables:
            missing = scalar(
                loaded.data_dir,
                f"SELECT count(*) FROM {dataset}.{table} WHERE _source_file IS NULL OR _dlt_load_id IS NULL",
            )
            assert missing == 0, f"{dataset}.{table}"
    files = rows(loaded.data_dir, "SELECT DISTINCT _source_file FROM raw_ga4.events ORDER BY 1")
    assert files == [(f"ga4/events_2026100{d}.jsonl",) for d in (1, 2, 3)]


def test_contacts_keep_their_latest_update(loaded: Loaded) -> None:
    updated = rows(
        loaded.data_dir,
        "SELECT contact_id, updated_at::DATE::VARCHAR FROM raw_crm.contacts WHERE contact_id = '1000000'",
    )
    assert updated == [("1000000", "2026-10-02")]


def test_second_run_of_unchanged_files_loads_nothing(loaded: Loaded) -> None:
    assert loaded.second.tables == []
    assert scalar(loaded.data_dir, "SELECT count(*) FROM raw_ga4.events") == loaded.world.valid["events"]


def test_load_packages_are_deleted_once_loaded(loaded: Loaded) -> None:
    working = pipelines_dir(loaded.data_dir)
    data_files = [
        p for p in working.rglob("*") if p.suffix in (".parquet", ".gz", ".jsonl", ".insert_values")
    ]
    assert data_files == []
    for name in DATASETS:
        loaded_packages = working / f"parcours_{name}" / "load" / "loaded"
        assert not loaded_packages.exists() or not any(loaded_packages.iterdir())


def test_staging_datasets_are_emptied_after_merge(loaded: Loaded) -> None:
    assert scalar(loaded.data_dir, "SELECT count(*) FROM raw_crm_staging.contacts") == 0
    assert scalar(loaded.data_dir, "SELECT count(*) FROM restricted_crm_staging.contacts") == 0


def test_no_state_is_written_in_the_working_directory(loaded: Loaded) -> None:
    assert not (Path.cwd() / ".dlt").exists()


def test_tables_written_lists_every_table_each_pipeline_created(loaded: Loaded) -> None:
    for name, dataset in DATASETS.items():
        created = {
            table
            for (table,) in rows(
                loaded.data_dir,
                "SELECT table_name FROM information_schema.tables "
                f"WHERE table_schema = '{dataset}' AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'",
            )
        }
        assert created == set(tables_written(name)), name


def test_every_table_exists_with_its_columns_even_when_a_source_has_no_rows(tmp_path: Path) -> None:
    import duckdb

    from ingestion.pipelines import run_ingestion
    from parcours.paths import DataDir

    data = DataDir(tmp_path / "home").ensure()
    (data.landing / "crm").mkdir(parents=True)
    (data.landing / "crm" / "campaigns.jsonl").write_text("", encoding="utf-8")
    run_ingestion(data, sources=["crm", "pos"])
    with duckdb.connect(str(data.warehouse), read_only=True) as connection:
        for pipeline_name in ("crm", "pos", "crm_restricted"):
            dataset = DATASETS[pipeline_name]
            for table in tables_written(pipeline_name):
                columns = connection.execute(
                    "select count(*) from information_schema.columns "
                    "where table_schema = ? and table_name = ?",
                    [dataset, table],
                ).fetchone()
                assert columns and columns[0] > 2, f"{dataset}.{table} missing or untyped"
            quarantined = connection.execute(f"select count(*) from {dataset}.quarantine").fetchone()
            assert quarantined == (0,)
