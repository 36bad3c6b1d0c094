"""Point 11: under a small DuckDB memory limit a build finishes by spilling, or fails clearly.

The second build of the shared world runs the whole pipeline under ``PARCOURS_DUCKDB_MEMORY_LIMIT``
= 128MB and must publish, with tables identical to the unlimited first build
(tests/reliability/test_determinism.py). Below what a build needs at all (16MB), ``dbt build``
must stop with DuckDB's out-of-memory error naming the limit, and exit with an error code: never
a process killed by the kernel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from parcours.paths import HOME_ENV_VAR, DataDir
from tests.reliability.conftest import MEMORY_LIMIT_VAR, REPOSITORY_ROOT, SMALL_MEMORY_LIMIT, Builds

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def test_a_full_run_under_a_small_memory_limit_publishes(builds: Builds) -> None:
    assert SMALL_MEMORY_LIMIT == "128MB"
    assert builds.second.summary.success and builds.second.summary.published, builds.second.summary.render()


def test_a_build_below_its_memory_needs_fails_with_a_clear_message(builds: Builds, tmp_path: Path) -> None:
    data = DataDir(tmp_path / "home").ensure()
    shutil.copyfile(builds.first.data.warehouse, data.warehouse)
    dbt = str(Path(sys.executable).with_name("dbt"))
    project = str(REPOSITORY_ROOT / "dbt_project")
    paths = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    result = subprocess.run(
        [dbt, "build", "--full-refresh", "--project-dir", project, "--profiles-dir", project, *paths],
        env={**os.environ, HOME_ENV_VAR: str(data.root), MEMORY_LIMIT_VAR: "16MB", "DO_NOT_TRACK": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:])
    assert "Out of Memory Error" in result.stdout
    assert "memory_limit" in result.stdout or "memory limit" in result.stdout
