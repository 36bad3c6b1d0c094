"""Typed decoding of NDJSON lines with Arrow's JSON reader, the fast path of validation.

Arrow's reader, given an explicit schema built from an entity's spec, never coerces: a string where a
number is expected, a float for an integer, a scalar for an object, a duplicated key or broken JSON
make it fail. Lines are decoded in blocks; a block that fails is split until the failing lines are
isolated, and those lines are left to the line-by-line JSON path of :mod:`ingestion.validation`, which
names their exact reason. Lines decoded here are well-typed by construction.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from ingestion.specs import Child, DriftScope, Entity, Field, Kind, nested_path_keys

BLOCK_LINES = 1024
LEAF_LINES = 32
THREADS = 2
RECORD_PREFIX = "_r."  # decoded top-level keys are the columns "_r.<key>" of Decoded.typed
_ROW_IN_ERROR = re.compile(r"in row (\d+)")
# JSON whitespace may follow the object; as bytes: in UTF-8 an ASCII byte is never part of another character
_LAST_OF_OBJECT_LINE = pa.array([b"}", b" ", b"\t", b"\r"], pa.binary())
_ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.STRING: pa.string(),
    Kind.INT: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOL: pa.bool_(),
    Kind.TIMESTAMP: pa.string(),
    Kind.DATE: pa.string(),
    Kind.EPOCH_MS: pa.int64(),
    Kind.EPOCH_US: pa.int64(),
    Kind.YYYYMMDD: pa.string(),
    Kind.INT_STRING: pa.string(),
    Kind.FLOAT_STRING: pa.string(),
    Kind.BOOL_STRING: pa.string(),
}


class UnsupportedSpecError(Exception):
    """The spec has a shape the typed decoder does not cover (JSON text columns, clashing paths)."""


@dataclass
class Decoded:
    """Lines decoded with their types (``line_number`` plus one column per top-level key) and the rest.

    The keys stay top-level columns (not one struct column), named ``_r.<key>`` (:data:`RECORD_PREFIX`)
    so that they never shadow the parsing engine's columns of the same name: DuckDB's Arrow scan
    converts only the columns a statement reads, so each statement over ``typed`` pays for its own.
    """

    typed: pa.Table
    rest: pa.Table


def _tree_insert(tree: dict[str, object], keys: tuple[str, ...], leaf: object) -> None:
    node = tree
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise UnsupportedSpecError(f"{'.'.join(keys)} is both a value and an object")
        node = child
    existing = node.get(keys[-1])
    if existing is not None and existing != leaf and not (isinstance(existing, dict) and leaf == {}):
        raise UnsupportedSpecError(f"{'.'.join(keys)} is read with two types")
    if existing is None:
        node[keys[-1]] = leaf


def _field_leaf(f: Field) -> object:
    if f.kind is Kind.OBJECT:
        return {}
    if f.kind not in _ARROW_TYPES:
        raise UnsupportedSpecError(f"{f.column}: {f.kind.value} values are kept as JSON text")
    return _ARROW_TYPES[f.kind]


def _child_type(child: Child) -> pa.DataType:
    if child.scalar_column:
        return pa.list_(pa.string())
    return pa.list_(_struct(_tree(child.fields, child.children)))


def _tree(fields: tuple[Field, ...], children: tuple[Child, ...]) -> dict[str, object]:
    tree: dict[str, object] = {}
    for f in fields:
        _tree_insert(tree, nested_path_keys(f.path), _field_leaf(f))
    for child in children:
        _tree_insert(tree, nested_path_keys(child.path), _child_type(child))
    return tree


def _struct(tree: dict[str, object]) -> pa.StructType:
    return pa.struct([(k, _struct(v) if isinstance(v, dict) else v) for k, v in tree.items()])


def arrow_schema(entity: Entity) -> pa.Schema:
    """The explicit Arrow schema of an entity's records (:class:`UnsupportedSpecError` if none)."""
    return pa.schema(list(_struct(_tree(entity.fields, entity.children))))


def _read(lines: pa.Array, schema: pa.Schema) -> pa.Table | int | None:
    """Decode a block of lines; when Arrow rejects it, the row it names (if any) or None.

    A line holding more than one record (``{...}{...}``) makes the row count differ: rejected too.
    """
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(lines)], pa.int32()), lines), "\n")
    data = joined[0].as_buffer()
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    read = pj.ReadOptions(use_threads=False, block_size=max(len(data) + 1, 1 << 20))
    try:
        table = pj.read_json(pa.BufferReader(data), read_options=read, parse_options=options)
    except pa.ArrowInvalid as error:
        named = _ROW_IN_ERROR.search(str(error))
        return int(named.group(1)) if named and int(named.group(1)) < len(lines) else None
    return table if table.num_rows == len(lines) else None


def _decode_block(lines: pa.Table, schema: pa.Schema, typed: list[pa.Table], rest: list[pa.Table]) -> None:
    """Decode lines; a rejected line named by Arrow is set aside, else the block is split in halves.

    Lines set aside (``rest``) are a named line or a block of at most ``LEAF_LINES`` still rejected.
    """
    if not lines.num_rows:
        return
    outcome = _read(_one_array(lines["line"]), schema)
    if isinstance(outcome, pa.Table):
        typed.append(outcome.add_column(0, "line_number", lines["line_number"]))
    elif isinstance(outcome, int):
        _decode_block(lines.slice(0, outcome), schema, typed, rest)
        rest.append(lines.slice(outcome, 1))
        _decode_block(lines.slice(outcome + 1), schema, typed, rest)
    elif lines.num_rows <= LEAF_LINES:
        rest.append(lines)
    else:
        half = lines.num_rows // 2
        _decode_block(lines.slice(0, half), schema, typed, rest)
        _decode_block(lines.slice(half), schema, typed, rest)


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array, copied only when it spans chunks (``combine_chunks`` always copies)."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _decode(lines: pa.Table, schema: pa.Schema) -> tuple[list[pa.Table], list[pa.Table]]:
    typed: list[pa.Table] = []
    rest: list[pa.Table] = []
    _decode_block(lines, schema, typed, rest)
    return typed, rest


def decode_lines(lines: pa.Table, schema: pa.Schema) -> Decoded | None:
    """Decode what Arrow accepts of ``line_number, line, utf8_ok`` lines; the other lines are the rest.

    None when the blocks' extra keys got types that do not stack (the caller reads JSON instead).
    """
    typed: list[pa.Table] = []
    rest, runs = _set_aside(lines)
    blocks = [run.slice(start, BLOCK_LINES) for run in runs for start in range(0, run.num_rows, BLOCK_LINES)]
    with ThreadPoolExecutor(THREADS) as pool:  # Arrow releases the GIL while parsing
        for block_typed, block_rest in pool.map(lambda block: _decode(block, schema), blocks):
            typed += block_typed
            rest += block_rest
    try:
        records = pa.concat_tables(typed, promote_options="permissive") if typed else schema.empty_table()
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    # One contiguous chunk per column: DuckDB's Arrow scan refuses struct columns it would have to
    # read below a slice offset (columns chunked differently, or batches of a multi-file chunk).
    records = records.combine_chunks()
    if not typed:
        records = records.add_column(0, "line_number", pa.array([], pa.int64()))
    names = ["line_number"] + [RECORD_PREFIX + name for name in records.column_names[1:]]
    return Decoded(records.rename_columns(names), pa.concat_tables(rest))


def _set_aside(lines: pa.Table) -> tuple[list[pa.Table], list[pa.Table]]:
    """The lines Arrow is not asked to decode (as a one-table list), and the runs of lines between them.

    Set aside: lines that are not valid UTF-8, and lines that cannot be one JSON object because they
    end with neither ``}`` nor whitespace (a truncated line, the usual broken JSON). Arrow would
    reject them too, but only after parsing the block up to them, then the block would be parsed
    again around them. The runs are slices, not a filtered copy of every line.
    """
    # the last byte, not the last character: utf8_slice_codeunits walks every line from its start
    last = pc.binary_slice(lines["line"].cast(pa.binary()), -1)
    whole = pc.and_(lines["utf8_ok"], pc.is_in(last, value_set=_LAST_OF_OBJECT_LINE))
    aside = pc.indices_nonzero(pc.invert(whole)).to_pylist()
    runs = []
    start = 0
    for position in [*aside, lines.num_rows]:
        if position > start:
            runs.append(lines.slice(start, position - start))
        start = position + 1
    # one-line slices: take() on a table of several chunks would first copy every line into one
    return [pa.concat_tables([lines.slice(0, 0)] + [lines.slice(p, 1) for p in aside])], runs


def has_new_keys(decoded: pa.Schema, schema: pa.Schema, scopes: tuple[DriftScope, ...]) -> bool:
    """Whether decoded records hold non-null keys of a drift scope that the schema does not know."""
    record = pa.struct(
        [f.with_name(f.name.removeprefix(RECORD_PREFIX)) for f in decoded if f.name.startswith(RECORD_PREFIX)]
    )
    for scope in scopes:
        expected: pa.DataType = pa.struct(list(schema))
        found: pa.DataType | None = record
        for key in nested_path_keys(scope.path):
            expected = _member(expected, key)
            found = _member(found, key)
        if isinstance(found, pa.StructType) and isinstance(expected, pa.StructType):
            known = {f.name for f in expected}
            if any(f.name not in known and f.type != pa.null() for f in found):
                return True
    return False


def _member(struct: pa.DataType | None, key: str) -> pa.DataType | None:
    if not isinstance(struct, pa.StructType) or struct.get_field_index(key) < 0:
        return None
    return struct.field(key).type
