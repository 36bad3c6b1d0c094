"""Declarative record specs: which JSON path becomes which typed raw column, and what makes a record bad.

Every source describes its entities with these classes; :mod:`ingestion.validation` turns a spec into
vectorised DuckDB SQL. Paths are JSONPath as DuckDB reads them (``$.properties.email``), relative to the
record (or to the element of a nested list, for :class:`Child`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Reason codes of the quarantine table (see ingestion/README.md).
BROKEN_JSON = "broken_json"
MISSING_KEY = "missing_key"
WRONG_TYPE = "wrong_type"
OUT_OF_RANGE = "out_of_range"
FUTURE_TIMESTAMP = "future_timestamp"
TYPE_DRIFT = "type_drift"
DUPLICATE = "duplicate"
SUPPRESSED = "suppressed"
REASON_CODES = (
    BROKEN_JSON,
    MISSING_KEY,
    WRONG_TYPE,
    OUT_OF_RANGE,
    FUTURE_TIMESTAMP,
    TYPE_DRIFT,
    DUPLICATE,
    SUPPRESSED,
)


class Kind(StrEnum):
    """How a JSON value is checked and typed."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    TIMESTAMP = "timestamp"  # ISO 8601 string -> TIMESTAMPTZ (UTC)
    DATE = "date"  # ISO date string -> DATE
    EPOCH_MS = "epoch_ms"  # integer milliseconds -> TIMESTAMPTZ
    EPOCH_US = "epoch_us"  # integer microseconds -> TIMESTAMPTZ
    YYYYMMDD = "yyyymmdd"  # "20261102" -> DATE
    INT_STRING = "int_string"  # "9" -> BIGINT (HubSpot property values)
    FLOAT_STRING = "float_string"  # "1.5" -> DOUBLE (Square quantities)
    BOOL_STRING = "bool_string"  # "true" / "false" -> BOOLEAN
    JSON = "json"  # object or list kept as JSON text
    ARRAY = "array"  # a nested list unnested into a child table; not a column
    OBJECT = "object"  # a nested object that must be there; not a column


TIME_KINDS = frozenset({Kind.TIMESTAMP, Kind.EPOCH_MS, Kind.EPOCH_US})


@dataclass(frozen=True)
class Field:
    """One typed column read from one JSON path."""

    column: str
    path: str
    kind: Kind = Kind.STRING
    required: bool = False
    min_value: float | None = None
    max_value: float | None = None
    allow_future: bool = False
    pii: str | None = None  # "email" or "phone": normalised and keyed-hashed; clear only in restricted
    country_column: str | None = None  # phones: column holding the ISO country for national numbers
    restricted: bool = False  # personal data kept in clear in the restricted dataset only
    mismatch_code: str = WRONG_TYPE  # TYPE_DRIFT for columns added by schema drift


@dataclass(frozen=True)
class Check:
    """A record-level rule: ``failing`` is a SQL condition over typed columns, true when the record is bad."""

    code: str
    detail: str
    failing: str


@dataclass(frozen=True)
class Derived:
    """A column computed in SQL from typed columns (e.g. a deterministic event id).

    The SQL may also use ``_n_<child table>``, the element count of a nested list.
    """

    column: str
    sql: str


@dataclass(frozen=True)
class Child:
    """A nested list unnested into its own table, keyed by parent columns plus the element's position."""

    table: str
    path: str
    fields: tuple[Field, ...]
    parent_columns: tuple[str, ...]
    index_column: str
    checks: tuple[Check, ...] = ()
    children: tuple[Child, ...] = ()
    scalar_column: str | None = None  # list of scalars: the element itself becomes this string column
    key_column: str | None = None  # a parameter-like list: new and vanished values are drift-reported
    known_keys: tuple[str, ...] = ()  # values of ``key_column`` the source is documented to send


@dataclass(frozen=True)
class DriftScope:
    """A JSON object whose unknown keys become new raw columns (schema drift), named ``prefix + key``."""

    path: str
    prefix: str = ""


@dataclass(frozen=True)
class Entity:
    """One record type of one source: its raw table, typed fields, rules and nested tables."""

    table: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    derived: tuple[Derived, ...] = ()
    checks: tuple[Check, ...] = ()
    children: tuple[Child, ...] = ()
    drift_scopes: tuple[DriftScope, ...] = (DriftScope("$"),)
    newest_column: str | None = None  # among rows sharing a key, the latest value of this column wins
    merge_on: str | None = None  # delete-insert on this column instead of merging on the key
    restricted_table: str | None = None  # table of the restricted dataset holding clear personal data
    # report keys every earlier file had that a file lacks (costs one JSON key scan of every line)
    track_key_presence: bool = True

    @property
    def personal_fields(self) -> tuple[Field, ...]:
        """Fields whose clear values never reach the raw dataset."""
        return tuple(f for f in self.fields if f.pii or f.restricted)

    def with_fields(self, extra: tuple[Field, ...]) -> Entity:
        """A copy of this entity with more fields (columns discovered by schema drift)."""
        return Entity(
            self.table,
            self.fields + extra,
            self.key,
            self.derived,
            self.checks,
            self.children,
            self.drift_scopes,
            self.newest_column,
            self.merge_on,
            self.restricted_table,
            self.track_key_presence,
        )


def nested_path_keys(path: str) -> tuple[str, ...]:
    """Split a simple JSONPath (``$.a.b``) into its keys."""
    return tuple(part.strip('"') for part in path.removeprefix("$").split(".") if part)
