"""Pipeline runs: the warehouse is kept open for a run only (warehouse_kept_open); sources side by side."""

from __future__ import annotations

import threading

import dlt
import duckdb
import pytest

from ingestion.pipelines import make_pipeline, run_concurrently, run_pipeline, warehouse_kept_open
from parcours.paths import DataDir


def _open_with_another_config(data_dir: DataDir) -> None:
    """Raises while this process holds the warehouse open under a different configuration."""
    duckdb.connect(str(data_dir.warehouse), config={"threads": 1}).close()


def test_the_warehouse_is_held_open_during_the_block_and_released_after(data_dir: DataDir) -> None:
    pipeline = make_pipeline("social", data_dir)
    with warehouse_kept_open(pipeline), pytest.raises(duckdb.ConnectionException):
        _open_with_another_config(data_dir)
    _open_with_another_config(data_dir)


def test_a_pipeline_run_leaves_no_connection_to_the_warehouse(data_dir: DataDir) -> None:
    pipeline = make_pipeline("social", data_dir)
    rows = dlt.resource([{"id": 1}, {"id": 2}], name="probe")
    run_pipeline(pipeline, rows)
    _open_with_another_config(data_dir)
    with duckdb.connect(str(data_dir.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_social.probe").fetchone() == (2,)


def test_sources_run_side_by_side_return_in_task_order_and_raise_after_all_finished() -> None:
    both_running = threading.Barrier(2, timeout=10)  # passes only when the two tasks overlap
    finished: list[str] = []

    def task(name: str, fail: bool = False) -> str:
        both_running.wait()
        if fail:
            raise ValueError(name)
        finished.append(name)
        return name

    assert run_concurrently([lambda: task("crm"), lambda: task("pos")]) == ["crm", "pos"]
    finished.clear()
    with pytest.raises(ValueError, match="crm"):
        run_concurrently([lambda: task("crm", fail=True), lambda: task("pos")])
    assert finished == ["pos"]
    assert run_concurrently([lambda: "alone"], workers=1) == ["alone"]
