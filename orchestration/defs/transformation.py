"""dbt models as Dagster assets, dbt tests as asset checks, the app as the dbt exposure.

The whole dbt project runs as one ``dbt build`` (each dbt invocation costs seconds
of parsing). Sources are keyed ``[source_name, table]`` so they meet the dlt assets
of the ingestion module and the lineage graph is unbroken.
"""

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)
from packaging import version

from orchestration.backfill import BackfillWindow
from orchestration.environment import DBT_BUILD_ARGS, DBT_PROJECT_DIR, ensure_dbt_manifest, executable
from parcours.engine import MEMORY_LIMIT_ENV_VAR, memory_limit

LAYER_OWNERS = {
    "staging": "team:analytics-engineering",
    "intermediate": "team:analytics-engineering",
    "marts": "team:analytics-engineering",
}
APP_ASSET_KEY = dg.AssetKey(["streamlit_app"])
SERVING_SNAPSHOT_KEY = dg.AssetKey(["serving_snapshot"])
#: Written by the dbt step into dagster-dbt's target folder of the invocation (see ProcessTiming).
DBT_PROCESS_TIMING_FILE = "dbt_process.json"
ROW_COUNT_LINE = re.compile(r"parcours row count: (\d+) rows in ")


class ParcoursDbtTranslator(DagsterDbtTranslator):
    """Keys, groups and owners that make the dbt graph read like a map of the pipeline.

    Sources are keyed ``[schema, table]`` (``raw_ga4/events``), exactly as the dlt assets
    that load them; models by their unique name (``dim_customers``).
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        """``[schema, table]`` for sources, ``[model name]`` for everything else."""
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["identifier"]])
        return dg.AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """``<layer>_<area>`` from the model's folder, e.g. models/staging/ga4 -> staging_ga4."""
        if dbt_resource_props["resource_type"] == "source":
            return str(dbt_resource_props["schema"])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        folders = dbt_resource_props["fqn"][1:-1]
        return "_".join(folders[:2]) if folders else "dbt"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str] | None:
        """The model's ``meta.owner`` if set, else the owner of its layer."""
        owner = dbt_resource_props.get("meta", {}).get("owner")
        if owner:
            return [owner]
        layer = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else None
        return [LAYER_OWNERS[layer]] if layer in LAYER_OWNERS else None


class ParcoursDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without the two things it does before each ``dbt build``
    that this project never uses (together 3-5 s of every run's dbt step, measured).

    - The dbt version: dagster-dbt starts ``dbt --version`` (a whole dbt start-up) to learn
      whether the executable is dbt-core or dbt Fusion. Here the executable is the dbt-core
      installed beside this Python, so the installed package's version is the answer.
    - A dbt adapter opened in this process: dagster-dbt builds one only for
      ``fetch_column_metadata`` / ``fetch_row_counts``, which this project does not call (row
      counts come from dbt's own log, see :func:`with_row_counts`).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        """The version of the dbt-core package when ``dbt_executable`` is this venv's ``dbt``."""
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # type: ignore[attr-defined]

    def _initialize_dbt_core_adapter(self, args: Any) -> Any:
        """No adapter: nothing here fetches column metadata or row counts through it."""
        return None


TRANSLATOR = ParcoursDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
MANIFEST = ensure_dbt_manifest()


@dbt_assets(manifest=MANIFEST, dagster_dbt_translator=TRANSLATOR, name="dbt_build")
def dbt_models(
    context: dg.AssetExecutionContext, dbt: ParcoursDbtCliResource, backfill: BackfillWindow
) -> Iterator[Any]:
    """Build every selected model, seed and data test in one ``dbt build``, with row counts.

    dbt unit tests are left to CI (see ``DBT_BUILD_ARGS``). Events reach Dagster while dbt
    runs, so storing them overlaps dbt's work. During a backfill, ``--vars`` widens the
    incremental models' windows to its first day.
    """
    # dagster-dbt passes this process's environment to dbt, whose profile reads the limit
    os.environ.setdefault(MEMORY_LIMIT_ENV_VAR, memory_limit())
    args = list(DBT_BUILD_ARGS)
    if backfill.active:
        args += ["--vars", json.dumps(backfill.dbt_vars())]
    invocation = dbt.cli(args, context=context)
    timing = ProcessTiming(invocation.process)
    yield from with_row_counts(invocation, context)
    timing.write(invocation.target_path / DBT_PROCESS_TIMING_FILE)


class ProcessTiming:
    """Wall time of a child process, from just after it was started to its exit.

    A thread waits for the exit, so the end is exact even while the step is still storing
    the events dbt printed. ``parcours bench`` reads the file to split the dbt step into the
    dbt process and what Dagster adds around it (dbt's own ``run_results.json`` times only
    the build inside dbt, not dbt's start-up, which a bare ``dbt build`` pays as well).
    """

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        """Start timing ``process``, started a moment ago."""
        self.started_at = time.time()
        self.ended_at: float | None = None
        self._waiter = threading.Thread(target=self._wait, args=(process,), daemon=True)
        self._waiter.start()

    def _wait(self, process: subprocess.Popen[bytes]) -> None:
        process.wait()
        self.ended_at = time.time()

    def write(self, path: Path) -> None:
        """Write ``started_at``, ``ended_at`` (Unix seconds) and ``seconds`` as JSON."""
        self._waiter.join()
        assert self.ended_at is not None
        figures = {"started_at": self.started_at, "ended_at": self.ended_at}
        path.write_text(json.dumps({**figures, "seconds": self.ended_at - self.started_at}), encoding="utf-8")


def with_row_counts(invocation: DbtCliInvocation, context: dg.AssetExecutionContext) -> Iterator[Any]:
    """dbt's events as Dagster events, each table's ``dagster/row_count`` added as it is built.

    The count comes from the line the ``log_row_count`` post-hook logs (dbt_project/macros/
    observability): the warehouse cannot be opened while dbt holds its lock, and dagster-dbt's
    own ``fetch_row_counts`` would keep it open through the dbt adapter after dbt exits,
    locking out the publish step.
    """
    row_counts: dict[str, int] = {}
    for raw_event in invocation.stream_raw_events():
        logged = _logged_row_count(raw_event.raw_event)
        if logged:
            row_counts[logged[0]] = logged[1]
            continue
        for event in raw_event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            unique_id = raw_event.raw_event["data"]["node_info"]["unique_id"]
            if isinstance(event, dg.Output) and unique_id in row_counts:
                event = event.with_metadata({**event.metadata, "dagster/row_count": row_counts[unique_id]})
            yield event


def _logged_row_count(raw_event: Mapping[str, Any]) -> tuple[str, int] | None:
    """(node unique id, rows) of a ``parcours row count`` log line, else None."""
    if raw_event["info"].get("name") != "JinjaLogInfo":
        return None
    match = ROW_COUNT_LINE.match(raw_event["info"].get("msg", ""))
    unique_id = raw_event["data"].get("node_info", {}).get("unique_id")
    if match is None or unique_id is None:
        return None
    return unique_id, int(match.group(1))


def _app_exposure() -> dict[str, Any]:
    exposures: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))["exposures"]
    return next(item for item in exposures.values() if item["name"] == APP_ASSET_KEY.path[-1])


def app_marts() -> list[str]:
    """The marts the app reads: the models its dbt exposure depends on (what a snapshot holds)."""
    nodes: list[str] = _app_exposure()["depends_on"]["nodes"]
    return sorted(node.split(".")[-1] for node in nodes if node.startswith("model."))


def app_exposure_spec() -> dg.AssetSpec:
    """The Streamlit app, declared as a dbt exposure, downstream of the serving snapshot."""
    exposure = _app_exposure()
    return dg.AssetSpec(
        key=APP_ASSET_KEY,
        deps=[SERVING_SNAPSHOT_KEY],
        description=str(exposure["description"]),
        group_name="serving",
        kinds={"streamlit"},
        owners=[str(exposure["owner"]["email"])],
        metadata={"dbt_exposure": str(exposure["unique_id"]), "url": str(exposure["url"])},
    )


defs = dg.Definitions(
    assets=[dbt_models, app_exposure_spec()],
    resources={
        "dbt": ParcoursDbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=executable("dbt"),
        )
    },
)
