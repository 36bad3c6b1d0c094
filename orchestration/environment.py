"""The one place that decides where things are: data directory, dbt project, Dagster instance.

Everything reads the data directory from ``$PARCOURS_HOME`` (set by the ``parcours``
command), so the same definitions serve ``parcours run``, ``parcours ui`` and tests
running against a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from parcours.engine import MEMORY_LIMIT_ENV_VAR, memory_limit
from parcours.paths import HOME_ENV_VAR, DataDir, resolve_data_dir

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPOSITORY_ROOT / "dbt_project"
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
#: The production ``dbt build``: every model, seed and data test, but no dbt unit test. A unit
#: test checks a model's SQL on fixed inputs, so its result depends on the code only, never on
#: the data: CI runs every one (tests/dbt/test_unit_tests.py), and running them again on each
#: daily build cost 15-30 thread-seconds of a 10k build for no new information.
DBT_BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test")
DBT_SOURCES = ("models", "macros", "seeds", "snapshots", "tests", "dbt_project.yml", "profiles.yml")

INSTANCE_YAML_HEADER = "# Written by Parcours"
#: Dagster's own SQLite layout under the data directory, its event log through
#: :class:`orchestration.instance_storage.PooledSqliteEventLogStorage` (same files, connections
#: kept open: storing a run's events one file open per event took a third of the run).
DAGSTER_INSTANCE_YAML = f"""\
{INSTANCE_YAML_HEADER}: local storage under the data directory, no telemetry.
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
event_log_storage:
  module: orchestration.instance_storage
  class: PooledSqliteEventLogStorage
"""


def data_dir() -> DataDir:
    """The data directory of this process (``$PARCOURS_HOME`` or ``./data``), with its folders."""
    return resolve_data_dir().ensure()


def executable(name: str) -> str:
    """Path of a console script installed next to this Python (the venv may not be on PATH)."""
    return str(Path(sys.executable).with_name(name))


def prepare_dagster_home(data: DataDir) -> Path:
    """Point ``DAGSTER_HOME`` at the data directory and write its instance settings.

    Settings Parcours wrote earlier are brought up to date; a ``dagster.yaml`` someone
    wrote by hand (no Parcours header) is left alone.
    """
    home = data.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    current = settings.read_text(encoding="utf-8") if settings.exists() else None
    if current is None or (current.startswith(INSTANCE_YAML_HEADER) and current != DAGSTER_INSTANCE_YAML):
        settings.write_text(DAGSTER_INSTANCE_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def dbt_environment(data: DataDir) -> dict[str, str]:
    """Environment variables the dbt profile reads."""
    return {HOME_ENV_VAR: str(data.root), MEMORY_LIMIT_ENV_VAR: memory_limit(), "DO_NOT_TRACK": "1"}


def ensure_dbt_manifest() -> Path:
    """Run ``dbt parse`` when the manifest is missing or older than any file of the dbt project.

    dagster-dbt needs ``manifest.json`` before definitions load; parsing costs a few
    seconds, so it is skipped when nothing changed.
    """
    if DBT_MANIFEST.exists() and DBT_MANIFEST.stat().st_mtime >= _newest_dbt_source_mtime():
        return DBT_MANIFEST
    subprocess.run(
        [
            executable("dbt"),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        check=True,
        env={**os.environ, **dbt_environment(resolve_data_dir())},
    )
    return DBT_MANIFEST


def _newest_dbt_source_mtime() -> float:
    newest = 0.0
    for name in DBT_SOURCES:
        path = DBT_PROJECT_DIR / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(item.stat().st_mtime for item in files if item.is_file())])
    return newest
