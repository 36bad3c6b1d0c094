"""Each DuckDB engine of Parcours runs under ``PARCOURS_DUCKDB_MEMORY_LIMIT``, spilling in the data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.pipelines import make_pipeline
from orchestration.environment import DBT_PROJECT_DIR, dbt_environment
from parcours import engine
from parcours.paths import DataDir

BIG_TABLE = "create temp table big as select range as i, md5(range::varchar) as h from range(2000000)"
LIMIT_SQL = "select current_setting('memory_limit'), current_setting('temp_directory')"


def test_the_memory_limit_applies_to_in_memory_and_file_engines(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV_VAR, "100MB")
    with engine.connect() as connection:
        limit, spill = connection.execute(LIMIT_SQL).fetchone()  # type: ignore[misc]
    assert limit == "95.3 MiB"  # DuckDB shows 100MB (decimal) in binary units
    assert Path(spill).parent == data_dir.tmp / engine.SPILL_FOLDER
    with engine.connect(data_dir.warehouse) as connection:
        limit, spill = connection.execute(LIMIT_SQL).fetchone()  # type: ignore[misc]
    assert (limit, spill) == ("95.3 MiB", f"{data_dir.warehouse}.tmp")


def test_no_engine_draws_a_progress_bar(data_dir: DataDir) -> None:
    # a long query (publish copying the marts) drew DuckDB's bar into the pipeline's output; in a
    # process of its own: under pytest's captured output DuckDB turns the bar off by itself
    script = (
        "import sys; from parcours import engine\n"
        "for database in (engine.IN_MEMORY, sys.argv[1]):\n"
        "    with engine.connect(database) as connection:\n"
        "        print(connection.execute(\"select current_setting('enable_progress_bar')\").fetchone())\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script, str(data_dir.warehouse)], capture_output=True, text=True, check=True
    )
    assert shown.stdout.split("\n") == ["(False,)", "(False,)", ""]


def test_without_the_variable_the_limit_is_a_quarter_of_the_machine_and_dbt_gets_it(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(engine.MEMORY_LIMIT_ENV_VAR, raising=False)
    quarter_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4 // 1_000_000
    assert engine.memory_limit() == f"{max(quarter_mb, 4000)}MB"
    assert engine.memory_limit(default="2GB") == "2GB"
    assert dbt_environment(data_dir)[engine.MEMORY_LIMIT_ENV_VAR] == engine.memory_limit()
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    assert "env_var('PARCOURS_DUCKDB_MEMORY_LIMIT', '4GB')" in profile


def test_dlt_loads_into_the_warehouse_under_the_same_limit(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV_VAR, "100MB")
    pipeline = make_pipeline("ga4", data_dir)
    with pipeline.sql_client() as client:
        rows = client.execute_sql(LIMIT_SQL)
    assert rows == [("95.3 MiB", f"{data_dir.warehouse}.tmp")]


def test_a_spill_folder_left_by_a_killed_process_is_removed(data_dir: DataDir) -> None:
    left = data_dir.tmp / engine.SPILL_FOLDER / f"{_dead_pid()}-0"
    left.mkdir(parents=True)
    (left / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    mine = data_dir.tmp / engine.SPILL_FOLDER / f"{os.getpid()}-999"
    mine.mkdir()
    engine.connect().close()
    assert not left.exists() and mine.is_dir()


def test_dead_processes_spill_folders_are_swept_once_per_process(data_dir: DataDir) -> None:
    engine.connect().close()  # this process's sweep
    left = data_dir.tmp / engine.SPILL_FOLDER / f"{_dead_pid()}-0"
    left.mkdir()
    engine.connect().close()
    assert left.is_dir()  # not scanned again on the next connect
    subprocess.run(
        [sys.executable, "-c", "from parcours import engine; engine.connect().close()"],
        check=True,  # $PARCOURS_HOME names data_dir
    )
    assert not left.exists()  # the next process sweeps it


def _dead_pid() -> int:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(dead.stdout)


def test_an_engine_past_its_limit_spills_into_the_data_directory(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV_VAR, "32MB")
    with engine.connect(config={"threads": 1}) as connection:
        connection.execute(BIG_TABLE)
        spilled = connection.execute("select sum(size) from duckdb_temporary_files()").fetchone()
        folder = connection.execute("select current_setting('temp_directory')").fetchone()
        assert spilled is not None and (spilled[0] or 0) > 0
        assert (
            folder is not None and Path(folder[0]).is_dir() and Path(folder[0]).is_relative_to(data_dir.tmp)
        )
    assert not Path(folder[0]).exists()  # DuckDB removes its spill folder on close


def test_an_engine_that_cannot_spill_fails_with_a_clear_out_of_memory_error(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(engine.MEMORY_LIMIT_ENV_VAR, "32MB")
    no_spilling = {"threads": 1, "temp_directory": ""}
    with (
        engine.connect(config=no_spilling) as connection,
        pytest.raises(duckdb.OutOfMemoryException) as error,
    ):
        connection.execute(BIG_TABLE)
    assert "memory_limit" in str(error.value) or "memory limit" in str(error.value)
