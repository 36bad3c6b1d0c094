"""dbt models as Dagster assets, dbt tests as asset checks, the app as the dbt exposure.

The whole dbt project runs as one ``dbt build`` (each dbt invocation costs seconds
of parsing). Sources are keyed ``[source_name, table]`` so they meet the dlt assets
of the ingestion module and the lineage graph is unbroken.
"""

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.backfill import BackfillWindow
from orchestration.environment import DBT_PROJECT_DIR, data_dir, ensure_dbt_manifest, executable
from parcours import engine

LAYER_OWNERS = {
    "staging": "team:analytics-engineering",
    "intermediate": "team:analytics-engineering",
    "marts": "team:analytics-engineering",
}
APP_ASSET_KEY = dg.AssetKey(["streamlit_app"])
SERVING_SNAPSHOT_KEY = dg.AssetKey(["serving_snapshot"])


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
    """Build every selected model, seed and test in one ``dbt build``, with row counts.

    During a backfill, ``--vars`` widens the incremental models' windows to its first day.
    """
    args = ["build"]
    if backfill.active:
        args += ["--vars", json.dumps(backfill.dbt_vars())]
    events = list(dbt.cli(args, context=context).stream())
    yield from with_row_counts(events, context.assets_def, data_dir().warehouse)


def with_row_counts(events: list[Any], assets_def: dg.AssetsDefinition, warehouse: Path) -> Iterator[Any]:
    """Add ``dagster/row_count`` to each materialised table, counted once dbt has exited.

    dagster-dbt's own ``fetch_row_counts`` opens the warehouse through the dbt adapter
    inside this process and keeps it open, which locks out the publish step.
    """
    with engine.connect(warehouse) as connection:
        relations = {
            name: f'"{schema}"."{name}"'
            for schema, name in connection.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
            ).fetchall()
        }
        for event in events:
            relation = None
            if isinstance(event, dg.Output):
                relation = relations.get(assets_def.keys_by_output_name[event.output_name].path[-1])
            if relation is None:
                yield event
                continue
            row = connection.execute(f"select count(*) from {relation}").fetchone()
            yield event.with_metadata({**event.metadata, "dagster/row_count": int(row[0]) if row else 0})


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
