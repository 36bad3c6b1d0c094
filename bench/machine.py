"""Facts about the machine and the code a benchmark ran on, taken when it starts."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from parcours.engine import memory_limit, physical_memory_bytes

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
#: The packages whose versions a result names.
PACKAGES = (
    *("duckdb", "dlt", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt", "great-expectations"),
    *("pyarrow", "pandas", "streamlit", "psutil"),
)


def machine_facts() -> dict[str, object]:
    """Cores, memory and DuckDB's limit, load, OS, Python, key package versions, commit (call it first)."""
    return {
        "cores": os.cpu_count(),
        "memory_gb": round((physical_memory_bytes() or 0) / 1024**3, 1),
        "duckdb_memory_limit": memory_limit(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in PACKAGES},
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain")),
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=REPOSITORY_ROOT, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip()
