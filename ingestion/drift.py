"""Schema drift report: what changed in a file's shape, one row per change, in ``<raw dataset>.schema_drift``.

Schema drift is handled where it is met (:mod:`ingestion.validation`): an unknown key becomes a new typed
raw column, a drift column changing JSON type is quarantined as ``type_drift``. This module reports it,
per file (or API run) of an entity, once the file is completely read:

- ``new_column``: a key unknown to the spec and to earlier loads became a raw column;
- ``type_drift``: records quarantined because a drift column changed type (column, detail, count);
- ``missing_column``: a key absent from every record of this file although earlier records had it so
  often that this is not chance (an export that dropped a column: its raw column stays, with NULLs
  for these records);
- ``new_param_key`` / ``vanished_param_key``: for parameter-like lists (:attr:`Child.key_column`, GA4
  ``event_params``), a key neither the spec (:attr:`Child.known_keys`) nor any earlier file had, or a
  key absent from this file's records although earlier records had it too often for chance.

"Not chance": the key was on a share ``r`` of earlier records and ``n`` records all lack it, with
probability ``(1 - r) ** n`` below :data:`CHANCE`. A key on every earlier record is reported as soon
as a file lacks it; optional keys (a login method, a store id) stay quiet. What earlier records had is
dlt resource state (``presence``: record counts per key), committed with the load package like the
file state. Restricted pipelines report nothing (their raw twin does).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from ingestion.specs import TYPE_DRIFT, Child, DriftScope, Entity, nested_path_keys

SCHEMA_DRIFT_TABLE = "schema_drift"
NEW_COLUMN = "new_column"
MISSING_COLUMN = "missing_column"
NEW_PARAM_KEY = "new_param_key"
VANISHED_PARAM_KEY = "vanished_param_key"
DRIFT_CHANGES = (NEW_COLUMN, MISSING_COLUMN, TYPE_DRIFT, NEW_PARAM_KEY, VANISHED_PARAM_KEY)
CHANCE = 1e-6  # a key is reported missing when its absence from a whole file is less likely than this

SCHEMA_DRIFT_SCHEMA = pa.schema(
    [
        ("table_name", pa.string()),
        ("source_file", pa.string()),
        ("change", pa.string()),
        ("column_name", pa.string()),
        ("source_path", pa.string()),
        ("detail", pa.string()),
        ("records", pa.int64()),  # records with the change, or lacking the column; NULL: vanished key
    ]
)


_Row = tuple[str, str, str | None, str, str, int | None]  # table, change, column, path, detail, records


@dataclass
class _Observed:
    """What the chunks of one file showed so far."""

    records: int = 0  # JSON records
    scope_records: Counter[str] = field(default_factory=Counter)  # scope path -> records holding it
    keys: Counter[str] = field(default_factory=Counter)  # JSON path of a scope key -> records with it
    key_scopes: dict[str, str] = field(default_factory=dict)  # JSON path of a scope key -> scope path
    new_columns: set[str] = field(default_factory=set)
    type_drift: Counter[tuple[str, str]] = field(default_factory=Counter)  # (column, detail) -> records
    values: dict[str, Counter[str]] = field(default_factory=dict)  # child table -> key value -> rows
    loaded: int = 0  # records of the entity table loaded


def scope_key_path(scope: DriftScope, key: str) -> str:
    """The JSON path of one key of a drift scope, written as drift columns record it."""
    return f'{scope.path}."{key}"'


class DriftTracker:
    """Collects one entity's shape per file across chunks and reports the changes when a file ends."""

    def __init__(self, entity: Entity, drift: dict[str, dict[str, str]], state: dict[str, Any]) -> None:
        self.entity = entity
        self.drift = drift
        self.state = state
        self.observed: dict[str, _Observed] = {}
        self.keyed_children = [c for c in _all_children(entity.children) if c.key_column]

    def observe(
        self,
        con: duckdb.DuckDBPyConnection,
        segments: list[str],
        segment_sql: str,
        new_columns: set[str],
        tables: dict[str, pa.Table],
        quarantine: pa.Table,
        origin_column: str,
    ) -> None:
        """Record a parsed chunk: key presence per segment (view ``lines``), new columns, outputs.

        ``segments``: the origin of each segment index, which ``segment_sql`` computes from a line.
        """
        if self.entity.track_key_presence or new_columns:
            self._observe_keys(con, segments, segment_sql)
        for origin in set(segments):
            self._of(origin).new_columns |= new_columns
        self._observe_type_drift(quarantine)
        if self.keyed_children:
            self._observe_loaded(tables.get(self.entity.table), origin_column)
        for child in self.keyed_children:
            self._observe_values(child, tables.get(child.table), origin_column)

    def finish(self, origin: str) -> pa.Table:
        """The drift rows of a completely read file (or API run); updates what earlier files had."""
        seen = self.observed.pop(origin, _Observed())
        rows: list[_Row] = []
        for column in sorted(seen.new_columns):
            path = self.drift[column]["path"]
            if seen.keys[path]:
                kind = self.drift[column]["kind"]
                rows.append(
                    (self.entity.table, NEW_COLUMN, column, path, f"new {kind} column", seen.keys[path])
                )
        for (column, detail), count in sorted(seen.type_drift.items()):
            path = self.drift.get(column, {}).get("path", "")
            rows.append((self.entity.table, TYPE_DRIFT, column, path, detail, count))
        if self.entity.track_key_presence and seen.records:
            rows += self._missing_columns(seen)
        for child in self.keyed_children:
            rows += self._param_keys(child, seen.values.get(child.table, Counter()), seen.loaded)
        return pa.Table.from_pylist(
            [
                dict(
                    zip(
                        SCHEMA_DRIFT_SCHEMA.names,
                        (table, origin, change, column, path, detail, n),
                        strict=True,
                    )
                )
                for table, change, column, path, detail, n in rows
            ],
            schema=SCHEMA_DRIFT_SCHEMA,
        )

    # -- observing ----------------------------------------------------------------------------------

    def _of(self, origin: str) -> _Observed:
        return self.observed.setdefault(origin, _Observed())

    def _observe_keys(self, con: duckdb.DuckDBPyConnection, segments: list[str], segment_sql: str) -> None:
        scopes = self.entity.drift_scopes
        if not scopes:
            return
        keys = " UNION ALL ".join(
            f"SELECT seg, {i} AS scope, unnest(ks[{i + 1}]) AS key FROM k" for i in range(len(scopes))
        )
        holding = " UNION ALL ".join(  # records holding each scope object (scope -1 - i)
            f"SELECT seg, {-1 - i} AS scope, NULL AS key, count(*) FROM k WHERE ks[{i + 1}] IS NOT NULL "
            "GROUP BY seg"
            for i in range(len(scopes))
        )
        found = con.execute(
            f"WITH k AS MATERIALIZED (SELECT {segment_sql} AS seg, TRY(json_keys(line, $paths)) AS ks "
            f"FROM lines) {holding} "
            f"UNION ALL SELECT seg, scope, key, count(*) FROM ({keys}) GROUP BY seg, scope, key",
            {"paths": [scope.path for scope in scopes]},
        ).fetchall()
        for seg, scope_index, key, count in found:
            seen = self._of(segments[seg])
            if scope_index < 0:
                scope = scopes[-1 - scope_index]
                seen.scope_records[scope.path] += count
                seen.records += count if scope_index == -1 else 0
            else:
                scope = scopes[scope_index]
                path = scope_key_path(scope, key)
                seen.keys[path] += count
                seen.key_scopes[path] = scope.path

    def _observe_type_drift(self, quarantine: pa.Table) -> None:
        if not quarantine.num_rows:
            return
        for row in quarantine.select(["reason_code", "reason_detail", "source_file"]).to_pylist():
            if row["reason_code"] == TYPE_DRIFT:
                column, _, detail = str(row["reason_detail"]).partition(":")
                self._of(row["source_file"]).type_drift[(column, detail.strip())] += 1

    def _observe_loaded(self, table: pa.Table | None, origin_column: str) -> None:
        if table is None or not table.num_rows:
            return
        for row in (
            table.select([origin_column]).group_by([origin_column]).aggregate([([], "count_all")]).to_pylist()
        ):
            self._of(row[origin_column]).loaded += row["count_all"]

    def _observe_values(self, child: Child, table: pa.Table | None, origin_column: str) -> None:
        if table is None or not table.num_rows:
            return
        key_column = str(child.key_column)
        counts = table.select([origin_column, key_column]).group_by([origin_column, key_column])
        for row in counts.aggregate([([], "count_all")]).to_pylist():
            if row[key_column] is not None:
                values = self._of(row[origin_column]).values.setdefault(child.table, Counter())
                values[row[key_column]] += row["count_all"]

    # -- reporting ----------------------------------------------------------------------------------

    def _missing_columns(self, seen: _Observed) -> list[_Row]:
        """Keys earlier records had too often for this file to lack by chance; then count this file in.

        Shares are among records holding the key's object (``$.properties`` for a HubSpot property).
        """
        presence = self.state.setdefault("keys", {"records": {}, "keys": {}})
        scope_totals, earlier = presence["records"], presence["keys"]
        columns = _columns_by_path(self.entity, self.drift)
        rows: list[_Row] = []
        for path, known in sorted(earlier.items()):
            total, records = scope_totals.get(known["scope"], 0), seen.scope_records[known["scope"]]
            if not seen.keys[path] and absent_by_chance_unlikely(known["records"], total, records):
                detail = _absence_detail(known["records"], total, records)
                column = columns.get(nested_path_keys(path))
                rows.append((self.entity.table, MISSING_COLUMN, column, path, detail, records))
        for path, count in seen.keys.items():
            known = earlier.setdefault(path, {"scope": seen.key_scopes[path], "records": 0})
            known["records"] += count
        for scope_path, count in seen.scope_records.items():
            scope_totals[scope_path] = scope_totals.get(scope_path, 0) + count
        return rows

    def _param_keys(self, child: Child, values: Counter[str], events: int) -> list[_Row]:
        """Parameter keys never seen before and unknown to the spec, or gone although expected."""
        if not events:
            return []  # no record loaded from this file: nothing to compare
        presence = self.state.setdefault("values", {}).setdefault(child.table, {"records": 0, "keys": {}})
        total, earlier = presence["records"], presence["keys"]
        key_field = next(f for f in child.fields if f.column == child.key_column)
        path = f"{child.path}[*].{nested_path_keys(key_field.path)[-1]}"
        rows: list[_Row] = [
            (child.table, NEW_PARAM_KEY, key, path, "a key the spec does not list, never seen before", count)
            for key, count in sorted(values.items())
            if key not in earlier and key not in child.known_keys
        ]
        rows += [
            (child.table, VANISHED_PARAM_KEY, key, path, _absence_detail(count, total, events), None)
            for key, count in sorted(earlier.items())
            if key not in values and absent_by_chance_unlikely(count, total, events)
        ]
        for key, count in values.items():
            earlier[key] = earlier.get(key, 0) + count
        presence["records"] = total + events
        return rows


def absent_by_chance_unlikely(earlier: int, earlier_records: int, records: int) -> bool:
    """Whether ``records`` records all lacking a key is too unlikely to be chance (below ``CHANCE``).

    The key was on ``earlier`` of ``earlier_records`` earlier records (share ``r``, at most 1); ``n``
    records all without it have probability ``(1 - r) ** n``. A key on every earlier record is
    missed by any file with a record; a rare key (a login method, a store id) is never reported.
    """
    if not earlier or not earlier_records or not records:
        return False
    share = min(earlier / earlier_records, 1.0)
    return share >= 1.0 or records * math.log1p(-share) < math.log(CHANCE)


def _absence_detail(earlier: int, earlier_records: int, records: int) -> str:
    share = min(earlier / earlier_records, 1.0)
    return f"on {share:.1%} of {earlier_records} earlier record(s), absent from all {records} of this file"


def _all_children(children: tuple[Child, ...]) -> list[Child]:
    found: list[Child] = []
    for child in children:
        found += [child, *_all_children(child.children)]
    return found


def _columns_by_path(entity: Entity, drift: dict[str, dict[str, str]]) -> dict[tuple[str, ...], str]:
    """Raw columns (or nested table) read from each JSON path of the entity or below it.

    ``$."source"`` maps to ``source_name`` (the column read from ``$.source.name``), ``$."line_items"``
    to its nested table.
    """
    below: dict[tuple[str, ...], set[str]] = {}

    def add(keys: tuple[str, ...], column: str) -> None:
        for depth in range(1, len(keys) + 1):
            below.setdefault(keys[:depth], set()).add(column)

    for column, spec in drift.items():
        add(nested_path_keys(spec["path"]), column)
    for f in entity.fields:
        add(nested_path_keys(f.path), f"{f.column}_hash" if f.pii else f.column)
    for child in entity.children:
        add(nested_path_keys(child.path), child.table)
    return {keys: ", ".join(sorted(columns)) for keys, columns in below.items()}
