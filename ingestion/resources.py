"""Generic dlt resources: landing files or API records in, validated Arrow tables out.

Every source builds its resources here, so all of them share the validation, quarantine routing,
reconciliation rows, file state and table hints. Each raw table is a dlt table variant of the entity's
resource, with its own write disposition:

- the entity table merges on its key (``newest_column`` decides between versions in one load), or is
  replaced per ``merge_on`` value (GA4: per ``event_date``, delete-insert);
- nested tables are replaced per parent key (delete-insert on ``merge_on`` or the entity key);
- the side tables (``SIDE_TABLES``: ``quarantine``, ``reconciliation``, ``schema_drift``) are appended.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.destination.exceptions import SqlClientNotAvailable
from dlt.common.schema.typing import TColumnSchema
from dlt.destinations.exceptions import DatabaseUndefinedRelation
from dlt.extract.resource import DltResource

from ingestion.drift import SCHEMA_DRIFT_SCHEMA, SCHEMA_DRIFT_TABLE
from ingestion.handoff import HandoffWriter, read_handoff
from ingestion.http import prefetched, record_json
from ingestion.landing import (
    FileRead,
    Landing,
    LandingFile,
    appended_tails,
    day_in_name,
    files_to_read,
    forget_settled_contents,
    lines_from_json,
    mark_loaded,
    rewrite_horizon,
)
from ingestion.row_groups import RowGroupBatcher
from ingestion.specs import Entity
from ingestion.suppression import load_suppression
from ingestion.validation import (
    LINES_SCHEMA,
    QUARANTINE_TABLE,
    RECONCILIATION_TABLE,
    SIDE_TABLES,
    ParseContext,
    ParsedChunk,
    Predecoded,
    RecordParser,
    Segment,
    predecode,
    segment_line_numbers,
)

logger = logging.getLogger(__name__)

SOURCE_FILE_COLUMN = "_source_file"
SOURCE_API_COLUMN = "_source_api"
# lines parsed together (landing files, API records): a parse has a fixed cost (executing its SQL,
# ~0.1-0.2 s on GA4 however few lines take the line-by-line JSON path); 128 MB rather than 64 MB cut
# GA4 ingestion CPU by ~4 % for ~+0.4 GB peak memory, 256 MB rather than 128 MB by 5-12 % for
# ~+0.55 GB (512 MB: no further gain measured, +1.1 GB); ingestion/README.md, "Session 25"
BATCH_BYTES = 256 * 1024 * 1024


def table_hints(entity: Entity, table: str, append: bool = False) -> Any:
    """dlt hints of one raw table produced by ``entity``.

    ``append``: the load only adds rows no table holds yet (GA4 days never loaded), so the
    delete-insert through the staging dataset is skipped.
    """
    if table in SIDE_TABLES or append:
        return dlt.mark.make_hints(table_name=table, write_disposition="append")
    parent_key = [entity.merge_on] if entity.merge_on else list(entity.key)
    if table not in (entity.table, entity.restricted_table) or entity.merge_on:
        return dlt.mark.make_hints(table_name=table, write_disposition="merge", merge_key=parent_key)
    columns: dict[str, TColumnSchema] | None = (
        {entity.newest_column: {"dedup_sort": "desc"}} if entity.newest_column else None
    )
    return dlt.mark.make_hints(
        table_name=table, write_disposition="merge", primary_key=list(entity.key), columns=columns
    )


def _tagged(entity: Entity, table: str, data: pa.Table, append: bool = False) -> Any:
    if table not in SIDE_TABLES:  # no entity key in them
        data = _keys_not_null(data, (*entity.key, *filter(None, [entity.merge_on])))
    return dlt.mark.with_hints(data, table_hints(entity, table, append), create_table_variant=True)


def _keys_not_null(data: pa.Table, key: tuple[str, ...]) -> pa.Table:
    """Declare the key columns not null in the Arrow schema, as dlt's primary-key hint does.

    Records without a key are quarantined before this point (child rows carry their parent's
    key); without the declaration dlt warns that the Arrow and dlt schemas differ on every batch.
    """
    schema = data.schema
    for name in key:
        index = schema.get_field_index(name)
        if index >= 0:
            schema = schema.set(index, schema.field(index).with_nullable(False))
    return data.cast(schema)


def emit_chunk(
    entity: Entity,
    chunk: ParsedChunk,
    batcher: RowGroupBatcher,
    append: bool = False,
    handoff: HandoffWriter | None = None,
) -> Iterator[Any]:
    """The dlt items of one parsed chunk: its tables' rows that fill whole row groups (the rest is
    held by ``batcher`` for the next chunk, see :func:`emit_held`), plus its quarantine rows.

    Its clear personal data go to ``handoff``, for the restricted pipeline (ingestion.handoff).
    """
    if handoff is not None:
        handoff.write({table: data for table, data in chunk.restricted.items() if data.num_rows})
    for table, data in chunk.tables.items():
        for rows in batcher.whole(table, data):
            yield _tagged(entity, table, rows, append)
    if chunk.quarantine.num_rows:
        yield _tagged(entity, QUARANTINE_TABLE, chunk.quarantine)


def emit_held(entity: Entity, batcher: RowGroupBatcher, append: bool = False) -> Iterator[Any]:
    """The dlt items of the rows ``batcher`` still holds: call it once every chunk is emitted."""
    for table, data in batcher.held():
        yield _tagged(entity, table, data, append)


def appends_only(
    entity: Entity, files: list[LandingFile], state: dict[str, Any], tails: Iterable[str] = ()
) -> bool:
    """Whether loading ``files`` can only add rows: each file has a day no loaded file had, or is
    one of ``tails`` (loaded files a rewrite only appended lines to: those lines are read alone).

    Only for entities replaced per day (``merge_on``, GA4): validation quarantines a record whose day
    differs from its file's, so a day file never loaded brings rows of a day the tables do not hold,
    and a tail brings rows whose keys its day does not hold (:func:`_read_plan`).
    """
    if entity.merge_on is None or not files:
        return False
    loaded = state.get("files", {})
    loaded_days = {day_in_name(path) for path in loaded}
    tails = set(tails)
    return all(
        file.relative_path in tails
        or (file.day is not None and file.relative_path not in loaded and file.day not in loaded_days)
        for file in files
    )


def _read_plan(
    entity: Entity,
    landing: Landing,
    files: list[LandingFile],
    state: dict[str, Any],
    parser: RecordParser,
    horizon: date | None,
) -> tuple[dict[str, FileRead], bool]:
    """How to read each file, and whether the load only appends.

    A loaded day file that a rewrite only appended lines to (GA4 late events) is read from where the
    last read stopped, its lines appended to its day, when every other file of the run appends too:
    the keys its day holds are handed to the parser, so a late record repeating one is quarantined as
    a duplicate exactly as in a read of the whole file. Otherwise (another day rewritten in place, or
    a destination that cannot list the keys) every changed day file is read whole and replaces its
    day. Files that may still be rewritten (their day within the look-back) are read with a digest.
    """
    tails = appended_tails(landing, files, state) if entity.merge_on and horizon else {}
    append = appends_only(entity, files, state, tails)
    # the keys of the tails' days, read from the destination only when the run appends
    keys = {path: _loaded_keys(entity, day_in_name(path)) for path in tails} if append else {}
    listed = {path: loaded for path, loaded in keys.items() if loaded is not None}
    if len(listed) < len(tails):  # not an appending run, or a day's keys cannot be listed
        tails, append = {}, appends_only(entity, files, state)
    else:
        for path, loaded in listed.items():
            parser.expect_keys(path, loaded)
    reads = {
        file.relative_path: tails.get(file.relative_path)
        or (FileRead.hashed() if horizon and file.day and file.day >= horizon else FileRead())
        for file in files
    }
    return reads, append


def _loaded_keys(entity: Entity, day: date | None) -> pa.Table | None:
    """The keys of the rows of ``day`` in the entity's raw table; None when the destination cannot
    list them (not a SQL destination, no pipeline running, no table yet)."""
    pipeline = dlt.current.pipeline()
    if pipeline is None or day is None or entity.merge_on is None:
        return None
    columns = ", ".join(entity.key)
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name(entity.table)
            rows = client.execute_sql(f"SELECT {columns} FROM {table} WHERE {entity.merge_on} = %s", day)
    except (SqlClientNotAvailable, DatabaseUndefinedRelation) as error:
        logger.info("%s: changed files read whole (%s)", entity.table, error)
        return None
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in entity.key]
    return pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(entity.key, by_column, strict=True)}
    )


def create_tables_once(
    parser: RecordParser,
    state: dict[str, Any],
    append: bool = False,
    parsed: ParsedChunk | None = None,
    handoff: HandoffWriter | None = None,
) -> Iterator[Any]:
    """On a resource's first run, every table it writes, empty but fully typed.

    A source with no rows yet for some entity (no returns, no tickets) must still have
    its raw tables, so that the dbt staging models over them build. The types come from the first
    chunk parsed (``parsed``), else from parsing no lines at all. The restricted tables are handed
    over empty too, so that the restricted pipeline creates them.
    """
    if state.get("tables_created"):
        return
    chunk = parsed or parser.parse(LINES_SCHEMA.empty_table(), ParseContext(SOURCE_FILE_COLUMN, "", None))
    for table, data in chunk.tables.items():
        yield _tagged(parser.entity, table, data.slice(0, 0), append)
    yield _tagged(parser.entity, QUARANTINE_TABLE, chunk.quarantine.slice(0, 0))
    yield _tagged(
        parser.entity, RECONCILIATION_TABLE, reconciliation_table(parser.entity, "", 0, 0).slice(0, 0)
    )
    yield _tagged(parser.entity, SCHEMA_DRIFT_TABLE, SCHEMA_DRIFT_SCHEMA.empty_table())
    if handoff is not None:
        handoff.write({table: data.slice(0, 0) for table, data in chunk.restricted.items()})
    state["tables_created"] = True


def drift_items(parser: RecordParser, origin: str) -> Iterator[Any]:
    """The schema drift rows of a file (or API run) completely parsed, if it changed shape."""
    drift = parser.finish_origin(origin)
    if drift is not None and drift.num_rows:
        logger.warning(
            "%s: %s changed shape: %s",
            parser.entity.table,
            origin,
            "; ".join(f"{row['change']} {row['column_name']}" for row in drift.to_pylist()),
        )
        yield _tagged(parser.entity, SCHEMA_DRIFT_TABLE, drift)


def reconciliation_item(entity: Entity, origin: str, read: int, quarantined: int) -> Any:
    """One reconciliation row: records read = loaded + quarantined for one file (or API run)."""
    return _tagged(entity, RECONCILIATION_TABLE, reconciliation_table(entity, origin, read, quarantined))


def reconciliation_table(entity: Entity, origin: str, read: int, quarantined: int) -> pa.Table:
    """The reconciliation row as an Arrow table."""
    return pa.table(
        {
            "table_name": [entity.table],
            "source_file": [origin],
            "records_read": pa.array([read], pa.int64()),
            "records_loaded": pa.array([read - quarantined], pa.int64()),
            "records_quarantined": pa.array([quarantined], pa.int64()),
            "loaded_at": pa.array([datetime.now(UTC)], pa.timestamp("us", tz="UTC")),
        }
    )


def _parser(entity: Entity, pii_key: str, as_of: datetime | None) -> RecordParser:
    state = dlt.current.resource_state()
    return RecordParser(
        entity,
        pii_key=pii_key,
        as_of=as_of,
        drift=state.setdefault("drift", {}),
        suppressed=load_suppression(),
        presence=state.setdefault("presence", {}),
    )


def read_landing_files(
    entity: Entity,
    landing: Landing,
    pattern: str,
    *,
    pii_key: str,
    lookback_days: int | None = None,
    as_of: datetime | None = None,
) -> Iterator[Any]:
    """Validate every new or changed landing file of one entity and yield its tables.

    Small files are parsed together (one chunk of up to ``BATCH_BYTES`` may hold several files), so
    the fixed cost of a parse is paid per chunk, not per file; counts stay per file. Each chunk's
    Arrow decode runs in a background thread while the previous chunk is validated and written
    (:class:`_FileBatch`). (The whole parse in a background thread was tried earlier: ~10 % slower on
    2 quiet cores, the decoder's and the parsing engine's threads competing for the same cores.)
    """
    state = dlt.current.resource_state()
    listed = landing.list(pattern)
    files = files_to_read(listed, state, lookback_days=lookback_days)
    horizon = rewrite_horizon(listed, lookback_days)
    if files:
        logger.info("%s: %d file(s) to read from %s", entity.table, len(files), landing.url)
    parser = _parser(entity, pii_key, as_of)
    try:
        reads, append = _read_plan(entity, landing, files, state, parser, horizon)
    except BaseException:
        parser.close()
        raise
    batch = _FileBatch(parser, state, append, reads, _handoff_writer(entity))
    yield from _parsed_files(landing, files, batch)
    for file in batch.done:
        mark_loaded(state, file, reads[file.relative_path])
    forget_settled_contents(state, horizon)


def _parsed_files(landing: Landing, files: list[LandingFile], batch: _FileBatch) -> Iterator[Any]:
    """The dlt items of ``files``, parsed in chunks; the parser is closed when done (or abandoned)."""
    try:
        for file in files:
            for lines in landing.iter_line_chunks(file, read=batch.reads[file.relative_path]):
                if batch.full:
                    yield from batch.flush()
                batch.add(file, lines)
            batch.finish(file)
            if not batch.pending:
                yield from batch.flush()
        yield from batch.flush()
        yield from batch.drain()
        yield from emit_held(batch.parser.entity, batch.batcher, batch.append)
        yield from create_tables_once(batch.parser, batch.state, batch.append, handoff=batch.handoff)
    finally:
        batch.close()


@dataclass
class _Chunk:
    """Gathered lines on their way: decoding (``decoding``), then parsed; then their files' rows."""

    lines: pa.Table | None
    context: ParseContext | None
    decoding: Future[Predecoded] | None
    finished: list[LandingFile]


class _FileBatch:
    """Lines of consecutive files gathered into one chunk, parsed together, reconciled per file.

    A chunk's lines are decoded by Arrow in a background thread while the previous chunk goes through
    the parsing engine's SQL and dlt (which mostly run on one core): one chunk is in flight at most.
    """

    def __init__(
        self,
        parser: RecordParser,
        state: dict[str, Any],
        append: bool,
        reads: dict[str, FileRead],
        handoff: HandoffWriter | None,
    ) -> None:
        self.parser = parser
        self.state = state
        self.append = append
        self.reads = reads
        self.handoff = handoff
        self.pieces: list[tuple[LandingFile, pa.Table]] = []
        self.bytes = 0
        self.finished: list[LandingFile] = []  # files whose last lines are in the pieces
        self.counts: dict[str, list[int]] = {}  # relative path -> [read, quarantined]
        self.done: list[LandingFile] = []
        self.in_flight: _Chunk | None = None
        self.batcher = RowGroupBatcher()
        self._decoder = ThreadPoolExecutor(1, thread_name_prefix="ingestion-decode")

    @property
    def full(self) -> bool:
        """Whether the gathered lines reach the size of one chunk."""
        return self.bytes >= BATCH_BYTES

    @property
    def pending(self) -> bool:
        """Whether some lines wait to be parsed."""
        return bool(self.pieces)

    def add(self, file: LandingFile, lines: pa.Table) -> None:
        """Gather one line chunk of a file."""
        self.pieces.append((file, lines))
        self.bytes += lines.nbytes

    def finish(self, file: LandingFile) -> None:
        """Every line of ``file`` has been gathered (an empty file still gets its reconciliation row)."""
        self.finished.append(file)
        self.counts.setdefault(file.relative_path, [0, 0])

    def flush(self) -> Iterator[Any]:
        """Start decoding the gathered lines, then yield the chunk in flight before them, if any."""
        chunk = self._submit()
        previous, self.in_flight = self.in_flight, chunk
        if previous is not None:
            yield from self._complete(previous)

    def drain(self) -> Iterator[Any]:
        """Yield the chunk in flight."""
        chunk, self.in_flight = self.in_flight, None
        if chunk is not None:
            yield from self._complete(chunk)

    def close(self) -> None:
        """Stop the decoding thread and release the parser."""
        self._decoder.shutdown(wait=True, cancel_futures=True)
        self.parser.close()

    def _submit(self) -> _Chunk:
        finished, self.finished = self.finished, []
        if not self.pieces:
            return _Chunk(None, None, None, finished)
        segments: list[Segment] = []
        tables = []
        for file, lines in self.pieces:
            if not segments or segments[-1].origin != file.relative_path:
                segments.append(Segment(file.relative_path, file.day))
            tables.append(segment_line_numbers(lines, len(segments) - 1))
        self.pieces, self.bytes = [], 0
        gathered = pa.concat_tables(tables)
        decoding = self._decoder.submit(predecode, gathered, self.parser.decode_schema())
        context = ParseContext(SOURCE_FILE_COLUMN, segments=tuple(segments))
        return _Chunk(gathered, context, decoding, finished)

    def _complete(self, chunk: _Chunk) -> Iterator[Any]:
        """Parse a chunk (its decoding done), yield its tables, then the rows of the files it completes."""
        if chunk.lines is not None and chunk.context is not None and chunk.decoding is not None:
            yield from self._parse(chunk.lines, chunk.context, chunk.decoding.result())
        for file in chunk.finished:
            read, quarantined = self.counts.pop(file.relative_path, [0, 0])
            yield from drift_items(self.parser, file.relative_path)
            yield reconciliation_item(self.parser.entity, file.relative_path, read, quarantined)
            logger.info(
                "%s: %s read %d%s, loaded %d, quarantined %d",
                self.parser.entity.table,
                file.relative_path,
                read,
                f" appended lines (from line {self.reads[file.relative_path].start_line})"
                if self.reads[file.relative_path].is_tail
                else "",
                read - quarantined,
                quarantined,
            )
            self.done.append(file)

    def _parse(self, lines: pa.Table, context: ParseContext, predecoded: Predecoded) -> Iterator[Any]:
        chunk = self.parser.parse(lines, context, predecoded)
        for origin, (read, quarantined) in chunk.by_origin.items():
            counts = self.counts.setdefault(origin, [0, 0])
            counts[0] += read
            counts[1] += quarantined
        yield from create_tables_once(self.parser, self.state, self.append, chunk, self.handoff)
        yield from emit_chunk(self.parser.entity, chunk, self.batcher, self.append, self.handoff)


def read_api_records(
    entity: Entity,
    fetch: Callable[[datetime | None], Iterable[list[dict[str, Any]]]],
    origin: str,
    *,
    pii_key: str,
    cursor_column: str | None,
    as_of: datetime | None = None,
) -> Iterator[Any]:
    """Validate records served by an API exactly like landing file lines, incrementally.

    ``fetch(since)`` returns pages of records modified at or after ``since`` (None: everything); the
    newest ``cursor_column`` value loaded is kept in resource state for the next run (no cursor: the
    whole list every run). Records at the boundary come again and are merged on the entity key.

    A resource's first run (its tables created by no earlier load) appends: there is nothing to merge
    with. Should a key come twice in that run (an object changed while the API was paging), every
    table of the entity is switched back to its merge before the load, and the merge keeps the latest
    version as on any other run (:class:`_FirstLoad`).
    """
    state = dlt.current.resource_state()
    since = datetime.fromisoformat(state["cursor"]) if state.get("cursor") else None
    parser = _parser(entity, pii_key, as_of)
    context = ParseContext(SOURCE_API_COLUMN, origin)
    counts = {"read": 0, "quarantined": 0}
    newest: list[datetime] = []
    first = _FirstLoad(entity, active=not state.get("tables_created"))
    batcher = RowGroupBatcher()
    handoff = _handoff_writer(entity)

    def flush(batch: list[Any]) -> Iterator[Any]:
        chunk = parser.parse(lines_from_json(batch, counts["read"] + 1), context)
        counts["read"] += chunk.records_read
        counts["quarantined"] += chunk.records_quarantined
        loaded = chunk.tables.get(entity.table)
        if cursor_column and loaded is not None and loaded.num_rows:
            newest.append(pc.max(loaded[cursor_column]).as_py())
        yield from create_tables_once(parser, state, first.append, chunk, handoff)
        yield from first.check(chunk)
        yield from emit_chunk(entity, chunk, batcher, first.append, handoff)

    batch: list[Any] = []
    batch_bytes = 0
    try:
        parser.start_file()
        for page in prefetched(fetch(since)):
            # Each record's JSON bytes as the API sent them (ingestion.http keeps them raw), so they
            # meet the very validator of file lines (Arrow's JSON reader that never coerces, raw
            # payloads for quarantine). Pages gather into chunks of BATCH_BYTES, as file lines do: the
            # fixed cost of a parse (planning its SQL) is paid per chunk.
            texts = record_json(page)
            batch.extend(texts)
            batch_bytes += sum(len(text) for text in texts)
            if batch_bytes >= BATCH_BYTES:
                yield from flush(batch)
                batch, batch_bytes = [], 0
        if batch:
            yield from flush(batch)
        yield from emit_held(entity, batcher, first.append)
        yield from create_tables_once(parser, state, handoff=handoff)
        yield from drift_items(parser, origin)
    finally:
        parser.close()
    if counts["read"]:
        yield reconciliation_item(entity, origin, counts["read"], counts["quarantined"])
    if newest:
        state["cursor"] = max(newest).isoformat()
    logger.info("%s: %s read %d, quarantined %d", entity.table, origin, counts["read"], counts["quarantined"])


class _FirstLoad:
    """Whether the entity's tables are appended to (a first load whose keys are all distinct so far).

    dlt gives a table the write disposition of its last hint in a load package: when a key of the
    run repeats, an empty item with the merge hints of every table of the chunk (the entity table and
    all its nested tables) turns the whole package's rows of those tables into a merge, deduplicated
    on the key with the latest version kept, exactly as a run that merged from the start.
    """

    def __init__(self, entity: Entity, active: bool) -> None:
        self.entity = entity
        self.table = entity.table
        self.append = active
        self.seen: set[Any] = set()

    def check(self, chunk: ParsedChunk) -> Iterator[Any]:
        """Record the chunk's keys; on the first repeated key, switch every table back to merge."""
        if not self.append:
            return
        loaded = chunk.tables.get(self.table)
        if loaded is None or not loaded.num_rows:
            return
        columns = [loaded[name].to_pylist() for name in self.entity.key]
        keys = columns[0] if len(columns) == 1 else list(zip(*columns, strict=True))
        size = len(self.seen)
        self.seen.update(keys)
        if len(self.seen) == size + len(keys):
            return
        logger.info("%s: a key came twice in the first load: merged instead of appended", self.table)
        self.append, self.seen = False, set()
        for table, data in chunk.tables.items():
            yield _tagged(self.entity, table, data.slice(0, 0))


def api_resource(
    entity: Entity,
    fetch: Callable[[datetime | None], Iterable[list[dict[str, Any]]]],
    origin: str,
    *,
    pii_key: str,
    cursor_column: str | None,
    as_of: datetime | None = None,
) -> DltResource:
    """A dlt resource reading one entity from an API, incrementally on ``cursor_column``."""
    return dlt.resource(
        read_api_records(
            entity,
            fetch,
            origin,
            pii_key=pii_key,
            cursor_column=cursor_column,
            as_of=as_of,
        ),
        name=entity.table,
    )


def file_resource(
    entity: Entity,
    landing: Landing,
    pattern: str,
    *,
    pii_key: str,
    lookback_days: int | None = None,
    as_of: datetime | None = None,
) -> DltResource:
    """A dlt resource reading one entity's landing files."""
    return dlt.resource(
        read_landing_files(
            entity,
            landing,
            pattern,
            pii_key=pii_key,
            lookback_days=lookback_days,
            as_of=as_of,
        ),
        name=entity.table,
    )


def _handoff_writer(entity: Entity) -> HandoffWriter | None:
    """Where a raw resource hands its entity's clear personal data over (None: the entity has none)."""
    return HandoffWriter.for_current_load(entity.table) if entity.restricted_table else None


def handoff_resource(entity: Entity, raw_source: str) -> DltResource:
    """A dlt resource loading the restricted tables of ``entity`` that ``raw_source``'s runs handed over."""

    def items() -> Iterator[Any]:
        for table, data in read_handoff(raw_source, entity):
            yield _tagged(entity, table, data)

    return dlt.resource(items(), name=str(entity.restricted_table))
