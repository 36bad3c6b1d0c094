"""Audience files for activation tools: one Parquet and one CSV file per audience.

Reads ``marts.fct_activation_audiences`` (only consented customers, identifiers as keyed
hashes) and writes ``<audience_name>.parquet`` and ``<audience_name>.csv`` into a folder.
Each file is written to a temporary name then renamed, so a reader never sees half a file;
rows are sorted by customer key, so the same mart gives byte-identical files. Files of
audiences that no longer exist (every member withdrew their consent) are removed: a tool
syncing the folder must not keep contacting them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

AUDIENCE_TABLE = "marts.fct_activation_audiences"
EXPORTED_COLUMNS = ("customer_key", "email_hash", "phone_hash")
SUFFIXES = (".parquet", ".csv")
SAFE_NAME = re.compile(r"^[a-z0-9_\-]+$")


@dataclass(frozen=True)
class AudienceExport:
    """What one export wrote: members per audience and the files removed."""

    members: dict[str, int]
    removed: list[str]

    @property
    def files(self) -> list[str]:
        """Names of the files written, sorted."""
        return sorted(f"{name}{suffix}" for name in self.members for suffix in SUFFIXES)


def read_audiences(warehouse: Path) -> dict[str, pa.Table]:
    """Every audience of the mart as an Arrow table of its members, sorted by customer key."""
    columns = ", ".join(EXPORTED_COLUMNS)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        table: pa.Table = connection.sql(
            f"select audience_name, {columns} from {AUDIENCE_TABLE} order by audience_name, customer_key"
        ).to_arrow_table()
    names = table.column("audience_name").to_pylist()
    audiences: dict[str, pa.Table] = {}
    start = 0
    for index in range(1, len(names) + 1):
        if index == len(names) or names[index] != names[start]:
            audiences[names[start]] = table.slice(start, index - start).select(list(EXPORTED_COLUMNS))
            start = index
    return audiences


def write_audiences(audiences: dict[str, pa.Table], folder: Path) -> AudienceExport:
    """Write each audience as Parquet and CSV into ``folder`` atomically; drop stale files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, members in sorted(audiences.items()):
        if not SAFE_NAME.match(name):
            raise ValueError(f"audience name {name!r} is not a safe file name")
        _write_atomically(folder / f"{name}.parquet", partial(pq.write_table, members))
        _write_atomically(folder / f"{name}.csv", partial(pa_csv.write_csv, members))
    expected = {f"{name}{suffix}" for name in audiences for suffix in SUFFIXES}
    removed = []
    for path in sorted(folder.iterdir()):
        if path.suffix in SUFFIXES and path.name not in expected:
            path.unlink()
            removed.append(path.name)
    return AudienceExport(
        members={name: t.num_rows for name, t in sorted(audiences.items())}, removed=removed
    )


def export_audiences(warehouse: Path, folder: Path) -> AudienceExport:
    """Read the audiences mart of ``warehouse`` and write its files into ``folder``."""
    return write_audiences(read_audiences(warehouse), folder)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
