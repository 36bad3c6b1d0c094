"""The data-health page, run by Streamlit's AppTest against real snapshot files."""

from __future__ import annotations

from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from parcours.paths import DataDir
from parcours.serving import publish_snapshot, record_publish_attempt

APP = str(Path(__file__).resolve().parents[2] / "apps" / "app.py")


def _publish(data: DataDir, quarantined: int) -> None:
    with duckdb.connect(str(data.warehouse)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.fct_source_reconciliation as select * from (values "
            f"('pos', 'orders', 100, {100 - quarantined}, {quarantined}), ('crm', 'contacts', 50, 50, 0)) "
            "as t(source, table_name, records_read, records_loaded, records_quarantined)"
        )
    checks: list[dict[str, object]] = [
        {"asset": "stg_pos__orders", "check": "unique_order_id", "passed": True, "severity": "ERROR"}
    ]
    publish_snapshot(data.warehouse, data.serving, run_id="run-1", freshness={"raw_pos": None}, checks=checks)


def test_without_a_snapshot_the_page_says_which_command_to_run(data_dir: DataDir) -> None:
    app = AppTest.from_file(APP, default_timeout=30).switch_page("views/data_health.py").run()
    assert not app.exception
    assert any("parcours run" in info.value for info in app.info)


def test_the_page_shows_reconciliation_from_the_snapshot(data_dir: DataDir) -> None:
    _publish(data_dir, quarantined=3)
    app = AppTest.from_file(APP, default_timeout=30).switch_page("views/data_health.py").run()
    assert not app.exception
    reconciliation = app.dataframe[-1].value
    assert reconciliation.set_index("table_name").loc["orders", "records_quarantined"] == 3
    assert app.metric[0].value == "1 / 1"


def test_a_refused_publish_is_explained_and_the_previous_snapshot_stays(data_dir: DataDir) -> None:
    _publish(data_dir, quarantined=0)
    record_publish_attempt(data_dir.serving, "run-2", published=False, reason="check unique_order_id failed")
    app = AppTest.from_file(APP, default_timeout=30).switch_page("views/data_health.py").run()
    assert not app.exception
    assert any("unique_order_id" in error.value for error in app.error)
    assert app.dataframe[-1].value["records_read"].sum() == 150
