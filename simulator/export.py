"""Write one export (an Arrow table shaped by a DuckDB query) as JSONL, plus its ground-truth rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from simulator.noise import DEFECT_RECIPES, choose_malformed, copy_with_defects

RECORD_TYPES: tuple[str, ...] = tuple(DEFECT_RECIPES)


@dataclass(frozen=True)
class Export:
    """A batch of records for one landing file.

    ``select_sql`` reads the relation ``rows`` (the table) and yields the
    exported columns in the documented order. ``record_id_sql`` is the SQL
    expression of each record's id for ``records.parquet`` (empty: no truth
    rows, e.g. the brand's own posts). ``identifier_sql`` yields
    ``identifier_type, identifier_value, person_id, shared_kind`` rows.
    """

    source: str
    record_type: str
    relative_path: str
    day: int
    table: pa.Table
    select_sql: str
    record_id_sql: str = ""
    identifier_sql: str = ""
    append: bool = False
    part: int = 0  #: separates the chunks appended to one file (GA4 late events)


@dataclass
class WriteLog:
    """What the writer produced: line counts per file and per kind, malformed lines."""

    lines_per_file: dict[str, int] = field(default_factory=dict)
    lines_per_kind: dict[str, int] = field(default_factory=dict)
    malformed: list[tuple[str, str, int, str]] = field(default_factory=list)


def quiet_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection that never prints a progress bar (stdout stays clean)."""
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


class ExportWriter:
    """Serialise exports with DuckDB (insertion order is kept, so output is byte-stable)."""

    def __init__(self, seed: int, malformed_rate: float, landing_dir: Path, parts_dir: Path, log: WriteLog):
        self.seed = seed
        self.malformed_rate = malformed_rate
        self.landing_dir = landing_dir
        self.parts_dir = parts_dir
        self.log = log
        self.con = quiet_connection()
        self._part_number = 0

    def write(self, export: Export) -> None:
        """Write (or append) the export's lines, damage some on purpose, and store its truth rows."""
        target = self.landing_dir / export.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(target.name + ".tmp")
        self.con.register("rows", export.table)
        try:
            self.con.execute(f"COPY ({export.select_sql}) TO '{scratch}' (FORMAT JSON)")
            self._write_truth(export)
        finally:
            self.con.unregister("rows")
        self._move_with_defects(export, scratch, target)

    def _move_with_defects(self, export: Export, scratch: Path, target: Path) -> None:
        n_lines = export.table.num_rows
        file_code = RECORD_TYPES.index(export.record_type) * 100 + export.part
        defects = choose_malformed(
            self.seed, export.day, file_code, n_lines, self.malformed_rate, export.record_type
        )
        offset = self.log.lines_per_file.get(export.relative_path, 0) if export.append else 0
        if defects or export.append:
            copy_with_defects(scratch, target, defects, export.record_type, export.append)
            scratch.unlink()
        else:
            scratch.replace(target)
        self.log.lines_per_file[export.relative_path] = offset + n_lines
        kind = export.relative_path.rsplit("/", 1)[0] if "/" in export.relative_path else export.relative_path
        self.log.lines_per_kind[kind] = self.log.lines_per_kind.get(kind, 0) + n_lines
        self.log.malformed.extend(
            (export.source, export.relative_path, offset + line + 1, defect)
            for line, defect in defects.items()
        )

    def _write_truth(self, export: Export) -> None:
        if export.record_id_sql:
            self._copy_part(
                "records",
                f"SELECT '{export.source}' AS source, '{export.record_type}' AS record_type, "
                f"CAST({export.record_id_sql} AS VARCHAR) AS record_id, "
                "CAST(person_id AS BIGINT) AS person_id FROM rows",
            )
        if export.identifier_sql:
            self._copy_part("identifiers", export.identifier_sql)

    def write_part(self, kind: str, table: pa.Table, sql: str = "SELECT * FROM rows") -> None:
        """Store a ground-truth part (e.g. stage changes) for the final merge."""
        self.con.register("rows", table)
        try:
            self._copy_part(kind, sql)
        finally:
            self.con.unregister("rows")

    def _copy_part(self, kind: str, sql: str) -> None:
        folder = self.parts_dir / kind
        folder.mkdir(parents=True, exist_ok=True)
        self._part_number += 1
        path = folder / f"part_{self._part_number:07d}.parquet"
        self.con.execute(f"COPY ({sql}) TO '{path}' (FORMAT PARQUET)")

    def close(self) -> None:
        """Release the DuckDB connection."""
        self.con.close()
