"""Pipelines: one dlt pipeline per dataset, all state under ``<data dir>/tmp/dlt``, and the run report.

:func:`make_pipeline` is what Dagster's ``@dlt_assets`` uses; :func:`run_ingestion` runs every source
in file mode (API mode is chosen per source through dlt config, e.g. ``SOURCES__CRM__MODE=api``) and
returns the per-table reconciliation read back from the destination.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import dlt
import duckdb
from dlt.common.pipeline import LoadInfo
from dlt.common.storages.load_package import PackageStorage
from dlt.destinations.exceptions import DatabaseUndefinedRelation
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingestion.drift import SCHEMA_DRIFT_TABLE
from ingestion.handoff import RESTRICTED_SUFFIX
from ingestion.handoff import settle as settle_handoff
from ingestion.huge_pages import without_huge_pages
from ingestion.pii import ensure_pii_key
from ingestion.sources import crm, pos
from ingestion.sources.crm import crm_restricted_source, crm_source
from ingestion.sources.ga4 import ga4_source
from ingestion.sources.ga4.entities import EVENTS
from ingestion.sources.pos import pos_restricted_source, pos_source
from ingestion.sources.social import social_source
from ingestion.sources.social.entities import MENTIONS, POSTS
from ingestion.specs import Child, Entity
from ingestion.validation import QUARANTINE_TABLE, RECONCILIATION_TABLE, SIDE_TABLES
from parcours import engine
from parcours.paths import DataDir
from parcours.telemetry import disable_telemetry

logger = logging.getLogger(__name__)

SOURCE_NAMES = ("crm", "ga4", "pos", "social")
DATASETS = {
    "crm": "raw_crm",
    "ga4": "raw_ga4",
    "pos": "raw_pos",
    "social": "raw_social",
    "crm_restricted": "restricted_crm",
    "pos_restricted": "restricted_pos",
}
# Source name -> the dlt pipelines it runs, in order (raw first, then the restricted copy its
# parse handed over: ingestion.handoff).
SOURCE_PIPELINES: dict[str, tuple[str, ...]] = {
    "crm": ("crm", "crm_restricted"),
    "ga4": ("ga4",),
    "pos": ("pos", "pos_restricted"),
    "social": ("social",),
}
RAW_SOURCES: dict[str, Callable[..., Any]] = {
    "crm": crm_source,
    "ga4": ga4_source,
    "pos": pos_source,
    "social": social_source,
}
RESTRICTED_SOURCES: dict[str, Callable[[], Any]] = {
    "crm_restricted": crm_restricted_source,
    "pos_restricted": pos_restricted_source,
}
PIPELINE_ENTITIES: dict[str, tuple[Entity, ...]] = {
    "crm": tuple(crm.FILE_PATTERNS),
    "crm_restricted": tuple(e for e in crm.FILE_PATTERNS if e.restricted_table),
    "ga4": (EVENTS,),
    "pos": tuple(pos.FILE_PATTERNS),
    "pos_restricted": tuple(e for e in pos.FILE_PATTERNS if e.restricted_table),
    "social": (MENTIONS, POSTS),
}
DLT_SETTINGS = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
    "LOAD__DELETE_COMPLETED_JOBS": "true",
    "LOAD__TRUNCATE_STAGING_DATASET": "true",
}
PROGRESS_LOG_SECONDS = 10.0
SOURCE_WORKERS = 2  # sources ingested at once (threads); each source's pipelines stay in order
T = TypeVar("T")
PENDING_TRANSITIONS = PackageStorage.PENDING_TRANSITIONS_FOLDER  # dlt: outcomes of committed jobs


def configure_dlt() -> None:
    """dlt settings every Parcours pipeline relies on, unless the user set them otherwise."""
    disable_telemetry()
    for name, value in DLT_SETTINGS.items():
        os.environ.setdefault(name, value)


def make_source(pipeline_name: str, landing_url: str, pii_key: str) -> Any:
    """The dlt source a pipeline runs: a raw source on the landing zone, or a restricted one."""
    if pipeline_name in RESTRICTED_SOURCES:
        return RESTRICTED_SOURCES[pipeline_name]()
    return RAW_SOURCES[pipeline_name](landing_url=landing_url, pii_key=pii_key)


def pipelines_dir(data_dir: DataDir) -> Path:
    """dlt's working folders (state, schemas, pending load packages)."""
    return data_dir.tmp / "dlt"


def default_progress() -> Any:
    """A progress bar on a terminal, periodic log lines otherwise."""
    if sys.stderr.isatty():
        return "tqdm"
    return dlt.progress.log(
        PROGRESS_LOG_SECONDS, logger=logging.getLogger("ingestion.progress"), dump_system_stats=False
    )


def make_pipeline(
    name: str, data_dir: DataDir, destination: Any = None, progress: Any = None
) -> dlt.Pipeline:
    """The dlt pipeline of one dataset (``crm``, ``crm_restricted``, ``ga4``, ``pos``, ...).

    The destination is the DuckDB warehouse of the data directory unless another dlt destination is
    given; nothing in the sources depends on DuckDB.
    """
    configure_dlt()
    data_dir.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=f"parcours_{name}",
        pipelines_dir=str(pipelines_dir(data_dir)),
        destination=destination or warehouse_destination(data_dir),
        dataset_name=DATASETS[name],
        progress=progress or default_progress(),
    )


def warehouse_destination(data_dir: DataDir) -> Any:
    """dlt's DuckDB destination on the data directory's warehouse, under Parcours' memory limit."""
    credentials = DuckDbCredentials(str(data_dir.warehouse), global_config=engine.dlt_global_config())
    return dlt.destinations.duckdb(credentials)


@contextmanager
def warehouse_kept_open(pipeline: dlt.Pipeline) -> Iterator[None]:
    """Keep the pipeline's DuckDB database open in this process while the block runs.

    dlt closes a DuckDB database it opened whenever no load job borrows it, so every job of a load
    reopened the file and every close checkpointed it (~30 ms each, more as the warehouse grows).
    A connection of our own, opened as dlt opens its own (no start-up config), keeps DuckDB's
    database instance alive: dlt's connections then attach to it and their closes are cheap. It is
    closed when the block ends, so nothing holds the file after the run (dbt and the publish step
    open it next). dlt is never handed this connection. Other destinations: nothing to do.
    """
    credentials = pipeline.destination.config_params.get("credentials") if pipeline.destination else None
    if not isinstance(credentials, DuckDbCredentials) or not isinstance(credentials.database, str):
        yield
        return
    Path(credentials.database).parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(credentials.database)
    try:
        for name, value in (credentials.global_config or {}).items():
            connection.execute(f"SET GLOBAL {name} = ?", [value])
        yield
    finally:
        connection.close()


def _child_tables(children: tuple[Child, ...]) -> list[str]:
    return [t for child in children for t in (child.table, *_child_tables(child.children))]


def tables_written(pipeline_name: str) -> list[str]:
    """Every table one pipeline may write: entity and nested tables, quarantine, reconciliation, drift."""
    entities = PIPELINE_ENTITIES[pipeline_name]
    if pipeline_name.endswith(RESTRICTED_SUFFIX):
        return [str(e.restricted_table) for e in entities] + [QUARANTINE_TABLE]
    tables = [t for e in entities for t in (e.table, *_child_tables(e.children))]
    return [*tables, *SIDE_TABLES]


def purge_loaded_packages(pipeline: dlt.Pipeline) -> None:
    """Delete what dlt keeps of loaded packages (their jobs are already deleted on load)."""
    loaded = Path(pipeline.working_dir) / "load" / "loaded"
    if loaded.is_dir():
        for package in loaded.iterdir():
            shutil.rmtree(package, ignore_errors=True)


@dataclass(frozen=True)
class TableReconciliation:
    """Records read, loaded and quarantined for one raw table in one run."""

    dataset: str
    table: str
    records_read: int
    records_loaded: int
    records_quarantined: int

    @property
    def balanced(self) -> bool:
        """Nothing lost: every record read was loaded or quarantined."""
        return self.records_read == self.records_loaded + self.records_quarantined


@dataclass(frozen=True)
class SchemaDriftLine:
    """One change of shape a run met in one file (a row of ``<raw dataset>.schema_drift``)."""

    dataset: str
    table: str
    source_file: str
    change: str
    column: str | None
    source_path: str
    detail: str
    records: int | None

    def describe(self) -> str:
        """One line for logs and the command line."""
        what = self.column or self.source_path
        return f"{self.dataset}.{self.table} {self.source_file}: {self.change} {what} ({self.detail})"


@dataclass
class IngestionReport:
    """What one ingestion run did, per raw table, as stored in the ``reconciliation`` tables.

    ``drift``: the changes of shape the run met (``schema_drift`` rows of its loads).
    """

    tables: list[TableReconciliation] = field(default_factory=list)
    load_ids: dict[str, list[str]] = field(default_factory=dict)
    drift: list[SchemaDriftLine] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        """True when every table balances."""
        return all(t.balanced for t in self.tables)

    def table(self, dataset: str, table: str) -> TableReconciliation | None:
        """The line of one raw table, if the run read anything for it."""
        return next((t for t in self.tables if (t.dataset, t.table) == (dataset, table)), None)

    def render(self) -> str:
        """A plain-text table for the command line."""
        lines = [f"{'table':<28}{'read':>12}{'loaded':>12}{'quarantined':>13}"]
        lines += [
            f"{t.dataset + '.' + t.table:<28}{t.records_read:>12}{t.records_loaded:>12}"
            f"{t.records_quarantined:>13}"
            for t in self.tables
        ]
        if self.drift:
            lines += ["", "schema drift:", *(f"  {line.describe()}" for line in self.drift)]
        return "\n".join(lines)


def reconciliation_of(pipeline: dlt.Pipeline, load_ids: Sequence[str]) -> list[TableReconciliation]:
    """Sum the stored reconciliation rows of some loads, per table."""
    rows = _rows_of_loads(
        pipeline,
        RECONCILIATION_TABLE,
        load_ids,
        "table_name, sum(records_read), sum(records_loaded), sum(records_quarantined)",
        "GROUP BY table_name ORDER BY table_name",
    )
    return [
        TableReconciliation(pipeline.dataset_name, name, int(read), int(loaded), int(quarantined))
        for name, read, loaded, quarantined in rows
    ]


def drift_of(pipeline: dlt.Pipeline, load_ids: Sequence[str]) -> list[SchemaDriftLine]:
    """The stored schema drift rows of some loads, in a stable order."""
    rows = _rows_of_loads(
        pipeline,
        SCHEMA_DRIFT_TABLE,
        load_ids,
        "table_name, source_file, change, column_name, source_path, detail, records",
        "ORDER BY table_name, source_file, change, column_name, source_path",
    )
    return [
        SchemaDriftLine(pipeline.dataset_name, table_name, source_file, change, column, path, detail, records)
        for table_name, source_file, change, column, path, detail, records in rows
    ]


def _rows_of_loads(
    pipeline: dlt.Pipeline, table_name: str, load_ids: Sequence[str], columns: str, clauses: str
) -> list[Any]:
    """``SELECT columns`` of a side table (reconciliation, schema drift) over the rows of some loads."""
    if not load_ids or table_name not in pipeline.default_schema.tables:
        return []
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name(table_name)
        placeholders = ", ".join(["%s"] * len(load_ids))
        rows = client.execute_sql(
            f"SELECT {columns} FROM {table} WHERE _dlt_load_id IN ({placeholders}) {clauses}", *load_ids
        )
    return list(rows or [])


def _check_against_normalize(pipeline: dlt.Pipeline, lines: list[TableReconciliation]) -> None:
    """Warn when dlt wrote a different number of rows than validation let through."""
    trace = pipeline.last_trace
    normalize = trace.last_normalize_info if trace else None
    if normalize is None or not normalize.row_counts:
        return
    for line in lines:
        written = normalize.row_counts.get(line.table)
        if written is not None and written != line.records_loaded:
            logger.error(
                "%s.%s: %d records validated but %d rows written",
                line.dataset,
                line.table,
                line.records_loaded,
                written,
            )


def undo_partial_appends(pipeline: dlt.Pipeline) -> list[str]:
    """Make the append jobs of a load package a crash left half loaded safe to run again.

    dlt runs again a job of a pending package that it had left started with no record of its
    outcome (dlt records the outcome of a committed job in ``.pending_transitions``). An append job
    that DuckDB committed just before the kill, before that record, would append its rows a second
    time. For every append table with such a job, the rows of that load are deleted and every job of
    the table in the package is queued again, so the table receives the package's rows exactly once.
    Returns the tables reset, as ``load_id:table``.
    """
    reset: list[str] = []
    for load_id in pipeline.list_normalized_load_packages():
        package = pipeline.get_load_package_info(load_id)
        jobs = [*package.jobs.get("started_jobs", []), *package.jobs.get("completed_jobs", [])]
        tables = sorted(
            {
                job.job_file_info.table_name
                for job in package.jobs.get("started_jobs", [])
                if not _outcome_recorded(Path(job.file_path))
                and (package.schema.get_table(job.job_file_info.table_name) or {}).get("write_disposition")
                == "append"
            }
        )
        if not tables:
            continue
        with pipeline.sql_client() as client:
            for table in tables:
                qualified = client.make_qualified_table_name(table)
                try:
                    client.execute_sql(f"DELETE FROM {qualified} WHERE _dlt_load_id = %s", load_id)
                except DatabaseUndefinedRelation:
                    continue  # not created yet: nothing appended
        for job in jobs:
            if job.job_file_info.table_name in tables:
                _queue_again(Path(job.file_path))
        reset += [f"{load_id}:{table}" for table in tables]
        logger.warning(
            "%s: load %s was cut short; appends to %s undone, to be loaded again",
            pipeline.pipeline_name,
            load_id,
            ", ".join(tables),
        )
    return reset


def _outcome_recorded(job: Path) -> bool:
    """Whether dlt recorded the outcome of a started job (it will not run it again)."""
    return (job.parent.parent / PENDING_TRANSITIONS / job.name).exists()


def _queue_again(job: Path) -> None:
    """Move a started or completed job of a package back to its new jobs, forgetting its outcome."""
    (job.parent.parent / PENDING_TRANSITIONS / job.name).unlink(missing_ok=True)
    job.rename(job.parent.parent / "new_jobs" / job.name)


@contextmanager
def prepared_for_a_run(pipeline: dlt.Pipeline) -> Iterator[None]:
    """What every run of a pipeline needs around it, here and in the Dagster step.

    Transparent huge pages off and the warehouse kept open while the block runs, the partial
    appends of a package a crash left half loaded undone before dlt resumes it, and, once the block
    ran to its end, the hand-off of restricted copies settled (:func:`ingestion.handoff.settle`).
    """
    with without_huge_pages(), warehouse_kept_open(pipeline):
        undo_partial_appends(pipeline)
        yield
        settle_handoff(pipeline)


def run_pipeline(pipeline: dlt.Pipeline, source: Any) -> tuple[LoadInfo, list[TableReconciliation]]:
    """Run one source (finishing any package a crash left pending), report and clean up."""
    with prepared_for_a_run(pipeline):
        info = pipeline.run(source, loader_file_format="parquet")
        lines = reconciliation_of(pipeline, info.loads_ids)
    _check_against_normalize(pipeline, lines)
    for line in lines:
        log = logger.info if line.balanced else logger.error
        log(
            "%s.%s: read %d = loaded %d + quarantined %d",
            line.dataset,
            line.table,
            line.records_read,
            line.records_loaded,
            line.records_quarantined,
        )
    purge_loaded_packages(pipeline)
    return info, lines


def run_concurrently(tasks: Sequence[Callable[[], T]], workers: int = SOURCE_WORKERS) -> list[T]:
    """Run independent tasks (one source's pipelines each) in up to ``workers`` threads.

    Results come in the order of ``tasks``. Every task runs to its end; the first failure (in task
    order) is then raised. dlt runs pipelines of different names in parallel threads (its
    configuration and state contexts are thread-affine), and the sources write different datasets:
    a CRM pipeline and a POS pipeline load side by side into one DuckDB database (one instance per
    process, one connection per load job). The parse engines, Arrow's decoder and the HTTP client
    release the interpreter lock, so two sources use both cores where one used about one.
    """
    if workers <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(
        max_workers=min(workers, len(tasks)), thread_name_prefix="parcours-source"
    ) as pool:
        futures = [pool.submit(task) for task in tasks]
        errors = [future.exception() for future in futures]  # waits for every task
    first = next((error for error in errors if error is not None), None)
    if first is not None:
        raise first
    return [future.result() for future in futures]


@dataclass(frozen=True)
class _PipelineRun:
    """What one pipeline of a source did: its load ids, reconciliation and drift lines."""

    pipeline_name: str
    load_ids: list[str]
    lines: list[TableReconciliation]
    drift: list[SchemaDriftLine]


def _ingest_source(name: str, data_dir: DataDir, url: str, key: str, destination: Any) -> list[_PipelineRun]:
    """Run one source's pipelines in order (raw first, then the restricted copy)."""
    runs = []
    for pipeline_name in SOURCE_PIPELINES[name]:
        pipeline = make_pipeline(pipeline_name, data_dir, destination)
        info, lines = run_pipeline(pipeline, make_source(pipeline_name, url, key))
        runs.append(
            _PipelineRun(pipeline_name, list(info.loads_ids), lines, drift_of(pipeline, info.loads_ids))
        )
    return runs


def run_ingestion(
    data_dir: DataDir,
    sources: Sequence[str] | None = None,
    landing_url: str | None = None,
    destination: Any = None,
    workers: int = SOURCE_WORKERS,
) -> IngestionReport:
    """Load the landing zone (or each source's API, per dlt config) into the raw datasets.

    Args:
        data_dir: the data directory: warehouse, dlt state under tmp/, the PII key under secrets/.
        sources: a subset of ``crm``, ``ga4``, ``pos``, ``social`` (all by default).
        landing_url: a folder or fsspec URL; ``<data dir>/landing`` by default.
        destination: any dlt destination; the data directory's DuckDB warehouse by default.
        workers: sources ingested at once, in threads (:func:`run_concurrently`); 1 runs them in turn.
            The report lists them in the order of ``sources`` either way.
    """
    chosen = list(sources or SOURCE_NAMES)
    unknown = sorted(set(chosen) - set(SOURCE_NAMES))
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; choose among {list(SOURCE_NAMES)}")
    configure_dlt()
    key = ensure_pii_key(data_dir)
    url = landing_url or str(data_dir.landing)
    tasks = [functools.partial(_ingest_source, name, data_dir, url, key, destination) for name in chosen]
    report = IngestionReport()
    for runs in run_concurrently(tasks, workers):
        for run in runs:
            report.load_ids[run.pipeline_name] = run.load_ids
            report.tables.extend(run.lines)
            report.drift.extend(run.drift)
    return report
