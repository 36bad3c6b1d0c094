"""dbt against the project, with a test's own target folder (shared by the dbt tests)."""

from __future__ import annotations

from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def dbt_args(args: list[str], target: Path) -> list[str]:
    """``args`` followed by the project, profiles, target and log folders, quiet."""
    return [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        "--quiet",
    ]


def invoke_dbt(args: list[str], target: Path) -> dbtRunnerResult:
    """Run dbt in process (the data directory comes from the environment)."""
    return dbtRunner().invoke(dbt_args(args, target))
