"""Every DuckDB connection of Parcours, opened with the same memory limit and spill folder.

``PARCOURS_DUCKDB_MEMORY_LIMIT`` caps each DuckDB database the pipeline opens: ingestion's
parsing engine, dlt's warehouse destination, dbt (its profile reads the variable, which the
pipeline sets for it), the checks and the publish step. Unset, it is a quarter of this machine's
memory and at least 4GB. A quarter, not a third: the limit covers DuckDB's buffer pool, which a
long dbt build fills with cached tables, not what DuckDB allocates outside it nor the Python
process; at 1M customers on 24 GB dbt's process peaked at 8.9-9.1 GB under a third (8.4 GB) and
at 7.0 GB under a quarter (6.3 GB), for 16-20 % more build time (spills). At least 4GB: the identity
graph's recursive query cannot spill, and at 1M customers it needs more than 4GB. The
app's read-only snapshot instances honour the same variable through
``memory_limit(default=...)``, with a smaller default of their own (2GB). Past the limit DuckDB
spills to disk or, when even that cannot help, raises an ``Out of Memory Error`` that names the
limit: a clear failure instead of a process the kernel kills.

A database file spills into ``<file>.tmp`` next to it (DuckDB's default, which dbt relies on
too: DuckDB refuses to set ``temp_directory`` again once a query has spilled). An in-memory
engine spills into its own folder under ``<data dir>/tmp/duckdb``, never into the working
directory; DuckDB removes that folder when the engine closes, and a folder left by a killed
process is removed by the next process that opens an in-memory engine (once per process and
spill folder: the scan is not repeated on every connect). None draws DuckDB's progress bar: a
long query (a publish copying the marts) would draw it into the pipeline's output and logs.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from parcours.paths import resolve_data_dir

MEMORY_LIMIT_ENV_VAR = "PARCOURS_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "4GB"  #: the floor of the default, and dbt's own default when run by hand
MACHINE_MEMORY_SHARE = 4  #: the default limit is this machine's memory divided by this
IN_MEMORY = ":memory:"
SPILL_FOLDER = "duckdb"
_engines = itertools.count()


def memory_limit(default: str | None = None) -> str:
    """DuckDB's ``memory_limit``: ``$PARCOURS_DUCKDB_MEMORY_LIMIT``, else ``default``, else the machine's."""
    return os.environ.get(MEMORY_LIMIT_ENV_VAR, "").strip() or default or machine_memory_limit()


def machine_memory_limit() -> str:
    """A quarter of this machine's physical memory in MB, at least :data:`DEFAULT_MEMORY_LIMIT`."""
    physical = physical_memory_bytes()
    if physical is None:  # no sysconf (Windows): the floor
        return DEFAULT_MEMORY_LIMIT
    floor = int(DEFAULT_MEMORY_LIMIT.removesuffix("GB")) * 1000
    return f"{max(physical // MACHINE_MEMORY_SHARE // 1_000_000, floor)}MB"


def physical_memory_bytes() -> int | None:
    """This machine's physical memory, or None where the system does not tell (Windows)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def connect(
    database: str | os.PathLike[str] = IN_MEMORY,
    *,
    read_only: bool = False,
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database (in memory by default) under Parcours' memory limit.

    ``config`` adds or overrides DuckDB settings applied at start-up (``threads``, ...).
    """
    settings: dict[str, Any] = {"memory_limit": memory_limit()}
    if str(database) == IN_MEMORY:
        settings["temp_directory"] = str(in_memory_spill_folder())
    settings.update(config or {})
    connection = duckdb.connect(str(database), read_only=read_only, config=settings)
    connection.execute("SET enable_progress_bar = false")  # a session setting, not a start-up one
    return connection


def in_memory_spill_folder() -> Path:
    """A spill folder of its own for one in-memory engine of this process (not created yet)."""
    parent = resolve_data_dir().tmp / SPILL_FOLDER
    parent.mkdir(parents=True, exist_ok=True)  # DuckDB creates the last folder only
    _remove_folders_of_dead_processes(parent)  # the first time only
    return parent / f"{os.getpid()}-{next(_engines)}"


def dlt_global_config() -> dict[str, str]:
    """Settings for dlt's DuckDB destination (``DuckDbCredentials(global_config=...)``).

    Only the memory limit: the warehouse spills next to its file, as under dbt.
    """
    return {"memory_limit": memory_limit()}


@functools.cache
def _remove_folders_of_dead_processes(parent: Path) -> None:
    """Remove the spill folders under ``parent`` of processes no longer running, once per process."""
    for folder in parent.iterdir():
        pid = folder.name.split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
