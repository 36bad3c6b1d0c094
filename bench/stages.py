"""The pipeline's stages, each run bare (no orchestrator) and timed on its own.

Every function runs the project's real code on one data directory: ingestion's
``run_ingestion``, the dbt project's ``dbt build``, the Great Expectations suites
of ``orchestration/expectations``, ``parcours.serving.publish_snapshot`` and the
app's queries over the published snapshot.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.measure import StageResult, timed
from parcours.paths import DataDir

SOURCES = ("crm", "ga4", "pos", "social")
#: dbt model name prefixes reported on their own (the figures of the issue), from run_results.json.
MODEL_GROUPS: dict[str, tuple[str, ...]] = {
    "identity": ("int_identity__",),
    "sessions": ("int_ga4__session", "int_web__sessionized", "fct_sessions"),
    "attribution": ("int_attribution__", "fct_attribution"),
}
APP_QUERY_REPEATS = 5
DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
NUMERIC_TYPES = ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "HUGEINT", "FLOAT", "SMALLINT")


def ingest_source(data: DataDir, source: str) -> StageResult:
    """Run ingestion of one source; rows = records read (loaded + quarantined) over its raw tables."""
    from ingestion.pipelines import run_ingestion

    with timed(f"ingest: {source}") as stage:
        report = run_ingestion(data, sources=[source])
    stage.rows = sum(line.records_read for line in report.tables)
    stage.ok = report.balanced
    stage.detail = {
        f"{line.dataset}.{line.table}": {"read": line.records_read, "quarantined": line.records_quarantined}
        for line in report.tables
    }
    return stage


def dbt_build(data: DataDir, input_rows: int) -> StageResult:
    """One bare ``dbt build`` of the whole project; rows = the raw rows this run ingested.

    dbt writes its target and logs into the data directory's scratch folder, so
    a benchmark never touches ``dbt_project/target`` that others use.
    """
    from orchestration.environment import DBT_PROJECT_DIR, dbt_environment, executable

    target = data.tmp / "dbt_target"
    command = [executable("dbt"), "build", "--project-dir", str(DBT_PROJECT_DIR)]
    command += ["--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)]
    command += ["--log-path", str(data.logs / "dbt")]
    log_file = data.logs / "bench_dbt_build.log"
    with timed("dbt build") as stage, log_file.open("a", encoding="utf-8") as log:
        completed = subprocess.run(
            command,
            env={**os.environ, **dbt_environment(data)},
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    stage.rows = input_rows
    stage.ok = completed.returncode == 0
    stage.detail = {"returncode": completed.returncode, "log": str(log_file), **model_timings(target)}
    return stage


def model_timings(target: Path) -> dict[str, object]:
    """Seconds and node counts of the model groups of :data:`MODEL_GROUPS`, plus failures."""
    results_file = target / "run_results.json"
    if not results_file.exists():
        return {}
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    figures: dict[str, object] = {}
    for group, prefixes in MODEL_GROUPS.items():
        nodes = [item for item in results if _model_name(item["unique_id"]).startswith(prefixes)]
        figures[f"{group}_s"] = sum(float(item["execution_time"]) for item in nodes) if nodes else None
        figures[f"{group}_models"] = sorted(_model_name(item["unique_id"]) for item in nodes)
    figures["failed_nodes"] = sorted(
        item["unique_id"] for item in results if item["status"] in ("error", "fail", "runtime error")
    )
    return figures


def _model_name(unique_id: str) -> str:
    """``model.parcours.fct_sessions`` -> ``fct_sessions``; empty for tests, seeds and the rest."""
    return unique_id.split(".")[-1] if unique_id.startswith("model.") else ""


def run_checks(data: DataDir) -> StageResult:
    """Validate every Great Expectations suite whose relation exists; rows = rows validated."""
    from orchestration.defs.quality import load_suites, read_frame, validate

    suites = load_suites()
    with timed("checks") as stage:
        relations = _existing_relations(data.warehouse)
        for suite in suites:
            if suite.relation.lower() not in relations:
                stage.detail[suite.name] = "skipped: relation missing"
                continue
            frame = read_frame(suite, data.warehouse)
            passed, _ = validate(suite, frame)
            stage.rows += len(frame)
            stage.detail[suite.name] = "passed" if passed else "failed"
    stage.detail["suites"] = len(suites)
    return stage


def _existing_relations(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
    return {str(row[0]).lower() for row in rows}


def publish(data: DataDir, run_id: str) -> StageResult:
    """Publish the marts as a serving snapshot; rows = rows copied."""
    from parcours.serving import publish_snapshot

    with timed("publish") as stage:
        snapshot = publish_snapshot(data.warehouse, data.serving, run_id=run_id)
    stage.rows = sum(snapshot.tables.values())
    stage.detail = {"tables": len(snapshot.tables), "file": snapshot.file}
    return stage


@dataclass(frozen=True)
class AppPage:
    """A named set of queries that one page runs against the snapshot."""

    name: str
    queries: tuple[str, ...]


def app_pages(snapshot_file: Path) -> list[AppPage]:
    """The app's pages as query sets: the data-health query plus a page per mart.

    The app has one page so far (data health); each mart gets a representative page:
    a row count, a count by day on its first date column, and a count plus a sum by its
    channel (or source) column, as dashboards over the marts run.
    """
    with duckdb.connect(str(snapshot_file), read_only=True) as connection:
        columns = connection.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'main' order by table_name, ordinal_position"
        ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in columns:
        tables.setdefault(str(table), []).append((str(column), str(data_type)))
    pages = [AppPage(name, _mart_queries(name, table_columns)) for name, table_columns in tables.items()]
    if "fct_source_reconciliation" in tables:
        pages.append(AppPage("data_health", (DATA_HEALTH_QUERY,)))
    return pages


DATA_HEALTH_QUERY = (
    "select source, table_name, sum(records_read) as records_read, "
    "sum(records_loaded) as records_loaded, sum(records_quarantined) as records_quarantined "
    "from fct_source_reconciliation group by all order by source, table_name"
)


def _mart_queries(table: str, columns: list[tuple[str, str]]) -> tuple[str, ...]:
    queries = [f'select count(*) from "{table}"']
    day = next((name for name, kind in columns if kind in DATE_TYPES), None)
    if day:
        queries.append(f'select cast("{day}" as date) as day, count(*) from "{table}" group by 1 order by 1')
    group = next((name for name, _ in columns if "channel" in name or name in ("source", "platform")), None)
    measure = next((name for name, kind in columns if kind.startswith(NUMERIC_TYPES)), None)
    if group:
        total = f', sum("{measure}")' if measure else ""
        queries.append(f'select "{group}", count(*){total} from "{table}" group by 1 order by 2 desc')
    return tuple(queries)


def time_app_pages(snapshot_file: Path, repeats: int = APP_QUERY_REPEATS) -> StageResult:
    """Run every page's queries ``repeats`` times, each on a fresh read-only connection as the app does.

    ``detail`` holds each page's median seconds; the p95 over every page load is ``detail['p95_s']``.
    """
    pages = app_pages(snapshot_file)
    loads: list[float] = []
    with timed("app pages", counted=False) as stage:
        for page in pages:
            times = [_load_page(snapshot_file, page.queries, stage) for _ in range(repeats)]
            stage.detail[page.name] = round(statistics.median(times), 4)
            loads.extend(times)
    stage.detail["pages"] = len(pages)
    stage.detail["p95_s"] = percentile(loads, 0.95)
    return stage


def _load_page(snapshot_file: Path, queries: tuple[str, ...], stage: StageResult) -> float:
    started = time.perf_counter()
    for sql in queries:
        with duckdb.connect(str(snapshot_file), read_only=True) as connection:
            stage.rows += len(connection.execute(sql).fetchall())
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` quantile of ``values`` (nearest rank), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]
