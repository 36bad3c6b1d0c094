"""The landing sensor asks for a run when files land, and only then."""

from __future__ import annotations

import dagster as dg

from parcours.paths import DataDir


def test_sensor_requests_one_run_per_new_state_of_the_landing_zone(data_dir: DataDir) -> None:
    from orchestration.defs.automation import new_landing_files

    empty = new_landing_files(dg.build_sensor_context(cursor=None))
    assert isinstance(empty, dg.SensorResult) and not empty.run_requests

    (data_dir.landing / "crm").mkdir(parents=True)
    (data_dir.landing / "crm" / "campaigns.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    first = new_landing_files(dg.build_sensor_context(cursor=None))
    assert isinstance(first, dg.SensorResult) and len(first.run_requests or []) == 1

    unchanged = new_landing_files(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(unchanged, dg.SensorResult) and not unchanged.run_requests

    (data_dir.landing / "crm" / "campaigns.jsonl").write_text('{"id": 1}\n{"id": 2}\n', encoding="utf-8")
    rewritten = new_landing_files(dg.build_sensor_context(cursor=first.cursor))
    assert isinstance(rewritten, dg.SensorResult) and len(rewritten.run_requests or []) == 1
