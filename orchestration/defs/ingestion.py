"""dlt pipelines as Dagster assets, keyed ``[dataset, table]`` like the dbt sources they feed.

One asset per raw table: dagster-dlt's specs cover each dlt resource's main table;
the tables a resource writes beside it (GA4's ``event_params``, every dataset's
``quarantine`` and ``reconciliation``) are declared as further assets of the same
step, so the lineage from source system to mart has no gap. Each step ends with a
blocking check that every record read was loaded or quarantined, and a warning check
that lists the changes of shape (schema drift) its files brought.
"""

from collections.abc import Iterator
from typing import Any

import dagster as dg
import dlt as dlt_lib
from dagster_dlt import DagsterDltResource, DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.drift import SCHEMA_DRIFT_TABLE
from ingestion.handoff import RESTRICTED_SUFFIX
from ingestion.pii import ensure_pii_key
from ingestion.pipelines import (
    DATASETS,
    PIPELINE_ENTITIES,
    RESTRICTED_SOURCES,
    SOURCE_PIPELINES,
    drift_of,
    make_pipeline,
    make_source,
    prepared_for_a_run,
    purge_loaded_packages,
    reconciliation_of,
    tables_written,
)
from ingestion.validation import QUARANTINE_TABLE, RECONCILIATION_TABLE
from orchestration.backfill import BackfillWindow, forget_landing_days
from orchestration.environment import REPOSITORY_ROOT, data_dir

OWNER = "team:data-engineering"
RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
RECONCILIATION_CHECK = "records_read_equal_loaded_plus_quarantined"
RECONCILIATION_METADATA = "records_read_loaded_quarantined"
SCHEMA_DRIFT_CHECK = "no_schema_drift"
# Ingestion steps go first whenever they are ready: a restricted step waits for its raw step
# (the hand-off) and would otherwise queue behind dbt, which does not read the restricted datasets.
STEP_TAGS = {"dagster/priority": "1"}
LAST_UPDATED_METADATA = "dagster/last_updated_timestamp"  # read by Dagster's freshness checks


class RawTableTranslator(DagsterDltTranslator):
    """Keys dlt resources ``[dataset, table]`` with no phantom upstream asset."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        """The spec of one raw table, grouped by dataset."""
        dataset = data.pipeline.dataset_name if data.pipeline else "raw"
        return raw_table_spec(dataset, data.resource.table_name or data.resource.name)  # type: ignore[arg-type]


def raw_table_spec(dataset: str, table: str) -> dg.AssetSpec:
    """The spec of a table the ingestion step writes."""
    return dg.AssetSpec(
        key=dg.AssetKey([dataset, table]),
        group_name=dataset,
        owners=[OWNER],
        kinds={"dlt", "duckdb"},
        description=f"Raw table {dataset}.{table}, loaded by dlt from the landing zone or the source API.",
    )


def build_ingestion_assets(pipeline_name: str) -> dg.AssetsDefinition:
    """One step that runs one dlt pipeline, with an asset per table it writes.

    The pipeline and its source are built when the step runs, against the data
    directory of that moment: definitions stay free of any path, so one loaded code
    location serves every data directory (tests, ``parcours run``, ``dagster dev``).
    A restricted table depends on the raw table whose parse hands its rows over.
    """
    dataset = DATASETS[pipeline_name]
    # only its resource names are read
    template = make_source(pipeline_name, landing_url=str(REPOSITORY_ROOT), pii_key="")
    resource_specs = [
        raw_table_spec(dataset, resource.table_name or resource.name).merge_attributes(
            deps=_handed_over_by(pipeline_name, resource.name)
        )
        for resource in template.selected_resources.values()
    ]
    covered = {spec.key for spec in resource_specs}
    side_specs = [
        raw_table_spec(dataset, table).merge_attributes(deps=sorted(covered, key=str))
        for table in tables_written(pipeline_name)
        if dg.AssetKey([dataset, table]) not in covered
    ]
    reconciliation_key = dg.AssetKey([dataset, RECONCILIATION_TABLE])
    drift_key = dg.AssetKey([dataset, SCHEMA_DRIFT_TABLE])
    check_specs = []
    if any(spec.key == reconciliation_key for spec in side_specs):
        check_specs.append(dg.AssetCheckSpec(RECONCILIATION_CHECK, asset=reconciliation_key, blocking=True))
    if any(spec.key == drift_key for spec in side_specs):
        check_specs.append(
            dg.AssetCheckSpec(
                SCHEMA_DRIFT_CHECK,
                asset=drift_key,
                blocking=False,
                description="Warns when this run's files changed shape: new or missing columns, type "
                "drift, new or vanished GA4 parameter keys (rows of the schema_drift table).",
            )
        )

    @dg.multi_asset(
        name=f"ingest_{pipeline_name}",
        specs=[*resource_specs, *side_specs],
        check_specs=check_specs,
        retry_policy=RETRY_POLICY,
        op_tags=STEP_TAGS,
        description=f"Run the dlt pipeline parcours_{pipeline_name} into dataset {dataset}.",
    )
    def _ingest(
        context: dg.AssetExecutionContext, dlt: DagsterDltResource, backfill: BackfillWindow
    ) -> Iterator[Any]:
        data = data_dir()
        pipeline = make_pipeline(pipeline_name, data)
        with prepared_for_a_run(pipeline):  # left before anything is yielded to Dagster
            if backfill.active:
                forgotten = forget_landing_days(pipeline, backfill)
                context.log.info("backfill %s: re-reading %d file(s)", backfill.describe(), len(forgotten))
            results = list(
                dlt.run(
                    context=context,
                    dlt_source=make_source(pipeline_name, str(data.landing), ensure_pii_key(data)),
                    dlt_pipeline=pipeline,
                    dagster_dlt_translator=RawTableTranslator(),
                    loader_file_format="parquet",
                )
            )
            outputs = [
                *with_arrival_times(results, pipeline),
                *_side_table_results(pipeline, side_specs, {spec.name for spec in check_specs}),
            ]
        yield from outputs
        purge_loaded_packages(pipeline)

    return _ingest


def _handed_over_by(pipeline_name: str, restricted_table: str) -> list[dg.AssetKey]:
    """The raw table whose parse hands a restricted table its rows (none for a raw table)."""
    if pipeline_name not in RESTRICTED_SOURCES:
        return []
    raw = pipeline_name.removesuffix(RESTRICTED_SUFFIX)
    return [
        dg.AssetKey([DATASETS[raw], entity.table])
        for entity in PIPELINE_ENTITIES[pipeline_name]
        if entity.restricted_table == restricted_table
    ]


def with_arrival_times(results: list[Any], pipeline: dlt_lib.Pipeline) -> Iterator[Any]:
    """Stamp each raw table with the time rows last arrived in it (``dagster/last_updated_timestamp``).

    That time is the newest ``_dlt_load_id`` in the table (dlt's load ids are the load's
    Unix time), so a run that found no new file leaves it unchanged and the freshness
    checks see a silent source. A table that has never held a row gets no stamp: its
    freshness counts from this materialisation (a source with nothing to export yet, such
    as a new shop without service tickets, is not stale).
    """
    arrived = _newest_load_times(pipeline, [result.asset_key.path[-1] for result in results])
    for result in results:
        arrival = arrived.get(result.asset_key.path[-1]) if result.asset_key else None
        if not isinstance(result, dg.MaterializeResult) or arrival is None:
            yield result
            continue
        metadata = {**(result.metadata or {}), LAST_UPDATED_METADATA: dg.MetadataValue.timestamp(arrival)}
        yield dg.MaterializeResult(
            asset_key=result.asset_key,
            metadata=metadata,
            check_results=result.check_results,
            data_version=result.data_version,
            tags=result.tags,
        )


def _newest_load_times(pipeline: dlt_lib.Pipeline, tables: list[str]) -> dict[str, float]:
    known = [table for table in tables if table in pipeline.default_schema.tables]
    if not known:
        return {}
    newest: dict[str, float] = {}
    with pipeline.sql_client() as client:
        for table in known:
            qualified = client.make_qualified_table_name(table)
            rows = client.execute_sql(f"SELECT max(_dlt_load_id) FROM {qualified}")
            if rows and rows[0][0]:
                newest[table] = float(rows[0][0])
    return newest


def _side_table_results(
    pipeline: dlt_lib.Pipeline, side_specs: list[dg.AssetSpec], checks: set[str]
) -> Iterator[Any]:
    trace = pipeline.last_trace
    load_ids = list(trace.last_load_info.loads_ids) if trace and trace.last_load_info else []
    lines = reconciliation_of(pipeline, load_ids)
    drift = drift_of(pipeline, load_ids)
    quarantined = sum(line.records_quarantined for line in lines)
    for spec in side_specs:
        metadata: dict[str, Any] = {"load_ids": ", ".join(load_ids)}
        if spec.key.path[-1] == QUARANTINE_TABLE:
            metadata["records_quarantined_this_run"] = quarantined
        if spec.key.path[-1] == SCHEMA_DRIFT_TABLE:
            metadata["changes_this_run"] = len(drift)
        if spec.key.path[-1] == RECONCILIATION_TABLE:
            metadata[RECONCILIATION_METADATA] = dg.MetadataValue.json(
                {
                    line.table: [line.records_read, line.records_loaded, line.records_quarantined]
                    for line in lines
                }
            )
        yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)
    if SCHEMA_DRIFT_CHECK in checks:
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey([pipeline.dataset_name, SCHEMA_DRIFT_TABLE]),
            check_name=SCHEMA_DRIFT_CHECK,
            passed=not drift,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"changes": dg.MetadataValue.md("\n".join(f"- {line.describe()}" for line in drift))},
        )
    if RECONCILIATION_CHECK in checks:
        unbalanced = [line for line in lines if not line.balanced]
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey([pipeline.dataset_name, RECONCILIATION_TABLE]),
            check_name=RECONCILIATION_CHECK,
            passed=not unbalanced,
            metadata={
                f"{line.table}": f"read {line.records_read} = loaded {line.records_loaded} "
                f"+ quarantined {line.records_quarantined}"
                for line in lines
            },
        )


defs = dg.Definitions(
    assets=[
        build_ingestion_assets(pipeline_name)
        for pipelines in SOURCE_PIPELINES.values()
        for pipeline_name in pipelines
    ],
    resources={"dlt": DagsterDltResource()},
)
