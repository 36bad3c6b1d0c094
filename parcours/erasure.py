"""Erasure (right to be forgotten): remove one person from every file Parcours keeps.

``parcours erase --email ...`` (or ``--phone``, ``--loyalty-number``, ``--social-handle``,
``--customer-key``) does, in one go, with the pipeline stopped (DuckDB allows one writer):

1. **find the whole person** through the identity graph: the records carrying the requested
   identifier (``int_identity__observations``) or customer key (``int_identity__record_customers``),
   then every record and linking identifier of their connected components
   (``int_identity__components``), their customer keys, past keys of the key registry included;
2. **delete** every row naming one of those records, identifiers or keys from every table of the
   warehouse (raw, restricted, dlt staging, the staging models kept as tables (GA4 events and
   parameters, contacts, e-mail events, orders, mentions), intermediate, marts, the incremental
   key registry and merge log that survive full refreshes), staging views follow; quarantined
   lines whose payload names the person; the same rows from every published snapshot, rewritten
   into fresh files;
   and the activation audience files under ``exports/audiences/``, written again from the mart;
3. removes **leftover load files**: pending dlt load packages (a crashed run's extracted data)
   together with their pipeline's local state, which the next run restores from the warehouse, so
   the files behind them are read again through the suppression list; and DuckDB spill files;
4. adds the person's identifiers, keyed-hashed like ingestion does, to the **suppression list**
   (:mod:`ingestion.suppression`) so re-ingestion quarantines them as ``suppressed``;
5. **compacts** the warehouse into a fresh file (``COPY FROM DATABASE``): DuckDB's ``DELETE`` leaves
   the old bytes in the file, a copy does not;
6. appends an **audit** entry to ``<data dir>/logs/erasure_audit.jsonl`` (counts and keyed hashes,
   never a clear value).

The landing zone is the source systems' export, not Parcours' copy: erase the person in the source
system too; until then the suppression list keeps them out at every run.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ingestion.handoff import handoff_files
from ingestion.pii import load_pii_key, register_pii_macros
from ingestion.pipelines import pipelines_dir
from ingestion.suppression import SuppressedIdentifier, add_to_suppression
from parcours import engine
from parcours.audience_exports import AUDIENCES_FOLDER, export_audiences
from parcours.paths import DataDir
from parcours.serving import current_snapshot, publish_lock, remove_partial_snapshots

AUDIT_FILE = "erasure_audit.jsonl"
KINDS = ("email", "phone", "loyalty_number", "social_handle", "customer_key")
# Namespaces whose identity-graph values are already keyed hashes (no clear value exists downstream).
HASHED_NAMESPACES = frozenset({"email_hash", "phone_hash"})
PENDING_PACKAGE_DIRS = ("load/new", "load/normalized", "normalize/extracted")
SKIPPED_TABLE_PREFIX = "_dlt_"
QUARANTINE_TABLE = "quarantine"
_REWRITE_SUFFIX = ".erasure"  # a hand-off file rewritten without the person, before it is swapped in


class ErasureError(RuntimeError):
    """The erasure request cannot be carried out as asked."""


@dataclass(frozen=True)
class ErasureRequest:
    """Who to erase: one identifier of the person."""

    kind: str
    value: str
    country: str | None = None  # phones: country of a national number (default France)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ErasureError(f"unknown identifier kind {self.kind!r}; one of {', '.join(KINDS)}")
        if not self.value.strip():
            raise ErasureError("the identifier to erase is empty")


@dataclass
class ErasureReport:
    """What one erasure did; written to the audit log as it is (no clear personal value in it)."""

    erasure_id: str
    requested_at: str
    identifier_kind: str
    identifier_hmac: str
    customer_keys: int = 0
    records: dict[str, int] = field(default_factory=dict)
    identifiers: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)
    snapshots_rewritten: int = 0
    snapshot_rows_deleted: int = 0
    load_files_removed: int = 0
    handoff_rows_deleted: int = 0
    audience_files_rewritten: int = 0
    suppressed_added: int = 0
    warehouse_bytes_before: int = 0
    warehouse_bytes_after: int = 0
    seconds: float = 0.0

    def render(self) -> str:
        """The report as indented JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)


def erase(data_dir: DataDir, request: ErasureRequest) -> ErasureReport:
    """Erase one person from the warehouse, snapshots and load files; suppress and audit them."""
    started = time.perf_counter()
    if not data_dir.warehouse.is_file():
        raise ErasureError(f"no warehouse at {data_dir.warehouse}: nothing to erase")
    key = load_pii_key(data_dir)
    report = ErasureReport(
        erasure_id=uuid.uuid4().hex,
        requested_at=datetime.now(UTC).isoformat(timespec="seconds"),
        identifier_kind=request.kind,
        identifier_hmac="",
        warehouse_bytes_before=_size(data_dir.warehouse),
    )
    with _open_warehouse(data_dir.warehouse) as con:
        register_pii_macros(con, key)
        report.identifier_hmac = _seed(con, request)
        _find_person(con, request)
        _summarise(con, report)
        suppressed = _suppression_entries(con)
        report.rows_deleted = _delete_everywhere(con, con_catalog(con))
        erased_values = _erased_values(con)
    report.suppressed_added = add_to_suppression(data_dir, suppressed, report.erasure_id)
    _compact(data_dir.warehouse)
    report.warehouse_bytes_after = _size(data_dir.warehouse)
    report.snapshots_rewritten, report.snapshot_rows_deleted = _rewrite_snapshots(data_dir, erased_values)
    report.load_files_removed = _remove_leftover_files(data_dir)
    report.handoff_rows_deleted = _rewrite_handoff_files(data_dir, erased_values)
    report.audience_files_rewritten = _rewrite_audience_exports(data_dir)
    report.seconds = round(time.perf_counter() - started, 3)
    _audit(data_dir, report)
    return report


@contextmanager
def _open_warehouse(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        con = engine.connect(path)
    except duckdb.IOException as error:
        raise ErasureError(
            f"cannot open {path} for writing ({error}); stop the pipeline and the Dagster UI, then retry"
        ) from error
    try:
        yield con
    finally:
        con.close()


def con_catalog(con: duckdb.DuckDBPyConnection) -> str:
    """Name of the connection's own database (the warehouse file's stem)."""
    row = con.execute("select current_database()").fetchone()
    return str(row[0]) if row else "main"


# -- finding the person ------------------------------------------------------------------------------


def _seed(con: duckdb.DuckDBPyConnection, request: ErasureRequest) -> str:
    """Create ``erase_seed`` (namespace, value) from the request; return the keyed hash of the value."""
    con.execute("create or replace temp table erase_seed (namespace varchar, identifier_value varchar)")
    con.execute("create or replace temp table erase_seed_keys (customer_key varchar)")
    value = request.value
    if request.kind == "customer_key":
        con.execute("insert into erase_seed_keys values (?)", [value.strip()])
        return _one(con, "select pii_hmac(?)", [value.strip()])
    expressions: dict[str, tuple[str, str, list[object]]] = {
        "email": ("email_hash", "pii_hmac(pii_email(?::varchar))", [value]),
        "phone": ("phone_hash", "pii_hmac(pii_phone(?::varchar, ?::varchar))", [value, request.country]),
        "loyalty_number": ("loyalty_card_number", "nullif(trim(?::varchar), '')", [value]),
        "social_handle": ("social_handle", "nullif(ltrim(lower(trim(?::varchar)), '@'), '')", [value]),
    }
    namespace, sql, params = expressions[request.kind]
    normalised = _one(con, f"select {sql}", params)
    if normalised is None:
        raise ErasureError(f"{request.kind} is not a valid {request.kind.replace('_', ' ')}")
    con.execute("insert into erase_seed values (?, ?)", [namespace, normalised])
    return normalised if namespace in HASHED_NAMESPACES else _one(con, "select pii_hmac(?)", [normalised])


def _find_person(con: duckdb.DuckDBPyConnection, request: ErasureRequest) -> None:
    """Fill ``erase_records``, ``erase_identifiers`` and ``erase_keys`` with the whole person."""
    _require_identity_graph(con)
    con.execute(
        """
        create or replace temp table erase_seed_records as
        select distinct o.source, o.record_type, o.record_id
        from intermediate.int_identity__observations as o
        inner join erase_seed as s
            on o.identifier_namespace = s.namespace and o.identifier_value = s.identifier_value
        union
        select distinct source, record_type, record_id
        from intermediate.int_identity__record_customers
        where customer_key in (
            select customer_key from erase_seed_keys
            union
            select surviving_customer_key from intermediate.int_identity__merge_log
            where retired_customer_key in (select customer_key from erase_seed_keys)
        )
        """
    )
    _refuse_shared_seed(con, request)
    con.execute(
        """
        create or replace temp table erase_components as
        select distinct c.component_id
        from intermediate.int_identity__components as c
        inner join intermediate.int_identity__records as n on c.node_id = n.record_node_id
        inner join erase_seed_records as r
            on n.source = r.source and n.record_type = r.record_type and n.record_id = r.record_id
        """
    )
    con.execute(
        """
        create or replace temp table erase_records as
        select source, record_type, record_id from erase_seed_records
        union
        select n.source, n.record_type, n.record_id
        from intermediate.int_identity__components as c
        inner join intermediate.int_identity__records as n on c.node_id = n.record_node_id
        where c.component_id in (select component_id from erase_components)
        """
    )
    con.execute(
        """
        create or replace temp table erase_identifiers as
        select namespace as identifier_namespace, identifier_value from erase_seed
        union
        select n.identifier_namespace, n.identifier_value
        from intermediate.int_identity__components as c
        inner join intermediate.int_identity__identifiers as n on c.node_id = n.identifier_node_id
        where c.component_id in (select component_id from erase_components)
        union
        select t.identifier_namespace, o.record_id
        from erase_records as o
        inner join (values ('contact', 'crm_contact_id'), ('ga4_cookie', 'ga4_user_pseudo_id'))
            as t (record_type, identifier_namespace) using (record_type)
        """
    )
    con.execute(
        """
        create or replace temp table erase_keys as
        select customer_key from erase_seed_keys
        union
        select customer_key from intermediate.int_identity__record_customers
        where customer_key is not null
            and (source, record_type, record_id)
            in (select (source, record_type, record_id) from erase_records)
        union
        select customer_key from intermediate.int_identity__key_registry
        where (identifier_namespace, identifier_value)
            in (select (identifier_namespace, identifier_value) from erase_identifiers)
        union
        select previous_customer_key from intermediate.int_identity__key_registry
        where previous_customer_key is not null
            and (identifier_namespace, identifier_value)
            in (select (identifier_namespace, identifier_value) from erase_identifiers)
        """
    )
    found = _one(con, "select (select count(*) from erase_records) + (select count(*) from erase_keys)")
    if not found:
        raise ErasureError(f"no record carries this {request.kind.replace('_', ' ')}: nothing to erase")


def _require_identity_graph(con: duckdb.DuckDBPyConnection) -> None:
    needed = {
        "int_identity__observations",
        "int_identity__records",
        "int_identity__identifiers",
        "int_identity__edges",
        "int_identity__components",
        "int_identity__record_customers",
        "int_identity__key_registry",
        "int_identity__merge_log",
    }
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'intermediate'"
        ).fetchall()
    }
    missing = sorted(needed - present)
    if missing:
        raise ErasureError(
            f"the identity graph is not built ({', '.join(missing)} missing): run `parcours run` first"
        )


def _refuse_shared_seed(con: duckdb.DuckDBPyConnection, request: ErasureRequest) -> None:
    """An identifier shared by many people (a hub) does not name one person: refuse it."""
    row = con.execute(
        """
        select i.link_status, i.record_count
        from intermediate.int_identity__identifiers as i
        inner join erase_seed as s
            on i.identifier_namespace = s.namespace and i.identifier_value = s.identifier_value
        """
    ).fetchone()
    if row is not None and row[0] != "linking":
        raise ErasureError(
            f"this {request.kind.replace('_', ' ')} is {row[0]} ({row[1]} records, several people): "
            "it does not name one person; erase by another identifier or by customer key"
        )


def _summarise(con: duckdb.DuckDBPyConnection, report: ErasureReport) -> None:
    report.records = {
        str(record_type): int(count)
        for record_type, count in con.execute(
            "select record_type, count(*) from erase_records group by record_type order by record_type"
        ).fetchall()
    }
    report.identifiers = int(_one(con, "select count(*) from erase_identifiers"))
    report.customer_keys = int(_one(con, "select count(*) from erase_keys"))


def _suppression_entries(con: duckdb.DuckDBPyConnection) -> list[SuppressedIdentifier]:
    rows = con.execute(
        """
        select identifier_namespace,
            case when identifier_namespace in ('email_hash', 'phone_hash') then identifier_value
                else pii_hmac(identifier_value) end
        from erase_identifiers
        order by 1, 2
        """
    ).fetchall()
    return [SuppressedIdentifier(str(namespace), str(value)) for namespace, value in rows]


# -- deleting ----------------------------------------------------------------------------------------


def _build_erased_values(con: duckdb.DuckDBPyConnection) -> None:
    """``erase_values``: every exact value naming the person (ids, identifiers, keys, events)."""
    con.execute(
        """
        create or replace temp table erase_values as
        select record_id as v from erase_records
        union select identifier_value from erase_identifiers
        union select customer_key from erase_keys
        """
    )
    if _has_table(con, "raw_ga4", "events"):
        con.execute(
            """
            insert into erase_values
            select distinct event_id from raw_ga4.events
            where user_pseudo_id in (select record_id from erase_records where record_type = 'ga4_cookie')
            """
        )
    # clear values of the person's contacts (restricted datasets): they appear in quarantined lines
    for schema, table, key, columns in (
        (
            "restricted_crm",
            "contacts",
            "contact_id",
            ("email", "phone", "email_normalised", "phone_normalised"),
        ),
        ("restricted_pos", "receipt_emails", "order_id", ("receipt_email", "receipt_email_normalised")),
    ):
        present = _columns(con, schema, table)
        for column in (c for c in columns if c in present):
            con.execute(
                f'insert into erase_text select distinct "{column}" from {schema}."{table}" '
                f'where "{column}" is not null and cast("{key}" as varchar) in (select v from erase_values)'
            )


def _delete_everywhere(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Delete every row of every base table with a text column equal to one of the person's values."""
    con.execute("create or replace temp table erase_text (t varchar)")
    _build_erased_values(con)
    # quarantined lines are JSON text: match the person's values as JSON strings
    con.execute("insert into erase_text select v from erase_values where length(v) >= 4")
    con.execute("update erase_text set t = '\"' || t || '\"'")
    tables = con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = ? and table_type = 'BASE TABLE'
            and table_schema not in ('information_schema', 'pg_catalog')
        order by table_schema, table_name
        """,
        [catalog],
    ).fetchall()
    deleted = _delete_graph_nodes(con)
    for schema, table in tables:
        if table.startswith(SKIPPED_TABLE_PREFIX):
            continue
        count = _delete_from(con, schema, table)
        if count:
            deleted[f"{schema}.{table}"] = count
    return deleted


def _delete_graph_nodes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Delete the person's components from the identity graph, whose rows hold integer node ids only."""
    deleted: dict[str, int] = {}
    node_filter = (
        "in (select node_id from intermediate.int_identity__components "
        "where component_id in (select component_id from erase_components))"
    )
    for table, condition in (
        ("int_identity__edges", f"record_node_id {node_filter}"),
        ("int_identity__components", "component_id in (select component_id from erase_components)"),
    ):
        count = _delete_rows(con, f"intermediate.{table}", condition)
        if count:
            deleted[f"intermediate.{table}"] = count
    return deleted


def _delete_from(con: duckdb.DuckDBPyConnection, schema: str, table: str, alias: str = "") -> int:
    """Delete the person's rows from one table; return how many went."""
    qualified = f'{alias + "." if alias else ""}"{schema}"."{table}"'
    condition = _person_condition(con, schema, table, alias)
    if condition is None:
        return 0
    return _delete_rows(con, qualified, condition)


def _delete_rows(con: duckdb.DuckDBPyConnection, qualified: str, condition: str) -> int:
    """Delete the rows of one table that meet ``condition``; return how many went."""
    before = int(_one(con, f"select count(*) from {qualified}"))
    con.execute(f"delete from {qualified} where {condition}")
    return before - int(_one(con, f"select count(*) from {qualified}"))


def _person_condition(con: duckdb.DuckDBPyConnection, schema: str, table: str, alias: str) -> str | None:
    text_columns = [
        name
        for name, data_type in con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = coalesce(nullif(?, ''), current_database()) "
            "and table_schema = ? and table_name = ? order by ordinal_position",
            [alias, schema, table],
        ).fetchall()
        if data_type == "VARCHAR" and not name.startswith("_dlt")
    ]
    conditions = [f'"{name}" in (select v from erase_values)' for name in text_columns]
    if table == QUARANTINE_TABLE and "raw_payload" in text_columns:
        conditions.append("exists (select 1 from erase_text where contains(raw_payload, erase_text.t))")
    return " or ".join(conditions) if conditions else None


def _erased_values(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    values = [row[0] for row in con.execute("select v from erase_values where v is not null").fetchall()]
    texts = [row[0] for row in con.execute("select t from erase_text where t is not null").fetchall()]
    return values, texts


# -- compaction, snapshots, files --------------------------------------------------------------------


def _compact(warehouse: Path) -> None:
    """Copy the warehouse into a fresh file and swap it in: deleted rows' bytes do not follow."""
    compacted = warehouse.with_name(f".{warehouse.name}.compact")
    compacted.unlink(missing_ok=True)
    with _open_warehouse(warehouse) as con:
        catalog = con_catalog(con)
        con.execute(f"attach '{compacted}' as erasure_compacted")
        con.execute(f'copy from database "{catalog}" to erasure_compacted')
        con.execute("detach erasure_compacted")
    _fsync(compacted)
    compacted.replace(warehouse)
    Path(f"{warehouse}.wal").unlink(missing_ok=True)


def _rewrite_snapshots(data_dir: DataDir, erased: tuple[list[str], list[str]]) -> tuple[int, int]:
    """Rewrite every published snapshot without the person, into a fresh file swapped in atomically."""
    values, texts = erased
    rewritten = removed = 0
    data_dir.serving.mkdir(parents=True, exist_ok=True)
    with publish_lock(data_dir.serving):
        current = current_snapshot(data_dir.serving)
        remove_partial_snapshots(data_dir.serving)
        for snapshot in sorted(data_dir.serving.glob("snapshot_*.duckdb")):
            removed += _rewrite_snapshot(snapshot, values, texts)
            rewritten += 1
    if current is not None and not current.path(data_dir.serving).is_file():
        raise ErasureError(f"the current snapshot {current.file} vanished during erasure")
    return rewritten, removed


def _rewrite_snapshot(snapshot: Path, values: list[str], texts: list[str]) -> int:
    fresh = snapshot.with_name(f".{snapshot.name}.erasure")
    fresh.unlink(missing_ok=True)
    removed = 0
    with engine.connect(fresh) as con:
        _load_erased(con, values, texts)
        con.execute(f"attach '{snapshot}' as published (read_only)")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'published' and table_type = 'BASE TABLE' order by all"
        ).fetchall()
        for schema, table in tables:
            condition = _person_condition(con, schema, table, "published")
            source = f'published."{schema}"."{table}"'
            where = f"where not coalesce({condition}, false)" if condition else ""
            con.execute(f'create table main."{table}" as select * from {source} {where}')
            total = int(_one(con, f"select count(*) from {source}"))
            removed += total - int(_one(con, f'select count(*) from main."{table}"'))
        con.execute("detach published")
        con.execute("checkpoint")
    _fsync(fresh)
    fresh.replace(snapshot)
    Path(f"{snapshot}.wal").unlink(missing_ok=True)
    return removed


def _rewrite_audience_exports(data_dir: DataDir) -> int:
    """Write the activation audience files again from the erased warehouse: the person leaves them."""
    folder = data_dir.exports / AUDIENCES_FOLDER
    if not folder.is_dir():
        return 0
    return len(export_audiences(data_dir.warehouse, folder).files)


def _remove_leftover_files(data_dir: DataDir) -> int:
    """Remove pending dlt load packages (with their pipeline's local state) and DuckDB spill files."""
    removed = 0
    root = pipelines_dir(data_dir)
    for pipeline in sorted(root.glob("*")) if root.is_dir() else []:
        pending = [
            path
            for folder in PENDING_PACKAGE_DIRS
            for path in (pipeline / folder).rglob("*")
            if path.is_file() and path.name != ".version"
        ]
        if pending:
            removed += len(pending)
            shutil.rmtree(pipeline)  # the next run restores the committed state from the warehouse
    for spill in (data_dir.tmp / "duckdb", Path(f"{data_dir.warehouse}.tmp")):
        if spill.is_dir():
            removed += sum(1 for path in spill.rglob("*") if path.is_file())
            shutil.rmtree(spill)
    return removed


def _load_erased(con: duckdb.DuckDBPyConnection, values: list[str], texts: list[str]) -> None:
    """The person's values (``erase_values``) and payload texts (``erase_text``) in a fresh engine."""
    con.execute("create temp table erase_values (v varchar)")
    con.execute("create temp table erase_text (t varchar)")
    if values:
        con.executemany("insert into erase_values values (?)", [[v] for v in values])
    if texts:
        con.executemany("insert into erase_text values (?)", [[t] for t in texts])


def _rewrite_handoff_files(data_dir: DataDir, erased: tuple[list[str], list[str]]) -> int:
    """Rewrite the restricted copies waiting between two pipelines (ingestion.handoff) without the
    person; return the rows removed. Each file is written beside and swapped in."""
    values, texts = erased
    removed = 0
    _discard_unfinished_rewrites(data_dir)
    with engine.connect() as con:
        _load_erased(con, values, texts)
        for path in handoff_files(pipelines_dir(data_dir)):
            # named as the table it feeds: quarantined payloads are searched for the person's values
            table = QUARANTINE_TABLE if path.stem.startswith(QUARANTINE_TABLE) else "handoff"
            con.execute(f"create or replace temp table {table} as select * from read_parquet(?)", [str(path)])
            condition = _person_condition(con, "main", table, "temp")
            gone = _delete_rows(con, f"temp.{table}", condition) if condition else 0
            if gone:
                fresh = path.with_name(f".{path.name}{_REWRITE_SUFFIX}")
                con.execute(f"copy temp.{table} to '{fresh}' (format parquet)")
                _fsync(fresh)
                fresh.replace(path)
                removed += gone
    return removed


def _discard_unfinished_rewrites(data_dir: DataDir) -> None:
    """Delete the rewrites an erasure stopped before swapping in: each is a hand-off file minus
    a person, a stray copy of everyone else's clear values; its original is rewritten again."""
    for stray in handoff_files(pipelines_dir(data_dir), f".*.parquet{_REWRITE_SUFFIX}"):
        stray.unlink()


def _audit(data_dir: DataDir, report: ErasureReport) -> None:
    data_dir.logs.mkdir(parents=True, exist_ok=True)
    with (data_dir.logs / AUDIT_FILE).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(report), sort_keys=True) + "\n")


# -- small helpers -----------------------------------------------------------------------------------


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(_columns(con, schema, table))


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_catalog = current_database() and table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }


def _size(path: Path) -> int:
    wal = Path(f"{path}.wal")
    return (path.stat().st_size if path.is_file() else 0) + (wal.stat().st_size if wal.is_file() else 0)


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
