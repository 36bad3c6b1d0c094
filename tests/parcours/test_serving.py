from pathlib import Path

import duckdb
import pytest

from parcours.serving import (
    current_snapshot,
    last_publish_attempt,
    open_snapshot,
    partial_snapshots,
    publish_snapshot,
    record_publish_attempt,
)


def _make_warehouse(path: Path, revenue: int) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create schema if not exists raw_crm")
        connection.execute("create or replace table marts.kpis as select ? as revenue", [revenue])
        connection.execute("create or replace table raw_crm.contacts as select 'secret@example.com' as email")
    return path


def test_publish_copies_only_the_serving_schemas(tmp_path: Path) -> None:
    warehouse = _make_warehouse(tmp_path / "wh.duckdb", revenue=10)
    snapshot = publish_snapshot(warehouse, tmp_path / "serving", run_id="run-1")
    assert snapshot.tables == {"kpis": 1}
    with open_snapshot(tmp_path / "serving") as connection:
        assert connection is not None
        assert connection.execute("select revenue from kpis").fetchone() == (10,)
        tables = {
            row[0]
            for row in connection.execute("select table_name from information_schema.tables").fetchall()
        }
    assert tables == {"kpis"}


def test_publish_copies_only_the_tables_asked_for(tmp_path: Path) -> None:
    warehouse = _make_warehouse(tmp_path / "wh.duckdb", revenue=10)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create table marts.credits as select 1 as credit")
    assert publish_snapshot(warehouse, tmp_path / "serving", run_id="run-1").tables == {
        "kpis": 1,
        "credits": 1,
    }
    snapshot = publish_snapshot(warehouse, tmp_path / "serving", run_id="run-2", tables=["kpis", "contacts"])
    assert snapshot.tables == {"kpis": 1}


def test_a_new_publish_swaps_the_pointer_and_prunes_old_files(tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    for revenue in range(5):
        warehouse = _make_warehouse(tmp_path / "wh.duckdb", revenue=revenue)
        publish_snapshot(warehouse, serving, run_id=f"run-{revenue}")
    current = current_snapshot(serving)
    assert current is not None and current.run_id == "run-4"
    assert len(list(serving.glob("snapshot_*.duckdb"))) == 3
    with open_snapshot(serving) as connection:
        assert connection is not None
        assert connection.execute("select revenue from kpis").fetchone() == (4,)


def test_readers_can_open_a_snapshot_while_the_warehouse_is_held_read_write(tmp_path: Path) -> None:
    warehouse = _make_warehouse(tmp_path / "wh.duckdb", revenue=7)
    publish_snapshot(warehouse, tmp_path / "serving", run_id="run-1")
    with duckdb.connect(str(warehouse)) as writer:
        writer.execute("update marts.kpis set revenue = 8")
        with open_snapshot(tmp_path / "serving") as reader:
            assert reader is not None
            assert reader.execute("select revenue from kpis").fetchone() == (7,)


def test_no_snapshot_yields_none_and_a_refused_publish_is_remembered(tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    with open_snapshot(serving) as connection:
        assert connection is None
    record_publish_attempt(serving, "run-9", published=False, reason="check dim_customers failed")
    attempt = last_publish_attempt(serving)
    assert attempt is not None and not attempt.published and "dim_customers" in attempt.reason
    assert current_snapshot(serving) is None


def test_snapshot_files_are_read_only_for_readers(tmp_path: Path) -> None:
    warehouse = _make_warehouse(tmp_path / "wh.duckdb", revenue=1)
    publish_snapshot(warehouse, tmp_path / "serving", run_id="run-1")
    with open_snapshot(tmp_path / "serving") as connection, pytest.raises(duckdb.Error):
        assert connection is not None
        connection.execute("create table nope as select 1")


def test_the_files_of_a_killed_publish_are_never_named_and_the_next_publish_removes_them(
    tmp_path: Path,
) -> None:
    serving = tmp_path / "serving"
    first = publish_snapshot(_make_warehouse(tmp_path / "wh.duckdb", revenue=1), serving, run_id="run-1")
    # What a publish killed half-way leaves: its snapshot under the hidden partial name, a WAL, spills.
    leftover = serving / ".snapshot_20261130T000000000000_run-2.duckdb.partial"
    with duckdb.connect(str(leftover)) as connection:
        connection.execute("create table kpis as select 2 as revenue")
    Path(f"{leftover}.wal").write_bytes(b"half a log")
    Path(f"{leftover}.tmp").mkdir()
    Path(f"{leftover}.tmp", "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    assert partial_snapshots(serving) and current_snapshot(serving) == first
    with open_snapshot(serving) as connection:
        assert connection is not None and connection.execute("select revenue from kpis").fetchone() == (1,)
    second = publish_snapshot(_make_warehouse(tmp_path / "wh.duckdb", revenue=3), serving, run_id="run-3")
    assert current_snapshot(serving) == second
    assert not partial_snapshots(serving)
    assert sorted(path.name for path in serving.iterdir() if path.name.startswith(".snapshot")) == []


def test_customer_lookup_marts_are_stored_sorted_so_a_lookup_reads_one_row_group(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema marts")
        # 300k touchpoints of 30k customers in shuffled order: 3 row groups of ~123k rows.
        connection.execute(
            """
            create table marts.fct_touchpoints as
            select 't' || lpad(i::varchar, 7, '0') as touchpoint_id,
                   'c' || lpad((i % 30000)::varchar, 5, '0') as customer_key
            from range(300000) as r(i) order by hash(i)
            """
        )
        connection.execute("create table marts.other as select * from marts.fct_touchpoints")
    publish_snapshot(warehouse, tmp_path / "serving", run_id="run-1")
    with open_snapshot(tmp_path / "serving") as snapshot:
        assert snapshot is not None
        stored = [row[0] for row in snapshot.execute("select touchpoint_id from fct_touchpoints").fetchall()]
        expected = snapshot.execute(
            "select touchpoint_id from fct_touchpoints order by customer_key, touchpoint_id"
        ).fetchall()
        assert stored == [row[0] for row in expected]
        plan = snapshot.execute(
            "explain analyze select * from fct_touchpoints where customer_key = ?", ["c01234"]
        ).fetchall()[0][1]
        assert "Row Groups Scanned: 1 / 3" in plan
        assert snapshot.execute("select count(*) from other").fetchone() == (300000,)
