"""A load killed mid-way (SIGKILL: extract, normalize, load) and run again loads every record exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ingestion import ensure_pii_key, ga4_source, run_ingestion
from ingestion.pipelines import make_pipeline, pipelines_dir
from parcours.paths import DataDir
from tests.ingestion.conftest import scalar
from tests.ingestion.world import write_world

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import sys
import time
from pathlib import Path

from dlt.common.storages.load_storage import LoadStorage
from dlt.pipeline.pipeline import Pipeline

from ingestion import run_ingestion
from parcours.paths import DataDir

commit_normalized = LoadStorage.commit_new_load_package
load = Pipeline.load


def commit_a_second_later(*args, **kwargs):
    # a small package normalizes between two polls of the test: its jobs wait a second in
    # load/new, where the kill during normalize looks for them
    time.sleep(1)
    return commit_normalized(*args, **kwargs)


def load_a_second_later(*args, **kwargs):
    # without the wait, on a quiet machine a normalized package could pass to its load between
    # two polls of the test, and the load finish unkilled
    time.sleep(1)
    return load(*args, **kwargs)


LoadStorage.commit_new_load_package = commit_a_second_later
Pipeline.load = load_a_second_later
run_ingestion(DataDir(Path(sys.argv[1])), sources=["ga4"])
"""


def _extracting(working: Path) -> bool:
    return any(working.glob("parcours_ga4/normalize/extracted/*/new_jobs/*"))


def _normalizing(working: Path) -> bool:
    return any(working.glob("parcours_ga4/load/new/*/new_jobs/*"))


def _loading(working: Path) -> bool:
    return any(working.glob("parcours_ga4/load/normalized/*/started_jobs/*")) or any(
        working.glob("parcours_ga4/load/normalized/*/completed_jobs/*")
    )


def _kill_when(data_dir: DataDir, reached: Callable[[Path], bool]) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", RUN, str(data_dir.root)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while not reached(pipelines_dir(data_dir)):
            assert process.poll() is None, "the load finished before it could be killed"
            assert time.monotonic() < deadline, "the load never reached the stage to kill"
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


@pytest.mark.reliability
@pytest.mark.parametrize(
    "stage",
    [_extracting, _normalizing, _loading],
    ids=["during_extract", "during_normalize", "during_load"],
)
def test_killed_load_rerun_loads_every_record_exactly_once(
    data_dir: DataDir, stage: Callable[[Path], bool]
) -> None:
    world = write_world(data_dir.landing, customers=50, days=3, ga4_events_per_day=12_000)
    _kill_when(data_dir, stage)
    run_ingestion(data_dir, sources=["ga4"])
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4.events") == world.valid["events"]
    assert scalar(data_dir, "SELECT count(DISTINCT event_id) FROM raw_ga4.events") == world.valid["events"]
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4.event_params") == world.valid["event_params"]
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4.quarantine") == world.quarantined("ga4/")
    assert scalar(data_dir, "SELECT count(*), count(DISTINCT source_file) FROM raw_ga4.reconciliation") == 3


@pytest.mark.reliability
@pytest.mark.parametrize("recorded", [False, True], ids=["outcome_unrecorded", "outcome_recorded"])
def test_an_append_committed_just_before_a_kill_is_loaded_exactly_once(
    data_dir: DataDir, recorded: bool
) -> None:
    """The kill lands after DuckDB committed an append job, before (or after) dlt recorded it.

    Staged without timing: a package of a new GA4 day is extracted and normalized, its quarantine
    job is appended to the warehouse and left started, as a kill at that moment leaves it.
    """
    world = write_world(data_dir.landing, customers=8, days=3, ga4_events_per_day=200)
    last_day = sorted(data_dir.landing.glob("ga4/events_*.jsonl"))[-1]
    held_back = last_day.rename(data_dir.root / last_day.name)
    run_ingestion(data_dir, sources=["ga4"])
    held_back.rename(last_day)
    pipeline = make_pipeline("ga4", data_dir)
    pipeline.extract(ga4_source(landing_url=str(data_dir.landing), pii_key=ensure_pii_key(data_dir)))
    pipeline.normalize()
    (load_id,) = pipeline.list_normalized_load_packages()
    package = Path(pipeline.working_dir) / "load" / "normalized" / load_id
    (job,) = package.glob("new_jobs/quarantine.*.parquet")
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name("quarantine")
        client.execute_sql(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet('{job}')")
    job.rename(package / "started_jobs" / job.name)
    if recorded:
        (package / ".pending_transitions").mkdir(exist_ok=True)
        (package / ".pending_transitions" / job.name).write_text(
            '{"state": "completed", "failed_message": null}'
        )
    run_ingestion(data_dir, sources=["ga4"])
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4.quarantine") == world.quarantined("ga4/")
    assert scalar(data_dir, "SELECT count(*) FROM raw_ga4.events") == world.valid["events"]
    assert scalar(data_dir, "SELECT count(*), count(DISTINCT source_file) FROM raw_ga4.reconciliation") == 3
