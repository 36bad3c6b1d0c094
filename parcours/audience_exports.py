"""Audience files for activation tools: one Parquet and one CSV file per audience.

Reads ``marts.fct_activation_audiences`` (only consented customers, identifiers as keyed
hashes) and writes ``<audience_name>.parquet`` and ``<audience_name>.csv`` into a folder
(the name made a portable file name: ASCII, lower case, ``_`` for other characters).
Each file is written to a temporary name then renamed, so a reader never sees half a file;
rows are sorted by customer key, so the same mart gives byte-identical files. Files of
audiences that no longer exist (every member withdrew their consent) are removed: a tool
syncing the folder must not keep contacting them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from parcours import engine

AUDIENCE_TABLE = "marts.fct_activation_audiences"
AUDIENCES_FOLDER = "audiences"  # under the data directory's exports/
EXPORTED_COLUMNS = ("customer_key", "email_hash", "phone_hash")
SUFFIXES = (".parquet", ".csv")
UNSAFE_CHARACTERS = re.compile(r"[^a-z0-9_\-]+")


@dataclass(frozen=True)
class AudienceExport:
    """What one export wrote: members per audience and the files removed."""

    members: dict[str, int]
    removed: list[str]

    @property
    def files(self) -> list[str]:
        """Names of the files written, sorted."""
        return sorted(f"{file_stem(name)}{suffix}" for name in self.members for suffix in SUFFIXES)


def file_stem(audience_name: str) -> str:
    """The audience name as a portable file name: ASCII, lower case, ``_`` for anything else."""
    ascii_name = unicodedata.normalize("NFKD", audience_name).encode("ascii", "ignore").decode()
    stem = UNSAFE_CHARACTERS.sub("_", ascii_name.lower()).strip("_.")
    if not stem:
        raise ValueError(f"audience name {audience_name!r} gives no usable file name")
    return stem


def read_audiences(warehouse: Path) -> dict[str, pa.Table]:
    """Every audience of the mart as an Arrow table of its members, sorted by customer key."""
    columns = ", ".join(EXPORTED_COLUMNS)
    with engine.connect(warehouse, read_only=True) as connection:
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
    stems = {name: file_stem(name) for name in audiences}
    if len(set(stems.values())) < len(stems):
        raise ValueError("two audience names give the same file name: rename a segment")
    folder.mkdir(parents=True, exist_ok=True)
    for name, members in sorted(audiences.items()):
        _write_atomically(folder / f"{stems[name]}.parquet", partial(pq.write_table, members))
        _write_atomically(folder / f"{stems[name]}.csv", partial(pa_csv.write_csv, members))
    expected = {f"{stem}{suffix}" for stem in stems.values() for suffix in SUFFIXES}
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
