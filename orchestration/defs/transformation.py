"""dbt models as Dagster assets, dbt tests as asset checks, the app as the dbt exposure.

The whole dbt project runs as one ``dbt build`` (each dbt invocation costs seconds
of parsing). Sources are keyed ``[source_name, table]`` so they meet the dlt assets
of the ingestion module and the lineage graph is unbroken.
"""

import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)

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


TRANSLATOR = ParcoursDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
MANIFEST = ensure_dbt_manifest()


@dbt_assets(manifest=MANIFEST, dagster_dbt_translator=TRANSLATOR, name="dbt_build")
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, backfill: BackfillWindow
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
    yield from with_row_counts(dbt.cli(args, context=context), context)


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


def app_exposure_spec() -> dg.AssetSpec:
    """The Streamlit app, declared as a dbt exposure, downstream of the serving snapshot."""
    exposures: dict[str, dict[str, Any]] = json.loads(MANIFEST.read_text(encoding="utf-8"))["exposures"]
    exposure = next(item for item in exposures.values() if item["name"] == APP_ASSET_KEY.path[-1])
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
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=executable("dbt"),
        )
    },
)
