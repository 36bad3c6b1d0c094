"""The pipeline's stages, each run bare (no orchestrator) and timed on its own.

Every function runs the project's real code on one data directory: ingestion's
``run_ingestion``, the dbt project's ``dbt build``, the Great Expectations suites
of ``orchestration/expectations``, ``parcours.serving.publish_snapshot`` and the
app's pages rendered over the published snapshot.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from bench.measure import StageResult, timed
from ingestion.pipelines import SOURCE_NAMES
from parcours.paths import HOME_ENV_VAR, DataDir

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

SOURCES = SOURCE_NAMES
#: dbt model name prefixes reported on their own (the figures of the issue), from run_results.json.
MODEL_GROUPS: dict[str, tuple[str, ...]] = {
    "identity": ("int_identity__",),
    "sessions": ("int_ga4__session", "int_web__sessionized", "fct_sessions"),
    "attribution": ("int_attribution__", "fct_attribution"),
}
APP_QUERY_REPEATS = 5


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
    """One bare ``dbt build`` of the whole project as production runs it; rows = the raw rows ingested.

    dbt writes its target and logs into the data directory's scratch folder, so
    a benchmark never touches ``dbt_project/target`` that others use.
    """
    from orchestration.environment import DBT_BUILD_ARGS, DBT_PROJECT_DIR, dbt_environment, executable

    target = data.tmp / "dbt_target"
    command = [executable("dbt"), *DBT_BUILD_ARGS, "--project-dir", str(DBT_PROJECT_DIR)]
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
    # the rest of the stage's wall time is dbt's start-up and exit, paid under Dagster as well
    stage.detail["dbt_span_s"] = dbt_span_seconds(target / "run_results.json")
    return stage


def dbt_span_seconds(run_results: Path) -> float | None:
    """dbt's own span of an invocation (``invocation_started_at`` to ``generated_at``), if it ran."""
    if not run_results.exists():
        return None
    metadata = json.loads(run_results.read_text(encoding="utf-8"))["metadata"]
    started = datetime.fromisoformat(metadata["invocation_started_at"])
    return (datetime.fromisoformat(metadata["generated_at"]) - started).total_seconds()


def model_timings(target: Path) -> dict[str, object]:
    """Seconds and node counts of the model groups of :data:`MODEL_GROUPS`, the split of
    :func:`node_kind_seconds`, failures and dbt's thread count."""
    results_file = target / "run_results.json"
    if not results_file.exists():
        return {}
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    figures: dict[str, object] = dict(node_kind_seconds(results, _materializations(target)))
    for group, prefixes in MODEL_GROUPS.items():
        nodes = [item for item in results if _model_name(item["unique_id"]).startswith(prefixes)]
        figures[f"{group}_s"] = sum(float(item["execution_time"]) for item in nodes) if nodes else None
        figures[f"{group}_models"] = sorted(_model_name(item["unique_id"]) for item in nodes)
    figures["failed_nodes"] = sorted(
        item["unique_id"] for item in results if item["status"] in ("error", "fail", "runtime error")
    )
    # dbt's thread count (`PARCOURS_DBT_THREADS`): the threads its nodes ran on
    figures["threads"] = len({item["thread_id"] for item in results}) or None
    return figures


def node_kind_seconds(
    results: list[dict[str, Any]], materializations: dict[str, str]
) -> dict[str, float | int]:
    """Thread-seconds and node counts of one dbt invocation by kind of node.

    Models count by materialization (``table_models_s``, ``incremental_models_s``,
    ``view_models_s``...), data tests as ``tests_s``: a daily run's cost splits into the tables
    rebuilt whole, the incremental models and the tests, each a different kind of fix. Thread-
    seconds are dbt's ``execution_time`` summed over nodes; with several threads on few cores
    they include waiting, so compare them within one run. A model missing from
    ``materializations`` (no manifest) counts as ``unknown``.
    """
    seconds: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for item in results:
        unique_id = str(item["unique_id"])
        resource = unique_id.split(".")[0]
        if resource == "model":
            kind = f"{materializations.get(unique_id, 'unknown')}_models"
        elif resource == "test":
            kind = "tests"
        else:
            continue
        seconds[kind] = seconds.get(kind, 0.0) + float(item["execution_time"])
        counts[kind] += 1
    figures: dict[str, float | int] = {}
    for kind, total in seconds.items():  # rounded once, not at every node
        figures[f"{kind}_s"] = round(total, 3)
        figures[f"{kind}_count"] = counts[kind]
    return figures


def _materializations(target: Path) -> dict[str, str]:
    """Materialization of every model of the invocation's ``manifest.json`` (empty without one)."""
    manifest_file = target / "manifest.json"
    if not manifest_file.exists():
        return {}
    nodes = json.loads(manifest_file.read_text(encoding="utf-8"))["nodes"]
    return {
        unique_id: str(node["config"]["materialized"])
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model"
    }


def _model_name(unique_id: str) -> str:
    """``model.parcours.fct_sessions`` -> ``fct_sessions``; empty for tests, seeds and the rest."""
    return unique_id.split(".")[-1] if unique_id.startswith("model.") else ""


def run_checks(data: DataDir) -> StageResult:
    """Validate every Great Expectations suite whose relation exists; rows = rows validated."""
    from orchestration.defs.quality import load_suites, read_frames, validate

    suites = load_suites()
    with timed("checks") as stage:
        relations = _existing_relations(data.warehouse)
        for suite in suites:
            if suite.relation.lower() not in relations:
                stage.detail[suite.name] = "skipped: relation missing"
                continue
            passed, _, rows = validate(suite, read_frames(suite, data.warehouse))
            stage.rows += rows
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
    """Publish the marts the app reads as a serving snapshot, as the pipeline does; rows = rows copied."""
    from orchestration.defs.transformation import app_marts
    from parcours.serving import publish_snapshot

    with timed("publish") as stage:
        snapshot = publish_snapshot(data.warehouse, data.serving, run_id=run_id, tables=app_marts())
    stage.rows = sum(snapshot.tables.values())
    stage.detail = {"tables": len(snapshot.tables), "file": snapshot.file}
    return stage


APP_ENTRY = Path(__file__).resolve().parents[1] / "apps" / "app.py"
APP_PAGE_TIMEOUT_S = 300


def app_pages() -> list[str]:
    """The app's pages: one module per page in ``apps/views``."""
    return sorted(path.stem for path in (APP_ENTRY.parent / "views").glob("*.py"))


def time_app_pages(data: DataDir, repeats: int = APP_QUERY_REPEATS) -> StageResult:
    """Render every page of the real app on the published snapshot, ``repeats`` times each.

    Each render runs the page's own code (queries, aggregation, charts) through Streamlit's
    AppTest with an empty data cache, as the first viewer after a publish sees it. All renders
    share one AppTest session, as page views share one running server: AppTest scans every
    installed package for Streamlit components on its first run (what ``streamlit run`` does
    once at start, 0.3-0.9 s here), which is no part of a page view; one warm-up render pays it
    and imports the app's modules. Customer 360 shows the customer with the most touchpoints
    (:func:`busiest_customer`, the look-up's worst case). ``detail`` holds each page's median
    seconds; the p95 over every render is ``detail['p95_s']``. A page that raises fails the stage.
    """
    import streamlit as st

    loads: list[float] = []
    previous_home = os.environ.get(HOME_ENV_VAR)
    os.environ[HOME_ENV_VAR] = str(data.root)
    try:
        with _streamlit_errors_only():
            app = app_session()
            customer = busiest_customer(data)
            if customer is not None:
                app.query_params[CUSTOMER_PARAM] = customer
            render_page(app, app_pages()[0])
            with timed("app pages", counted=False) as stage:
                for page in app_pages():
                    times = []
                    for _ in range(repeats):
                        st.cache_data.clear()
                        times.append(render_page(app, page))
                    stage.detail[page] = round(statistics.median(times), 4)
                    loads.extend(times)
                stage.rows = len(loads)
                stage.detail["pages"] = len(app_pages())
                stage.detail["p95_s"] = percentile(loads, 0.95)
    finally:
        if previous_home is None:
            os.environ.pop(HOME_ENV_VAR, None)
        else:
            os.environ[HOME_ENV_VAR] = previous_home
    return stage


@contextmanager
def _streamlit_errors_only() -> Iterator[None]:
    """Only Streamlit's errors logged while the block runs.

    AppTest renders pages without a Streamlit server: each render and cache clear warns that no
    runtime or script context exists (about a hundred lines per benchmark, in its output).
    """
    from streamlit import config as streamlit_config
    from streamlit import logger as streamlit_logger

    # read after the configuration is parsed: parsing it sets every logger to its level
    before = streamlit_config.get_option("logger.level")
    streamlit_logger.set_log_level("error")
    try:
        yield
    finally:
        streamlit_logger.set_log_level(before)


CUSTOMER_PARAM = "customer"  # URL parameter of the customer Customer 360 shows (apps/views/customer_360.py)


def busiest_customer(data: DataDir) -> str | None:
    """Key of the customer with the most touchpoints in the published snapshot (ties: smallest key)."""
    from parcours.serving import open_snapshot

    with open_snapshot(data.serving) as snapshot:
        if snapshot is None:
            return None
        try:
            row = snapshot.execute(
                "select customer_key from fct_touchpoints where customer_key is not null "
                "group by customer_key order by count(*) desc, customer_key limit 1"
            ).fetchone()
        except duckdb.CatalogException:
            return None
    return str(row[0]) if row else None


def app_session() -> AppTest:
    """One AppTest session of the app's entry point (pages are switched within it)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP_ENTRY), default_timeout=APP_PAGE_TIMEOUT_S)


def render_page(app: AppTest, page: str) -> float:
    """Seconds to render one page of the app in ``app``; raises if the page shows an exception."""
    app.switch_page(f"views/{page}.py")
    started = time.perf_counter()
    app.run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"app page {page} raised: {app.exception[0].value}")
    return elapsed


def percentile(values: list[float], share: float) -> float | None:
    """The ``share`` quantile of ``values`` (nearest rank), or None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]
