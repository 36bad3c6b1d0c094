"""The restricted copy of a parse, handed from a raw pipeline to its restricted pipeline.

The raw pipeline of a source with personal data (CRM, POS) parses each record once: its parse yields
the raw tables (personal values hashed) and, beside them, the clear personal values and the
quarantined lines unmasked (``ParsedChunk.restricted``). dlt loads one dataset per pipeline, so those
go to the restricted dataset through Parquet files under the pipelines folder, and the restricted
pipeline loads them. Reading every contact a second time for the restricted copy cost ~28 % of the
CRM's ingestion CPU.

Layout: ``<pipelines dir>/handoff/<raw source>/{pending,ready}/<load id>/<entity>/<table>_<n>.parquet``.

1. The raw pipeline writes a chunk's files under ``pending/<load id>`` while it extracts it.
2. After each raw run, :func:`settle_raw` moves the folders of the loads the destination completed
   (its ``_dlt_loads``) to ``ready/``, and deletes those whose package is gone unloaded: an extract a
   crash cut short, or a pending package dropped (Dagster's dlt resource drops the local state
   before every run); their files are read again, as the raw state committed says.
3. The restricted pipeline loads each ready folder (:func:`read_handoff`) and records it in its
   resource state, which dlt commits with the load. A folder is deleted once that state is committed
   (:func:`settle_restricted`, and when the next extract starts: dlt never extracts while a package
   is pending, and a state restored from the destination is a committed one). So wherever a run
   stops, every folder is loaded exactly once.

The files hold clear personal data: ``parcours erase`` rewrites them without the erased person
(:func:`handoff_files`).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dlt.common.destination.exceptions import SqlClientNotAvailable
from dlt.common.storages.exceptions import CurrentLoadPackageStateNotAvailable
from dlt.destinations.exceptions import DatabaseUndefinedRelation

from ingestion.specs import Entity

logger = logging.getLogger(__name__)

HANDOFF_FOLDER = "handoff"
PENDING, READY = "pending", "ready"
RESTRICTED_SUFFIX = "_restricted"  # the restricted source of raw source ``crm`` is ``crm_restricted``
LOADED_STATE_KEY = "handoff_loaded"  # resource state: the folders (``<load id>/<entity>``) it loaded


def handoff_root(pipelines_dir: str | Path, raw_source: str) -> Path:
    """The hand-off folder of one raw source (``crm``, ``pos``) under a pipelines folder."""
    return Path(pipelines_dir) / HANDOFF_FOLDER / raw_source


def handoff_files(pipelines_dir: str | Path, pattern: str = "*.parquet") -> list[Path]:
    """Every hand-off file under a pipelines folder, pending or ready (or those matching ``pattern``)."""
    root = Path(pipelines_dir) / HANDOFF_FOLDER
    return sorted(root.rglob(pattern)) if root.is_dir() else []


class HandoffWriter:
    """Writes the restricted tables of one entity's chunks for the load being extracted."""

    def __init__(self, folder: Path, entity_table: str) -> None:
        self.folder = folder / entity_table
        self._numbers = count()

    @classmethod
    def for_current_load(cls, entity_table: str) -> HandoffWriter | None:
        """The writer of the load package the running dlt extract fills (raw source: its schema).

        None with no pipeline at all (a source iterated by hand): nothing is loaded then.
        """
        try:
            load_id = dlt.current.load_package_state()["load_id"]
        except CurrentLoadPackageStateNotAvailable:
            if dlt.current.pipeline() is None:
                return None
            raise
        pipeline = dlt.current.pipeline()
        root = handoff_root(pipeline.pipelines_dir, dlt.current.source_schema().name)
        return cls(root / PENDING / load_id, entity_table)

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Write each table (even empty: its types create the restricted table on a first load)."""
        if not tables:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        number = next(self._numbers)
        for table, data in tables.items():
            pq.write_table(data, self.folder / f"{table}_{number:06d}.parquet")


def settle(pipeline: dlt.Pipeline) -> None:
    """After a pipeline's run: :func:`settle_restricted` for a restricted source, else :func:`settle_raw`."""
    schema = pipeline.default_schema_name
    if schema is None:
        return
    if schema.endswith(RESTRICTED_SUFFIX):
        settle_restricted(pipeline, schema.removesuffix(RESTRICTED_SUFFIX))
    else:
        settle_raw(pipeline)


def settle_raw(pipeline: dlt.Pipeline) -> None:
    """After a raw pipeline's run: hand over the folders of complete loads, drop the abandoned ones."""
    root = handoff_root(pipeline.pipelines_dir, str(pipeline.default_schema_name))
    pending = root / PENDING
    if not pending.is_dir():
        return
    folders = sorted(pending.iterdir())
    loaded = _completed_loads(pipeline, [folder.name for folder in folders])
    unfinished = {*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages()}
    for folder in folders:
        if folder.name in loaded:
            (root / READY).mkdir(parents=True, exist_ok=True)
            folder.rename(root / READY / folder.name)
        elif folder.name not in unfinished:
            logger.info("%s: hand-off of load %s dropped (never loaded)", pipeline.pipeline_name, folder.name)
            shutil.rmtree(folder)


def _completed_loads(pipeline: dlt.Pipeline, load_ids: list[str]) -> set[str]:
    """Which of ``load_ids`` the destination completed (``_dlt_loads`` status 0).

    A destination without SQL: the packages dlt archived as loaded in the pipeline's working folder.
    """
    if not load_ids:
        return set()
    try:
        with pipeline.sql_client() as client:
            table = client.make_qualified_table_name(pipeline.default_schema.loads_table_name)
            placeholders = ", ".join(["%s"] * len(load_ids))
            rows = client.execute_sql(
                f"SELECT load_id FROM {table} WHERE status = 0 AND load_id IN ({placeholders})", *load_ids
            )
    except (SqlClientNotAvailable, DatabaseUndefinedRelation):
        return {
            load_id
            for load_id in pipeline.list_completed_load_packages()
            if pipeline.get_load_package_info(load_id).state == "loaded"
        }
    return {row[0] for row in rows or []}


def settle_restricted(pipeline: dlt.Pipeline, raw_source: str) -> None:
    """After a restricted pipeline's run (its state committed): delete the folders it loaded."""
    source_state = pipeline.state.get("sources", {}).get(str(pipeline.default_schema_name), {})
    for resource_state in source_state.get("resources", {}).values():
        _delete_loaded(handoff_root(pipeline.pipelines_dir, raw_source), resource_state)


def _delete_loaded(root: Path, resource_state: dict[str, Any]) -> None:
    for name in resource_state.get(LOADED_STATE_KEY, []):
        shutil.rmtree(root / READY / name, ignore_errors=True)
        load_folder = (root / READY / name).parent
        if load_folder.is_dir() and not any(load_folder.iterdir()):
            load_folder.rmdir()


def read_handoff(raw_source: str, entity: Entity) -> Iterator[tuple[str, pa.Table]]:
    """The restricted tables the raw source handed over for one entity, as ``(table, rows)``.

    Run inside a restricted pipeline's extract. dlt never extracts while a package of the pipeline
    is pending, so the folders the state records were loaded: they are deleted first. The folders
    are read newest first, and a key a newer folder holds is dropped from the older ones, so that
    several folders loaded at once keep the version of the latest load, as the raw merge does.
    """
    state = dlt.current.resource_state()
    root = handoff_root(dlt.current.pipeline().pipelines_dir, raw_source)
    _delete_loaded(root, state)
    loaded: list[str] = []
    state[LOADED_STATE_KEY] = loaded
    ready = root / READY
    newer_keys: list[pa.Array] = []  # the restricted table's keys in the folders read so far
    folders = sorted(ready.iterdir(), key=lambda p: float(p.name), reverse=True) if ready.is_dir() else []
    for load_folder in folders:
        folder = load_folder / entity.table
        if not folder.is_dir():
            continue
        keys = []
        for path in sorted(folder.glob("*.parquet")):
            table, data = path.stem.rsplit("_", 1)[0], pq.read_table(path)
            if table == entity.restricted_table:
                data = _without_keys(entity, data, newer_keys)
                keys.append(_key(entity, data))
            yield table, data
        newer_keys += keys
        loaded.append(f"{load_folder.name}/{entity.table}")


def _without_keys(entity: Entity, data: pa.Table, keys: list[pa.Array]) -> pa.Table:
    """The rows of ``data`` whose key none of ``keys`` holds."""
    if not keys:
        return data
    return data.filter(pc.invert(pc.is_in(_key(entity, data), value_set=pa.concat_arrays(keys))))


def _key(entity: Entity, data: pa.Table) -> pa.Array:
    """The entity key of each row as one string (several key columns joined)."""
    columns = [pc.cast(data[name], pa.string()).combine_chunks() for name in entity.key]
    separator = "\x1f"  # ASCII unit separator
    return columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, separator)
