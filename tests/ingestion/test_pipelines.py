"""The warehouse is kept open for a pipeline run only (ingestion.pipelines.warehouse_kept_open)."""

from __future__ import annotations

import dlt
import duckdb
import pytest

from ingestion.pipelines import make_pipeline, run_pipeline, warehouse_kept_open
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
