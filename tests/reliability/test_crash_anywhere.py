"""Point 2: ``parcours run`` killed during ``dbt build`` and during publish, then run again.

A fresh data directory gets the shared world's landing zone and, as the snapshot the app
serves, a copy of the first build's published snapshot (S0). ``parcours run``'s whole process
group (the command, Dagster and dbt) then gets SIGKILL twice: while dbt builds the marts (its
first mart model has started, so the incremental identity registry and sessionised events are
committed while the marts reading them are not), then while the publish step writes the new
snapshot file. A third run completes. After each kill the warehouse opens cleanly, the raw
tables hold every record exactly once, and the app's pointer still names S0, readable and
consistent: no half-written snapshot is ever named. In the end raw, intermediate and marts
equal, hash for hash, those of the uninterrupted build of the same world (``builds.first``),
so no incremental model skipped data the killed runs had not built, and the killed publish's
leftover files are gone.

Kills are triggered by watching the file system, not by a hook in the product: dbt writes
each model's SQL under ``target/<invocation>/run/`` as it starts the model, and the
publish step writes ``serving/.snapshot_*.duckdb.partial`` until the snapshot is complete.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.environment import DBT_PROJECT_DIR, executable
from parcours.paths import DataDir
from parcours.serving import Snapshot, current_snapshot, partial_snapshots
from tests.reliability.conftest import RUN_TIME_COLUMNS, Builds, query, table_hashes
from tests.reliability.snapshot_reader import read_once

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

RAW_SCHEMAS = ("raw_crm", "raw_ga4", "raw_pos", "raw_social", "restricted_crm", "restricted_pos")
BUILT_SCHEMAS = ("intermediate", "marts")
# dlt's row ids are random; the rest of a raw row is the record as loaded.
RAW_SKIPPED_COLUMNS = RUN_TIME_COLUMNS | {"_dlt_id"}
KILL_DEADLINE_S = 900.0
POLL_S = 0.002


def _start_run(data: DataDir) -> subprocess.Popen[bytes]:
    """``parcours run`` in a process group of its own, so that one signal reaches dbt too."""
    environment = {**os.environ, "PARCOURS_HOME": str(data.root), "DAGSTER_HOME": str(data.dagster_home)}
    return subprocess.Popen(
        [executable("parcours"), "--data-dir", str(data.root), "run"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _kill_group_when(data: DataDir, reached: Callable[[], bool]) -> None:
    """Run the pipeline and SIGKILL its whole process group the moment ``reached()`` holds."""
    process = _start_run(data)
    deadline = time.monotonic() + KILL_DEADLINE_S
    try:
        while not reached():
            assert process.poll() is None, f"the run ended (exit {process.returncode}) before the kill"
            assert time.monotonic() < deadline, "the run never reached the point of the kill"
            time.sleep(POLL_S)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    _wait_until_group_is_gone(process.pid)


def _wait_until_group_is_gone(group: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes of group {group} outlived SIGKILL")


def _dbt_started_a_mart(known: set[str]) -> Callable[[], bool]:
    """True once a new dbt invocation of this run has started building a model under marts/."""

    def reached() -> bool:
        for invocation in DBT_PROJECT_DIR.joinpath("target").glob("dbt_build-*"):
            if invocation.name not in known and any(invocation.glob("run/parcours/models/marts/**/*.sql")):
                return True
        return False

    return reached


def _publishing(data: DataDir) -> Callable[[], bool]:
    return lambda: bool(partial_snapshots(data.serving))


def _assert_warehouse_opens_cleanly(data: DataDir) -> None:
    with duckdb.connect(str(data.warehouse)) as connection:  # read-write, as the next run opens it
        rows = connection.execute("select schema_name from duckdb_schemas()").fetchall()
        schemas = {row[0] for row in rows}
        assert "raw_ga4" in schemas
        assert connection.execute("select count(*) from raw_ga4.events").fetchone()[0] > 0  # type: ignore[index]


def _dbt_leftovers(warehouse: Path) -> list[tuple[str, str]]:
    return query(
        warehouse,
        "select table_schema, table_name from information_schema.tables "
        "where table_name like '%\\_\\_dbt\\_%' escape '\\' order by all",
    )


@dataclass
class AfterKill:
    """What a kill left: the pointer, a read of the app's KPIs, partial snapshot files, raw tables."""

    pointer: Snapshot | None
    read: dict[str, object]
    partial_files: list[str]
    raw: dict[str, tuple[int, str]]


@dataclass
class Crashes:
    """The crashed data directory, the snapshot it served before, what each kill left, the re-run."""

    data: DataDir
    served_before: Snapshot
    in_dbt: AfterKill
    in_publish: AfterKill
    rerun_exit_code: int


def _observe(data: DataDir) -> AfterKill:
    _assert_warehouse_opens_cleanly(data)
    return AfterKill(
        pointer=current_snapshot(data.serving),
        read=read_once(data.serving),
        partial_files=[path.name for path in partial_snapshots(data.serving)],
        raw=table_hashes(data.warehouse, RAW_SCHEMAS, RAW_SKIPPED_COLUMNS),
    )


@pytest.fixture(scope="module")
def crashes(builds: Builds, tmp_path_factory: pytest.TempPathFactory) -> Crashes:
    """The shared world killed in dbt, killed in publish, then run to the end."""
    data = DataDir(tmp_path_factory.mktemp("crash") / "home").ensure()
    shutil.copytree(builds.landing, data.landing, dirs_exist_ok=True)
    shutil.copytree(builds.first.data.serving, data.serving, dirs_exist_ok=True)
    served_before = current_snapshot(data.serving)
    assert served_before is not None
    known = {path.name for path in DBT_PROJECT_DIR.joinpath("target").glob("dbt_build-*")}
    _kill_group_when(data, _dbt_started_a_mart(known))
    in_dbt = _observe(data)
    _kill_group_when(data, _publishing(data))
    in_publish = _observe(data)
    rerun_exit_code = _start_run(data).wait(timeout=KILL_DEADLINE_S)
    return Crashes(data, served_before, in_dbt, in_publish, rerun_exit_code)


def test_a_kill_during_dbt_build_leaves_the_previous_snapshot_served(crashes: Crashes) -> None:
    assert crashes.in_dbt.pointer == crashes.served_before
    assert crashes.in_dbt.read["snapshot"] == crashes.served_before.file, crashes.in_dbt.read
    assert crashes.in_dbt.read["consistent"], crashes.in_dbt.read


def test_a_kill_during_publish_leaves_the_previous_snapshot_served(crashes: Crashes) -> None:
    assert crashes.in_publish.partial_files, "the kill came before or after the snapshot file was written"
    assert crashes.in_publish.pointer == crashes.served_before
    assert crashes.in_publish.read["snapshot"] == crashes.served_before.file, crashes.in_publish.read
    assert crashes.in_publish.read["consistent"], crashes.in_publish.read


def test_raw_holds_every_record_exactly_once_after_each_kill(builds: Builds, crashes: Crashes) -> None:
    uninterrupted = table_hashes(builds.first.data.warehouse, RAW_SCHEMAS, RAW_SKIPPED_COLUMNS)
    assert sum(count for count, _ in uninterrupted.values()) > 1000
    assert crashes.in_dbt.raw == uninterrupted
    assert crashes.in_publish.raw == uninterrupted


def test_the_rerun_after_the_kills_equals_an_uninterrupted_build(builds: Builds, crashes: Crashes) -> None:
    assert crashes.rerun_exit_code == 0
    for schemas, skip in ((RAW_SCHEMAS, RAW_SKIPPED_COLUMNS), (BUILT_SCHEMAS, RUN_TIME_COLUMNS)):
        uninterrupted = table_hashes(builds.first.data.warehouse, schemas, skip)
        rerun = table_hashes(crashes.data.warehouse, schemas, skip)
        assert set(rerun) == set(uninterrupted)
        differing = sorted(name for name in uninterrupted if uninterrupted[name] != rerun[name])
        assert not differing, differing
    assert not _dbt_leftovers(crashes.data.warehouse)


def test_the_rerun_publishes_a_complete_snapshot_and_removes_the_partial_one(
    builds: Builds, crashes: Crashes
) -> None:
    published = current_snapshot(crashes.data.serving)
    assert published is not None and published.file != crashes.served_before.file
    uninterrupted = current_snapshot(builds.first.data.serving)
    assert uninterrupted is not None and published.tables == uninterrupted.tables
    read = read_once(crashes.data.serving)
    assert read["snapshot"] == published.file and read["consistent"], read
    assert not partial_snapshots(crashes.data.serving)
