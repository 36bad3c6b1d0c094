"""Great Expectations suites are written in the project and guard real assets."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from orchestration.defs.quality import SuiteFile, load_suites, read_frames, validate
from parcours.paths import DataDir


def test_every_suite_guards_an_asset_of_the_graph(data_dir: DataDir) -> None:
    from orchestration.definitions import defs

    keys = defs.resolve_asset_graph().get_all_asset_keys()
    suites = load_suites()
    assert {suite.name for suite in suites} >= {"raw_crm__contacts", "raw_ga4__events", "raw_pos__orders"}
    for suite in suites:
        assert suite.asset_key in keys, suite.name


def test_the_contacts_suite_rejects_clear_emails_and_duplicate_keys() -> None:
    suite = next(suite for suite in load_suites() if suite.name == "raw_crm__contacts")
    good = pd.DataFrame(
        {
            "contact_id": ["1", "2"],
            "email_hash": ["a" * 64, None],
            "phone_hash": [None, "b" * 64],
            "consent_analytics": ["granted", "denied"],
            "consent_email": ["denied", None],
        }
    )
    assert validate(suite, [good])[0]
    bad = good.assign(contact_id=["1", "1"], email_hash=pd.Series(["marie@example.com", None]))
    passed, details, _ = validate(suite, [bad])
    assert not passed
    failed = {name for name, result in details.items() if not result["passed"]}
    assert failed == {
        "expect_column_values_to_be_unique(contact_id)",
        "expect_column_values_to_match_regex(email_hash)",
    }


def _suite(name: str) -> SuiteFile:
    return next(suite for suite in load_suites() if suite.name == name)


def _events_warehouse(tmp_path: Path, events: int, unknown_names: int) -> Path:
    """raw_ga4.events: an older load, and a latest one with two rows sharing event ``e7``."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create schema raw_ga4")
        connection.execute(
            f"""create table raw_ga4.events as
            select
                case when i = {events} then 'e7' else 'e' || i end as event_id,
                'cookie' || (i % 50) as user_pseudo_id,
                1700000000000000 + i as event_timestamp,
                case when i < {unknown_names} then 'made_up_event' else 'page_view' end as event_name,
                'granted' as privacy_info_analytics_storage,
                '2' as _dlt_load_id
            from range({events} + 1) as t(i)
            union all
            select 'old' || i, 'cookie', 1, 'page_view', 'granted', '1' from range(500) as t(i)"""
        )
    return warehouse


def test_a_relation_read_in_batches_keeps_each_key_in_one_batch(tmp_path: Path) -> None:
    suite = _suite("raw_ga4__events")
    warehouse = _events_warehouse(tmp_path, events=1_000, unknown_names=0)
    frames = list(read_frames(suite, warehouse, batch_rows=100))
    assert len(frames) == 11  # 1,001 rows of the latest load, none of the older one
    assert sum(len(frame) for frame in frames) == 1_001
    passed, details, rows = validate(suite, frames)
    assert (passed, rows) == (False, 1_001)
    assert details["expect_column_values_to_be_unique(event_id)"] == {"passed": False, "unexpected": 2}


def test_mostly_is_judged_on_all_batches_together(tmp_path: Path) -> None:
    """7 unknown event names in 1,001 rows pass ``mostly: 0.99``, though one batch alone would not."""
    suite = _suite("raw_ga4__events")
    warehouse = _events_warehouse(tmp_path, events=1_000, unknown_names=7)
    frames = list(read_frames(suite, warehouse, batch_rows=100))
    assert any(frame["event_name"].eq("made_up_event").mean() > 0.01 for frame in frames)
    details = validate(suite, frames)[1]
    assert details["expect_column_values_to_be_in_set(event_name)"] == {"passed": True, "unexpected": 7}
    warehouse.unlink()
    warehouse = _events_warehouse(tmp_path, events=1_000, unknown_names=20)
    details = validate(suite, read_frames(suite, warehouse, batch_rows=100))[1]
    assert details["expect_column_values_to_be_in_set(event_name)"] == {"passed": False, "unexpected": 20}
