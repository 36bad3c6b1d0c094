"""Record validation and quarantine routing, vectorised in an in-process DuckDB used as a parsing engine.

A chunk of NDJSON lines (an Arrow table ``line_number, line, utf8_ok``) goes through three SQL steps:

1. every path of the entity is extracted in one JSON parse per line (``json_extract(line, [paths])``);
2. each value's JSON type is checked against its :class:`~ingestion.specs.Kind`, then cast, then the
   range, future-timestamp and record rules run; the first failure becomes the record's reason;
3. nested lists are unnested into child tables and validated the same way; a bad element sends its
   whole record (line) to quarantine, and duplicates of a key within a file are quarantined too.

The result is Arrow: one table per raw table, plus the quarantine rows with the raw payload. Nothing is
dropped: ``records_read == records_loaded + records_quarantined`` for every chunk.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.arrow_decode import (
    RECORD_PREFIX,
    Decoded,
    UnsupportedSpecError,
    arrow_schema,
    decode_lines,
    has_new_keys,
)
from ingestion.drift import SCHEMA_DRIFT_TABLE, DriftTracker
from ingestion.pii import register_pii_macros
from ingestion.specs import (
    BROKEN_JSON,
    DUPLICATE,
    FUTURE_TIMESTAMP,
    MISSING_KEY,
    OUT_OF_RANGE,
    SUPPRESSED,
    TIME_KINDS,
    TYPE_DRIFT,
    Check,
    Child,
    DriftScope,
    Entity,
    Field,
    Kind,
    nested_path_keys,
)
from ingestion.suppression import IDENTIFIER_COLUMNS, SuppressedIdentifier
from parcours import engine

QUARANTINE_TABLE = "quarantine"
RECONCILIATION_TABLE = "reconciliation"
# The tables every source writes beside its entity tables; loads only append to them.
SIDE_TABLES = (QUARANTINE_TABLE, RECONCILIATION_TABLE, SCHEMA_DRIFT_TABLE)
FUTURE_TOLERANCE = timedelta(days=1)

_JSON_TYPES: dict[Kind, tuple[str, ...]] = {
    Kind.STRING: ("VARCHAR",),
    Kind.INT: ("BIGINT", "UBIGINT"),
    Kind.FLOAT: ("BIGINT", "UBIGINT", "DOUBLE"),
    Kind.BOOL: ("BOOLEAN",),
    Kind.TIMESTAMP: ("VARCHAR",),
    Kind.DATE: ("VARCHAR",),
    Kind.EPOCH_MS: ("BIGINT", "UBIGINT"),
    Kind.EPOCH_US: ("BIGINT", "UBIGINT"),
    Kind.YYYYMMDD: ("VARCHAR",),
    Kind.INT_STRING: ("VARCHAR",),
    Kind.FLOAT_STRING: ("VARCHAR",),
    Kind.BOOL_STRING: ("VARCHAR",),
    Kind.JSON: ("OBJECT", "ARRAY"),
    Kind.ARRAY: ("ARRAY",),
    Kind.OBJECT: ("OBJECT",),
}
_KIND_OF_JSON_TYPE = {
    "VARCHAR": Kind.STRING,
    "BIGINT": Kind.INT,
    "UBIGINT": Kind.INT,
    "DOUBLE": Kind.FLOAT,
    "BOOLEAN": Kind.BOOL,
    "OBJECT": Kind.JSON,
    "ARRAY": Kind.JSON,
}
_TEXT = "{v}->>'$'"
_TYPED_SQL: dict[Kind, str] = {
    Kind.STRING: _TEXT,
    Kind.INT: "TRY_CAST({v} AS BIGINT)",
    Kind.FLOAT: "TRY_CAST({v} AS DOUBLE)",
    Kind.BOOL: "TRY_CAST({v} AS BOOLEAN)",
    Kind.TIMESTAMP: f"TRY_CAST({_TEXT} AS TIMESTAMPTZ)",
    Kind.DATE: f"TRY_CAST({_TEXT} AS DATE)",
    Kind.EPOCH_MS: "CAST(TRY(epoch_ms(TRY_CAST({v} AS BIGINT))) AS TIMESTAMPTZ)",
    Kind.EPOCH_US: "CAST(TRY(make_timestamp(TRY_CAST({v} AS BIGINT))) AS TIMESTAMPTZ)",
    Kind.YYYYMMDD: f"CAST(TRY_STRPTIME({_TEXT}, '%Y%m%d') AS DATE)",
    Kind.INT_STRING: f"TRY_CAST({_TEXT} AS BIGINT)",
    Kind.FLOAT_STRING: f"TRY_CAST({_TEXT} AS DOUBLE)",
    Kind.BOOL_STRING: f"CASE lower({_TEXT}) WHEN 'true' THEN true WHEN 'false' THEN false END",
    Kind.JSON: "CAST({v} AS VARCHAR)",
}
# The same conversions on values Arrow already decoded with their JSON type (the typed path).
_NATIVE_SQL: dict[Kind, str] = {
    Kind.STRING: "{v}",
    Kind.INT: "{v}",
    Kind.FLOAT: "CAST({v} AS DOUBLE)",
    Kind.BOOL: "{v}",
    Kind.TIMESTAMP: "TRY_CAST({v} AS TIMESTAMPTZ)",
    Kind.DATE: "TRY_CAST({v} AS DATE)",
    Kind.EPOCH_MS: "CAST(TRY(epoch_ms({v})) AS TIMESTAMPTZ)",
    Kind.EPOCH_US: "CAST(TRY(make_timestamp({v})) AS TIMESTAMPTZ)",
    Kind.YYYYMMDD: "CAST(TRY_STRPTIME({v}, '%Y%m%d') AS DATE)",
    Kind.INT_STRING: "TRY_CAST({v} AS BIGINT)",
    Kind.FLOAT_STRING: "TRY_CAST({v} AS DOUBLE)",
    Kind.BOOL_STRING: "CASE lower({v}) WHEN 'true' THEN true WHEN 'false' THEN false END",
}
# Kinds whose typed-path conversion above never turns a decoded value into NULL (Arrow decoded them
# with their final type): no "not a valid" branch for them, it could never fire and costs a pass
# over every record (GA4 has ~50 such columns).
_NEVER_INVALID = frozenset({Kind.STRING, Kind.INT, Kind.FLOAT, Kind.BOOL})
_TYPED = "t_"  # prefix of the temp tables of the typed path
_JSON = ""  # prefix of the temp tables of the JSON path
_EMAIL_PATTERN = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
_NOT_OBJECT = "'not a JSON object'"
_INVALID_UTF8 = "'invalid UTF-8'"
_INVALID_JSON = "'not valid JSON'"

LINES_SCHEMA = pa.schema([("line_number", pa.int64()), ("line", pa.string()), ("utf8_ok", pa.bool_())])


def sql_literal(value: object) -> str:
    """A SQL literal for a string, date, datetime or None."""
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return f"TIMESTAMPTZ '{value.isoformat()}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reason(code: str, detail_sql: str) -> str:
    return f"{{'code': '{code}', 'detail': {detail_sql}}}"


SEGMENT_SHIFT = 40  # line_number = (segment index << SEGMENT_SHIFT) | line number in its file
_LINE_MASK = (1 << SEGMENT_SHIFT) - 1
_SEGMENT_SQL = f"(line_number >> {SEGMENT_SHIFT})"


@dataclass(frozen=True)
class Segment:
    """One file's (or API run's) share of a chunk: its lineage value and its day, if any."""

    origin: str
    file_day: date | None = None


@dataclass(frozen=True)
class ParseContext:
    """Where a chunk of lines comes from: the lineage column and its value, and the file's day if any.

    A chunk may hold lines of several files (``segments``): the line numbers of segment ``i`` carry
    ``i`` in their high bits (:func:`segment_line_numbers`); duplicates, reconciliation counts and
    quarantine lineage stay per segment.
    """

    origin_column: str
    origin: str = ""
    file_day: date | None = None
    segments: tuple[Segment, ...] = ()

    @property
    def all_segments(self) -> tuple[Segment, ...]:
        """The segments of the chunk (one when ``segments`` is not given)."""
        return self.segments or (Segment(self.origin, self.file_day),)

    def origin_sql(self) -> str:
        """SQL of each row's lineage value, from its ``line_number``."""
        return _per_segment_sql([sql_literal(s.origin) for s in self.all_segments])

    def file_day_sql(self) -> str:
        """SQL of each row's file day (NULL when the file has none), from its ``line_number``."""
        return _per_segment_sql([sql_literal(s.file_day) for s in self.all_segments])


def _per_segment_sql(values: list[str]) -> str:
    if len(set(values)) == 1:
        return values[0]
    return f"[{', '.join(values)}][{_SEGMENT_SQL} + 1]"


def segment_line_numbers(lines: pa.Table, index: int) -> pa.Table:
    """The lines of a file as segment ``index`` of a chunk (see :class:`ParseContext`)."""
    if index == 0:
        return lines
    numbers = pc.bit_wise_or(lines["line_number"], pa.scalar(index << SEGMENT_SHIFT, pa.int64()))
    return lines.set_column(0, "line_number", numbers)


@dataclass
class ParsedChunk:
    """The outcome of one chunk: Arrow tables per raw table, quarantine rows and the counts."""

    tables: dict[str, pa.Table]
    quarantine: pa.Table
    records_read: int
    records_quarantined: int
    by_origin: dict[str, tuple[int, int]] = field(default_factory=dict)  # origin -> (read, quarantined)
    # the clear personal data, for the restricted dataset: the entity's restricted table and its
    # quarantine rows unmasked (empty for an entity without personal fields)
    restricted: dict[str, pa.Table] = field(default_factory=dict)

    @property
    def records_loaded(self) -> int:
        """Records of the entity table that passed validation."""
        return self.records_read - self.records_quarantined


@dataclass(frozen=True)
class Predecoded:
    """Lines decoded ahead of :meth:`RecordParser.parse`, with the schema used (None: not decoded)."""

    schema: pa.Schema | None
    decoded: Decoded | None


def predecode(lines: pa.Table, schema: pa.Schema | None) -> Predecoded:
    """Decode lines with ``schema`` (from :meth:`RecordParser.decode_schema`); pure Arrow, thread-safe."""
    return Predecoded(schema, decode_lines(lines, schema) if schema is not None else None)


@dataclass
class _Step:
    """SQL pieces of one level (the record or a nested list element)."""

    columns: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


class RecordParser:
    """Validates chunks of NDJSON lines of one entity and splits them into raw tables and quarantine."""

    def __init__(
        self,
        entity: Entity,
        *,
        pii_key: str,
        as_of: datetime | None = None,
        drift: dict[str, dict[str, str]] | None = None,
        suppressed: frozenset[SuppressedIdentifier] = frozenset(),
        presence: dict[str, Any] | None = None,
    ) -> None:
        self.entity = entity
        self.drift: dict[str, dict[str, str]] = drift if drift is not None else {}
        # the drift report: only with a place to remember earlier files
        self.tracker = DriftTracker(entity, self.drift, presence) if presence is not None else None
        self._future_limit = (as_of or datetime.now(UTC)) + FUTURE_TOLERANCE
        self.con = engine.connect(config={"threads": 2, "preserve_insertion_order": False})
        self.con.execute("SET TimeZone = 'UTC'")
        register_pii_macros(self.con, pii_key)
        key_columns = ", ".join(f"{_ident(k)} VARCHAR" for k in entity.key)
        self.con.execute(f"CREATE TEMP TABLE seen_keys (_origin VARCHAR, {key_columns})")
        self.con.execute(f"CREATE TEMP TABLE expected_keys (_origin VARCHAR, {key_columns})")
        self._expected_origins: set[str] = set()  # origins with keys in expected_keys
        self._suppressed_namespaces = self._register_suppression(suppressed)

    def _register_suppression(self, suppressed: frozenset[SuppressedIdentifier]) -> frozenset[str]:
        """Load the suppression list into the parsing engine; return the namespaces it covers."""
        self.con.execute("CREATE TEMP TABLE suppressed (namespace VARCHAR, value_hmac VARCHAR)")
        rows = sorted((item.namespace, item.value_hmac) for item in suppressed)
        if rows:
            self.con.executemany("INSERT INTO suppressed VALUES (?, ?)", rows)
        return frozenset(namespace for namespace, _ in rows)

    def _suppression_reasons(self, entity: Entity) -> list[str]:
        """CASE branches quarantining a record that carries an identifier of an erased person."""
        reasons = []
        for f in entity.fields:
            column = f"{f.column}_hash" if f.pii else f.column
            identifier = IDENTIFIER_COLUMNS.get(column)
            if identifier is None or identifier.namespace not in self._suppressed_namespaces:
                continue
            value = identifier.normalise_sql.format(c=_ident(column))
            hashed = value if identifier.hashed else f"pii_hmac({value})"
            detail = sql_literal(f"{column} is on the suppression list (erasure)")
            reasons.append(
                f"WHEN {hashed} IN (SELECT value_hmac FROM suppressed "
                f"WHERE namespace = {sql_literal(identifier.namespace)}) THEN {_reason(SUPPRESSED, detail)}"
            )
        return reasons

    def close(self) -> None:
        """Release the parsing engine."""
        self.con.close()

    def start_file(self) -> None:
        """Forget the keys seen so far: duplicates are detected within one file."""
        self.con.execute("DELETE FROM seen_keys")

    def expect_keys(self, origin: str, keys: pa.Table) -> None:
        """Keys loaded from ``origin`` by earlier runs (a file read on after the lines they read).

        A record of ``origin`` repeating one of them is a duplicate, as when the whole file is read.
        ``keys`` has the entity's key columns; they join the keys seen when ``origin``'s first lines
        are parsed.
        """
        columns = ", ".join(f"CAST({_ident(k)} AS VARCHAR)" for k in self.entity.key)
        self.con.register("loaded_keys", keys)
        try:
            self.con.execute(
                f"INSERT INTO expected_keys SELECT {sql_literal(origin)}, {columns} FROM loaded_keys"
            )
        finally:
            self.con.unregister("loaded_keys")
        self._expected_origins.add(origin)

    def decode_schema(self) -> pa.Schema | None:
        """The Arrow schema :meth:`parse` decodes lines with now (None: the spec needs the JSON path)."""
        try:
            return arrow_schema(self._entity_with_known_drift())
        except UnsupportedSpecError:
            return None

    def parse(
        self, lines: pa.Table, context: ParseContext, predecoded: Predecoded | None = None
    ) -> ParsedChunk:
        """Validate one chunk of lines and return the typed tables and the quarantined records.

        Lines Arrow decodes with the entity's types take the typed path; the others (and every line of
        a chunk that brings new drift keys) take the JSON path, which names each defect.
        ``predecoded``: the lines already decoded (:func:`predecode`, e.g. in another thread while the
        previous chunk was parsed); used only if decoded with the schema :meth:`decode_schema` gives now.
        """
        chunk_origins = {s.origin for s in context.all_segments}
        listed = ", ".join(sorted(sql_literal(origin) for origin in chunk_origins))
        self.con.execute(f"DELETE FROM seen_keys WHERE _origin NOT IN ({listed})")
        if self._expected_origins & chunk_origins:
            self.con.execute(f"INSERT INTO seen_keys SELECT * FROM expected_keys WHERE _origin IN ({listed})")
            self.con.execute(f"DELETE FROM expected_keys WHERE _origin IN ({listed})")
            self._expected_origins -= chunk_origins
        self.con.register("lines", lines)
        known_drift = set(self.drift)
        try:
            entity, decoded = self._decode(lines, predecoded)
            prefixes = []
            if decoded is not None and decoded.typed.num_rows:
                self.con.register("typed_lines", decoded.typed)
                self._build_typed_tables(entity, context)
                prefixes.append(_TYPED)
            slow = lines if decoded is None else decoded.rest
            if slow.num_rows or not prefixes:  # an empty chunk still yields every table's typed schema
                self.con.register("json_lines", slow)
                self._build_record_table(entity, context)
                list(self._build_child_tables(entity))
                prefixes.append(_JSON)
            children = list(_all_children(entity.children))
            self._collect_bad_lines(entity, [child.table for child in children], prefixes, context)
            tables, records = self._outputs(entity, children, context, prefixes)
            quarantine = self._quarantine(entity, context, _masked_payload_sql(entity))
            restricted = self._restricted_outputs(entity, context, records)
            if self.tracker is not None:
                self.tracker.observe(
                    self.con,
                    [segment.origin for segment in context.all_segments],
                    _SEGMENT_SQL,
                    set(self.drift) - known_drift,
                    tables,
                    quarantine,
                    context.origin_column,
                )
        finally:
            for name in ("lines", "typed_lines", "json_lines"):
                self.con.unregister(name)
        read = lines.num_rows
        return ParsedChunk(
            tables, quarantine, read, quarantine.num_rows, _by_origin(lines, quarantine, context), restricted
        )

    def finish_origin(self, origin: str) -> pa.Table | None:
        """The schema drift rows of a file (or API run) now completely parsed; None without a report."""
        return self.tracker.finish(origin) if self.tracker is not None else None

    def _decode(self, lines: pa.Table, predecoded: Predecoded | None = None) -> tuple[Entity, Decoded | None]:
        """Decode the chunk with Arrow unless new drift keys (or an unsupported spec) need the JSON path."""
        known = dict(self.drift)
        entity = self._entity_with_known_drift()
        try:
            schema = arrow_schema(entity)
        except UnsupportedSpecError:
            return self._entity_with_drift("lines"), None
        if predecoded is not None and predecoded.schema is not None and predecoded.schema.equals(schema):
            decoded = predecoded.decoded
        else:  # not decoded ahead, or drift found since changed the schema
            decoded = decode_lines(lines, schema)
        if decoded is None or has_new_keys(decoded.typed.schema, schema, entity.drift_scopes):
            return self._entity_with_drift("lines"), None
        self.con.register("rest_lines", decoded.rest)
        try:
            self._discover_drift("rest_lines")
        finally:
            self.con.unregister("rest_lines")
        if self.drift != known:
            return self._entity_with_drift("lines"), None
        return entity, decoded

    # -- schema drift -------------------------------------------------------------------------------

    def _entity_with_drift(self, source: str) -> Entity:
        self._discover_drift(source)
        return self._entity_with_known_drift()

    def _entity_with_known_drift(self) -> Entity:
        extra = tuple(
            Field(column, spec["path"], Kind(spec["kind"]), mismatch_code=TYPE_DRIFT)
            for column, spec in self.drift.items()
        )
        return self.entity.with_fields(extra)

    def _discover_drift(self, source: str) -> None:
        scopes = self.entity.drift_scopes
        if not scopes:
            return
        paths = ", ".join(sql_literal(scope.path) for scope in scopes)
        unions = " UNION ALL ".join(
            f"SELECT DISTINCT {i} AS scope, unnest(ks[{i + 1}]) AS key FROM k" for i in range(len(scopes))
        )
        found = self.con.execute(
            f"WITH k AS MATERIALIZED (SELECT TRY(json_keys(line, [{paths}])) AS ks FROM {source}) {unions}"
        ).fetchall()
        known_paths = {spec["path"] for spec in self.drift.values()}
        for scope_index, key in found:
            scope = scopes[scope_index]
            if key in _known_keys(self.entity, scope):
                continue
            path = f'{scope.path}."{key}"'
            if path not in known_paths:
                self._add_drift_column(scope, key, path, source)

    def _add_drift_column(self, scope: DriftScope, key: str, path: str, source: str) -> None:
        row = self.con.execute(
            f"SELECT t FROM (SELECT line_number, json_type(TRY(json_extract(line, $1))) AS t FROM {source}) "
            "WHERE t IS NOT NULL AND t <> 'NULL' ORDER BY line_number LIMIT 1",
            [path],
        ).fetchall()
        if not row:
            return  # only nulls so far: nothing to keep until a value shows its type
        taken = (
            {f.column for f in self.entity.fields} | set(self.drift) | {d.column for d in self.entity.derived}
        )
        column = _snake_case(scope.prefix + key)
        while column in taken:
            column += "_extra"
        self.drift[column] = {"path": path, "kind": _KIND_OF_JSON_TYPE[row[0][0]].value}

    # -- SQL building -------------------------------------------------------------------------------

    def _field_step(
        self, fields: Iterable[Field], label_prefix: str, typed_read: Callable[[str], str] | None = None
    ) -> _Step:
        """Columns and reasons of some fields: JSON values ``_v[i]``, or decoded values.

        ``typed_read`` turns a field's JSONPath into the expression reading its decoded value
        (:func:`_record_column_read`, :func:`_element_read`); without it the fields are JSON.
        """
        step = _Step()
        for i, f in enumerate(fields, start=1):
            label = f"{label_prefix} || {sql_literal(f.column)}"
            if typed_read is None:
                self._add_field(step, f, f"_v[{i}]", label)
            else:
                self._add_typed_field(step, f, typed_read(f.path), label)
        for f in fields:
            if f.pii:
                self._add_pii(step, f, _ident(f.column))
        return step

    def _add_field(self, step: _Step, f: Field, value: str, label: str) -> None:
        t = _ident(f"_t_{f.column}")
        col = _ident(f.column)
        step.columns.append(f"json_type({value}) AS {t}")
        absent = f"({value} IS NULL OR {t} = 'NULL')"
        if f.required:
            missing = _reason(MISSING_KEY, label + " || ' is missing'")
            step.reasons.append(f"WHEN {absent} THEN {missing}")
        allowed = ", ".join(sql_literal(t_) for t_ in _JSON_TYPES[f.kind])
        expected = sql_literal(f": expected {f.kind.value}, got ")
        step.reasons.append(
            f"WHEN NOT {absent} AND {t} NOT IN ({allowed}) "
            f"THEN {_reason(f.mismatch_code, f'{label} || {expected} || {t}')}"
        )
        if f.kind is Kind.OBJECT:
            return
        if f.kind is Kind.ARRAY:
            step.columns.append(
                f"CASE WHEN {t} = 'ARRAY' THEN json_array_length({value}) END AS {_ident('_n_' + f.column)}"
            )
            return
        step.columns.append(f"{_TYPED_SQL[f.kind].format(v=value)} AS {col}")
        invalid = sql_literal(f": not a valid {f.kind.value}")
        step.reasons.append(
            f"WHEN NOT {absent} AND {col} IS NULL THEN {_reason(f.mismatch_code, f'{label} || {invalid}')}"
        )
        self._add_limits(step, f, col, label)

    def _add_typed_field(self, step: _Step, f: Field, value: str, label: str) -> None:
        """Like :meth:`_add_field` for a value Arrow decoded: its JSON type is already the right one."""
        col = _ident(f.column)
        if f.required:
            missing = _reason(MISSING_KEY, label + " || ' is missing'")
            step.reasons.append(f"WHEN {value} IS NULL THEN {missing}")
        if f.kind is Kind.OBJECT:
            return
        if f.kind is Kind.ARRAY:
            step.columns += [
                f"len({value}) AS {_ident('_n_' + f.column)}",
                f"{value} AS {_ident('_l_' + f.column)}",
            ]
            return
        step.columns.append(f"{_NATIVE_SQL[f.kind].format(v=value)} AS {col}")
        if f.kind in _NEVER_INVALID:
            self._add_limits(step, f, col, label)
            return
        invalid = sql_literal(f": not a valid {f.kind.value}")
        step.reasons.append(
            f"WHEN {value} IS NOT NULL AND {col} IS NULL "
            f"THEN {_reason(f.mismatch_code, f'{label} || {invalid}')}"
        )
        self._add_limits(step, f, col, label)

    def _add_limits(self, step: _Step, f: Field, col: str, label: str) -> None:
        if f.min_value is not None:
            below = _reason(OUT_OF_RANGE, f"{label} || ' below {f.min_value}'")
            step.reasons.append(f"WHEN {col} < {f.min_value} THEN {below}")
        if f.max_value is not None:
            above = _reason(OUT_OF_RANGE, f"{label} || ' above {f.max_value}'")
            step.reasons.append(f"WHEN {col} > {f.max_value} THEN {above}")
        if f.kind in TIME_KINDS and not f.allow_future:
            future = _reason(FUTURE_TIMESTAMP, f"{label} || ' in the future: ' || {col}")
            step.reasons.append(f"WHEN {col} > {sql_literal(self._future_limit)} THEN {future}")

    @staticmethod
    def _add_pii(step: _Step, f: Field, col: str) -> None:
        normalised = _ident(f"{f.column}_normalised")
        if f.pii == "email":
            step.columns.append(f"pii_email({col}) AS {normalised}")
        else:
            country = _ident(f.country_column) if f.country_column else "NULL"
            step.columns.append(f"pii_phone({col}, {country}) AS {normalised}")
        step.columns.append(f"pii_hmac({normalised}) AS {_ident(f.column + '_hash')}")

    @staticmethod
    def _checks(step: _Step, checks: Iterable[Check], file_day_sql: str) -> None:
        for check in checks:
            failing = check.failing.replace("{file_day}", file_day_sql)
            step.reasons.append(f"WHEN {failing} THEN {_reason(check.code, sql_literal(check.detail))}")

    def _build_record_table(self, entity: Entity, context: ParseContext) -> None:
        paths = [f.path for f in entity.fields] + [c.path for c in entity.children]
        array_fields = tuple(Field(c.table, c.path, Kind.ARRAY) for c in entity.children)
        path_list = ", ".join(sql_literal(p) for p in paths)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE rec AS SELECT line_number, line, utf8_ok, "
            f"TRY(json_extract(line, [{path_list}])) AS _v FROM json_lines"
        )
        step = self._field_step(entity.fields + array_fields, "''")
        step.reasons[:0] = self._suppression_reasons(entity)
        step.columns += [f"{d.sql} AS {_ident(d.column)}" for d in entity.derived]
        self._checks(step, entity.checks, context.file_day_sql())
        required = [i for i, f in enumerate(entity.fields, start=1) if f.required]
        not_object = (
            f"WHEN _v[{required[0]}] IS NULL AND json_type(line) <> 'OBJECT' "
            f"THEN {_reason(BROKEN_JSON, _NOT_OBJECT)}"
            if required
            else ""
        )
        reasons = (
            f"CASE WHEN NOT utf8_ok THEN {_reason(BROKEN_JSON, _INVALID_UTF8)} "
            f"WHEN _v IS NULL THEN {_reason(BROKEN_JSON, _INVALID_JSON)} {not_object} "
            + " ".join(step.reasons)
            + " END"
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE rec_typed AS SELECT line_number, _v, "
            f"{', '.join(step.columns)}, {reasons} AS _reason FROM rec"
        )
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {_JSON}rec_base AS SELECT * FROM {_JSON}rec_typed")

    def _build_typed_tables(self, entity: Entity, context: ParseContext) -> None:
        """The typed path's ``t_rec_typed`` view and ``t_rec_base``, ``t_c_<child>`` tables.

        ``t_rec_typed`` is a view over the decoded Arrow columns, not a copy of them: copying every
        record into a temp table cost ~13 % of GA4's parse CPU, a third of it page faults. The output
        query converts the records once. What several statements read (the reason, the keys, the
        columns children carry, derived ones such as GA4's ``event_id`` hash) is computed once into
        the narrow ``t_rec_base`` table.
        """
        array_fields = tuple(Field(c.table, c.path, Kind.ARRAY) for c in entity.children)
        step = self._field_step(entity.fields + array_fields, "''", typed_read=_record_column_read)
        step.reasons[:0] = self._suppression_reasons(entity)
        step.columns += [f"{d.sql} AS {_ident(d.column)}" for d in entity.derived]
        self._checks(step, entity.checks, context.file_day_sql())
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {_TYPED}rec_typed AS SELECT line_number, "
            f"{', '.join(step.columns)}, {_case(step.reasons)} AS _reason FROM typed_lines"
        )
        shared = dict.fromkeys([*entity.key, *(c for child in entity.children for c in child.parent_columns)])
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_TYPED}rec_base AS SELECT line_number, "
            f"{''.join(_ident(c) + ', ' for c in shared)}_reason FROM {_TYPED}rec_typed"
        )
        for child in entity.children:
            lists = f"(SELECT line_number, {_ident('_l_' + child.table)} FROM {_TYPED}rec_typed)"
            self._build_typed_child(
                child, _without_reason(f"{lists} JOIN {_TYPED}rec_base USING (line_number)")
            )

    def _build_typed_child(self, child: Child, valid_parents: str) -> None:
        """``t_c_<child>``: the elements of ``valid_parents`` (a relation of the parents without a reason)."""
        carried = ", ".join(_ident(c) for c in child.parent_columns)
        fields = (Field(child.scalar_column, "$", Kind.STRING),) if child.scalar_column else child.fields
        array_fields = tuple(Field(c.table, c.path, Kind.ARRAY) for c in child.children)
        label = f"{sql_literal(child.table + '[')} || {_ident(child.index_column)} || '].'"
        step = self._field_step(fields + array_fields, label, typed_read=_element_read)
        self._checks(step, child.checks, "NULL")
        elements = _ident("_l_" + child.table)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_TYPED}c_{child.table} AS "
            f"WITH el AS (SELECT line_number, {carried}, unnest({elements}) AS _e, "
            f"generate_subscripts({elements}, 1) AS {_ident(child.index_column)} "
            f"FROM {valid_parents} AS parents WHERE {elements} IS NOT NULL) "
            f"SELECT line_number, {carried}, {_ident(child.index_column)}, {', '.join(step.columns)}, "
            f"{_case(step.reasons)} AS _reason FROM el"
        )
        for grandchild in child.children:
            self._build_typed_child(grandchild, _without_reason(f"{_TYPED}c_{child.table}"))

    def _build_child_tables(self, entity: Entity) -> Iterator[Child]:
        for i, child in enumerate(entity.children):
            yield from self._build_child(child, "rec_typed", len(entity.fields) + 1 + i)

    def _build_child(self, child: Child, parent: str, value_index: int) -> Iterator[Child]:
        elements = f"CAST(_v[{value_index}] AS JSON[])"
        carried = ", ".join(_ident(c) for c in child.parent_columns)
        fields = child.fields
        if child.scalar_column:
            fields = (Field(child.scalar_column, "$", Kind.STRING),)
        array_fields = tuple(Field(c.table, c.path, Kind.ARRAY) for c in child.children)
        paths = ", ".join(sql_literal(f.path) for f in fields + array_fields)
        label = f"{sql_literal(child.table + '[')} || {_ident(child.index_column)} || '].'"
        step = self._field_step(fields + array_fields, label)
        self._checks(step, child.checks, "NULL")
        reasons = _case(step.reasons)
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE c_{child.table} AS "
            f"WITH el AS (SELECT line_number, {carried}, unnest({elements}) AS _e, "
            f"generate_subscripts({elements}, 1) AS {_ident(child.index_column)} FROM {parent} "
            f"WHERE _reason IS NULL AND json_type(_v[{value_index}]) = 'ARRAY'), "
            f"ex AS (SELECT *, TRY(json_extract(_e, [{paths}])) AS _v FROM el) "
            f"SELECT line_number, {carried}, {_ident(child.index_column)}, _v, {', '.join(step.columns)}, "
            f"{reasons} AS _reason FROM ex"
        )
        yield child
        for grandchild_index, grandchild in enumerate(child.children):
            yield from self._build_child(grandchild, f"c_{child.table}", len(fields) + 1 + grandchild_index)

    def _collect_bad_lines(
        self, entity: Entity, child_tables: list[str], prefixes: list[str], context: ParseContext
    ) -> None:
        parts = [
            f"SELECT line_number, _reason, 0 AS _rank FROM {p}rec_base WHERE _reason IS NOT NULL"
            for p in prefixes
        ]
        parts += [
            f"SELECT line_number, _reason, 1 FROM {p}c_{t} WHERE _reason IS NOT NULL"
            for p in prefixes
            for t in child_tables
        ]
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE bad AS SELECT line_number, "
            "arg_min(_reason, _rank) AS _reason FROM (" + " UNION ALL ".join(parts) + ") "
            "GROUP BY line_number"
        )
        self._collect_duplicates(entity, prefixes, context)

    def _collect_duplicates(self, entity: Entity, prefixes: list[str], context: ParseContext) -> None:
        """Quarantine a repeated key of an event-like record; versioned records merge on their key."""
        if entity.newest_column:
            return
        keys = ", ".join(_ident(k) for k in entity.key)
        as_text = ", ".join(f"CAST({_ident(k)} AS VARCHAR) AS {_ident(k)}" for k in entity.key)
        order = f"{_ident(entity.newest_column)} DESC NULLS LAST, " if entity.newest_column else ""
        detail = sql_literal(f"another record with the same {'/'.join(entity.key)} was kept")
        same = " AND ".join(f"s.{_ident(k)} = ok_keys.{_ident(k)}" for k in ("_origin", *entity.key))
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE ok_keys AS SELECT line_number, {context.origin_sql()} AS _origin, "
            f"{as_text}, row_number() OVER "
            f"(PARTITION BY {_SEGMENT_SQL}, {keys} ORDER BY {order}line_number) AS _n "
            f"FROM ({_union(f'SELECT line_number, {keys} FROM {{p}}rec_base', prefixes)}) "
            "ANTI JOIN bad USING (line_number)"
        )
        self.con.execute(
            f"INSERT INTO bad SELECT line_number, {_reason(DUPLICATE, detail)} FROM ok_keys "
            f"WHERE _n > 1 OR EXISTS (SELECT 1 FROM seen_keys s WHERE {same})"
        )
        self.con.execute(f"INSERT INTO seen_keys SELECT _origin, {keys} FROM ok_keys WHERE _n = 1")

    # -- outputs ------------------------------------------------------------------------------------

    def _outputs(
        self, entity: Entity, children: list[Child], context: ParseContext, prefixes: list[str]
    ) -> tuple[dict[str, pa.Table], pa.Table]:
        """The raw tables, and the valid records with their clear personal columns too.

        The records are converted once (the typed path's ``rec_typed`` is a view: a second query
        would normalise and hash every e-mail and phone again); the raw table is their raw columns.
        """
        origin = f"{context.origin_sql()} AS {_ident(context.origin_column)}"
        raw_columns = [*_raw_columns(entity), context.origin_column]
        clear = (
            [c for c in _restricted_columns(entity) if c not in raw_columns]
            if entity.restricted_table
            else []
        )
        columns = ", ".join(_ident(c) for c in raw_columns[:-1] + clear)
        records = self._fetch(
            _union(
                f"SELECT {columns}, {origin} FROM {{p}}rec_typed ANTI JOIN bad USING (line_number)", prefixes
            )
        )
        tables = {entity.table: records.select(raw_columns)}
        for child in children:
            child_columns = [*child.parent_columns, child.index_column]
            child_columns += (
                [child.scalar_column] if child.scalar_column else [f.column for f in child.fields]
            )
            select = ", ".join(_ident(c) for c in child_columns)
            tables[child.table] = self._fetch(
                _union(
                    f"SELECT {select}, {origin} FROM {{p}}c_{child.table} ANTI JOIN bad USING (line_number)",
                    prefixes,
                )
            )
        return tables, records

    def _restricted_outputs(
        self, entity: Entity, context: ParseContext, records: pa.Table
    ) -> dict[str, pa.Table]:
        """The clear personal values of the valid ``records`` that have any, and the quarantined
        lines unmasked (see ParsedChunk)."""
        if not entity.personal_fields or entity.restricted_table is None:
            return {}
        personal = [pc.is_valid(records[f.column]) for f in entity.personal_fields]
        any_value = functools.reduce(pc.or_, personal)
        return {
            entity.restricted_table: records.select(
                [*_restricted_columns(entity), context.origin_column]
            ).filter(any_value),
            QUARANTINE_TABLE: self._quarantine(entity, context, "line"),
        }

    def _quarantine(self, entity: Entity, context: ParseContext, payload_sql: str) -> pa.Table:
        """The quarantined lines with their reasons; ``payload_sql``: the payload kept of a ``line``."""
        # an erased person's record is counted, never kept: no payload
        payload = f"CASE WHEN _reason.code = {sql_literal(SUPPRESSED)} THEN NULL ELSE {payload_sql} END"
        return self._fetch(
            f"SELECT {sql_literal(entity.table)} AS table_name, _reason.code AS reason_code, "
            f"_reason.detail AS reason_detail, {payload} AS raw_payload, "
            f"{context.origin_sql()} AS source_file, line_number & {_LINE_MASK} AS line_number "
            "FROM bad JOIN lines USING (line_number) ORDER BY bad.line_number"
        )

    def _fetch(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()


def _by_origin(lines: pa.Table, quarantine: pa.Table, context: ParseContext) -> dict[str, tuple[int, int]]:
    """Records read and quarantined per segment origin of a chunk."""
    segments = context.all_segments
    read = [0] * len(segments)
    if len(segments) == 1:
        read[0] = lines.num_rows
    else:
        indexes = pc.shift_right(lines["line_number"], SEGMENT_SHIFT)
        for item in pc.value_counts(indexes).to_pylist():
            read[item["values"]] = item["counts"]
    quarantined: dict[str, int] = {}
    for item in pc.value_counts(quarantine["source_file"]).to_pylist():
        quarantined[item["values"]] = item["counts"]
    counts: dict[str, tuple[int, int]] = {}
    for segment, count in zip(segments, read, strict=True):
        before = counts.get(segment.origin, (0, 0))
        counts[segment.origin] = (before[0] + count, quarantined.get(segment.origin, 0))
    return counts


def _union(template: str, prefixes: list[str]) -> str:
    """One query per path (``{p}`` is the prefix of its temp tables), stacked."""
    return " UNION ALL ".join(template.replace("{p}", p) for p in prefixes)


def _without_reason(relation: str) -> str:
    """The rows of ``relation`` (a table, or tables joined) that no reason rejects, as a subquery."""
    return f"(SELECT * FROM {relation} WHERE _reason IS NULL)"


def _case(reasons: list[str]) -> str:
    return "CASE " + " ".join(reasons) + " END" if reasons else "NULL"


def _record_column_read(path: str) -> str:
    """A record's JSONPath read from the decoded records' columns: ``$.device.category`` ->
    ``"_r.device"."category"`` (top-level keys are columns named :data:`RECORD_PREFIX` + key)."""
    first, *rest = nested_path_keys(path)
    return _ident(RECORD_PREFIX + first) + "".join("." + _ident(key) for key in rest)


def _element_read(path: str) -> str:
    """An array element's JSONPath read from its decoded struct ``_e``: ``$.id`` -> ``_e."id"``."""
    return "_e" + "".join("." + _ident(key) for key in nested_path_keys(path))


def _all_children(children: tuple[Child, ...]) -> Iterator[Child]:
    for child in children:
        yield child
        yield from _all_children(child.children)


def _raw_columns(entity: Entity) -> list[str]:
    columns: list[str] = []
    for f in entity.fields:
        if f.kind is Kind.OBJECT:
            continue
        if f.pii:
            columns.append(f"{f.column}_hash")
        elif not f.restricted:
            columns.append(f.column)
    return columns + [d.column for d in entity.derived]


def _restricted_columns(entity: Entity) -> list[str]:
    """The columns of the entity's restricted table: key, newest version, clear personal values."""
    names = list(entity.key) + ([entity.newest_column] if entity.newest_column else [])
    for f in entity.personal_fields:
        names += [f.column, f"{f.column}_normalised", f"{f.column}_hash"] if f.pii else [f.column]
    return names


def _known_keys(entity: Entity, scope: DriftScope) -> set[str]:
    depth = len(nested_path_keys(scope.path))
    prefix = nested_path_keys(scope.path)
    known = set()
    for path in [f.path for f in entity.fields] + [c.path for c in entity.children]:
        keys = nested_path_keys(path)
        if len(keys) > depth and keys[:depth] == prefix:
            known.add(keys[depth])
    return known


def _masked_payload_sql(entity: Entity) -> str:
    """The raw line with personal values replaced, for the raw (non-restricted) quarantine."""
    if not entity.personal_fields:
        return "line"
    payload = f"regexp_replace(line, {sql_literal(_EMAIL_PATTERN)}, '<redacted>', 'g')"
    for f in entity.personal_fields:
        key = re.escape(nested_path_keys(f.path)[-1])
        pattern = sql_literal(rf'"{key}"\s*:\s*"(?:[^"\\]|\\.)*"')
        replacement = sql_literal(f'"{key}": "<redacted>"')
        payload = f"regexp_replace({payload}, {pattern}, {replacement}, 'g')"
    return payload


def _snake_case(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", snake).strip("_").lower() or "unnamed"
