"""GA4 default channel grouping in the dbt project, built against a throw-away DuckDB.

Runs dbt in process (dbtRunner) on the seeds, the example model, its data tests and its unit
test, with PARCOURS_HOME pointing at a temporary folder, and checks that the project parses
without deprecation warnings (generic test inputs under ``arguments:`` etc.).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dbt.artifacts.schemas.run import RunExecutionResult
from dbt.cli.main import dbtRunner, dbtRunnerResult

from parcours.paths import HOME_ENV_VAR, DataDir

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
CHANNEL_GROUPING_SELECTION = [
    "ga4_source_categories",
    "channel_group_examples",
    "util_default_channel_group_examples",
]


@dataclass
class DbtRun:
    """Result of one dbt invocation with the events it logged."""

    result: dbtRunnerResult
    events: list[Any] = field(default_factory=list)

    def warnings(self) -> list[str]:
        """Name and message of every warning or error event."""
        return [f"{e.info.name}: {e.info.msg}" for e in self.events if e.info.level in ("warn", "error")]

    def statuses(self) -> dict[str, str]:
        """Status of every node the invocation ran, by node name."""
        assert isinstance(self.result.result, RunExecutionResult), self.result.exception
        return {r.node.name: str(r.status) for r in self.result.result.results}


def _invoke(args: list[str], work_dir: Path) -> DbtRun:
    events: list[Any] = []
    runner = dbtRunner(callbacks=[events.append])
    result = runner.invoke(
        [
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(work_dir / "target"),
            "--log-path",
            str(work_dir / "logs"),
        ]
    )
    return DbtRun(result=result, events=events)


@pytest.fixture(scope="module")
def dbt_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = DataDir(tmp_path_factory.mktemp("parcours_home")).ensure().root
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV_VAR, str(home))
        patch.delenv("PARCOURS_WAREHOUSE", raising=False)
        patch.setenv("DO_NOT_TRACK", "1")
        patch.setenv("PARCOURS_DUCKDB_MEMORY_LIMIT", "1GB")
        patch.setenv("PARCOURS_DBT_THREADS", "2")
        yield home


@pytest.fixture(scope="module")
def channel_grouping_build(dbt_home: Path) -> DbtRun:
    return _invoke(["build", "--select", *CHANNEL_GROUPING_SELECTION], dbt_home / "build")


@pytest.mark.timeout(120)
def test_channel_grouping_build_succeeds_in_a_fresh_warehouse(channel_grouping_build: DbtRun) -> None:
    result = channel_grouping_build.result
    assert result.success, f"dbt build failed: {result.exception or channel_grouping_build.warnings()}"
    failed = {
        name: status
        for name, status in channel_grouping_build.statuses().items()
        if status not in ("success", "pass")
    }
    assert failed == {}


def test_the_profile_takes_its_thread_count_from_the_environment(channel_grouping_build: DbtRun) -> None:
    concurrency = [e.info.msg for e in channel_grouping_build.events if e.info.name == "ConcurrencyLine"]
    assert concurrency and "Concurrency: 2 threads" in concurrency[0]


@pytest.mark.timeout(120)
def test_every_channel_example_and_the_unit_test_are_checked(channel_grouping_build: DbtRun) -> None:
    ran = channel_grouping_build.statuses()
    for check in (
        "assert_default_channel_group_matches_examples",
        "assert_channel_group_examples_cover_every_channel",
        "test_default_channel_group_follows_google_rule_order",
    ):
        assert ran.get(check) == "pass", f"{check} did not pass: {ran.get(check)}"


@pytest.mark.timeout(120)
def test_project_parses_without_deprecation_warnings(dbt_home: Path) -> None:
    run = _invoke(["parse", "--show-all-deprecations", "--no-partial-parse"], dbt_home / "parse")
    assert run.result.success, run.result.exception
    deprecations = [w for w in run.warnings() if "Deprecat" in w]
    assert deprecations == []
