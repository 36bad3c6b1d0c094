"""The restricted copy of a parse, handed from a raw pipeline to its restricted pipeline.

The raw pipeline of a source with personal data (CRM, POS) parses each record once: its parse yields
the raw tables (personal values hashed) and, beside them, the clear personal values and the
quarantined lines unmasked (``ParsedChunk.restricted``). dlt loads one dataset per pipeline, so those
go to the restricted dataset through Parquet files under the pipelines folder, and the restricted
pipeline loads them. Reading every contact a second time for the restricted copy cost ~28 % of the
CRM's ingestion CPU.

Layout: ``<pipelines dir>/handoff/<raw source>/{pending,ready}/<load id>/<entity>/<table>_<n>.parquet``.

1. The raw pipeline writes a chunk's files under ``pending/<load id>`` while it extracts it.
2. Once that load is complete, :func:`settle_raw` moves the folder to ``ready/``; a folder whose
   package is gone unloaded (an extract a crash cut short: its files are read again) is deleted.
3. The restricted pipeline loads each ready folder (:func:`read_handoff`) and records it in its
   resource state, which dlt commits with the load. A folder is deleted once that state is committed
   (:func:`settle_restricted`, and again at the start of the next run), so a crash anywhere loads
   every folder exactly once.

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
import pyarrow.parquet as pq
from dlt.common.storages.exceptions import CurrentLoadPackageStateNotAvailable

logger = logging.getLogger(__name__)

HANDOFF_FOLDER = "handoff"
PENDING, READY = "pending", "ready"
RESTRICTED_SUFFIX = "_restricted"  # the restricted source of raw source ``crm`` is ``crm_restricted``
LOADED_STATE_KEY = "handoff_loaded"  # resource state: the folders (``<load id>/<entity>``) it loaded


def handoff_root(pipelines_dir: str | Path, raw_source: str) -> Path:
    """The hand-off folder of one raw source (``crm``, ``pos``) under a pipelines folder."""
    return Path(pipelines_dir) / HANDOFF_FOLDER / raw_source


def handoff_files(pipelines_dir: str | Path) -> list[Path]:
    """Every hand-off file under a pipelines folder, pending or ready."""
    root = Path(pipelines_dir) / HANDOFF_FOLDER
    return sorted(root.rglob("*.parquet")) if root.is_dir() else []


class HandoffWriter:
    """Writes the restricted tables of one entity's chunks for the load being extracted."""

    def __init__(self, folder: Path, entity_table: str) -> None:
        self.folder = folder / entity_table
        self._numbers = count()

    @classmethod
    def for_current_load(cls, entity_table: str) -> HandoffWriter | None:
        """The writer of the load package the running dlt extract fills (raw source: its schema).

        None outside a pipeline's extract (a source iterated by hand): nothing is loaded then.
        """
        try:
            load_id = dlt.current.load_package_state()["load_id"]
        except CurrentLoadPackageStateNotAvailable:
            return None
        pipeline = dlt.current.pipeline()
        root = handoff_root(pipeline.pipelines_dir, dlt.current.source_schema().name)
        return cls(root / PENDING / load_id, entity_table)

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Write each table (even empty: its types create the restricted table on a first load)."""
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
    loaded = set(pipeline.list_completed_load_packages())
    unfinished = {*pipeline.list_extracted_load_packages(), *pipeline.list_normalized_load_packages()}
    for folder in sorted(pending.iterdir()):
        if folder.name in loaded:
            (root / READY).mkdir(parents=True, exist_ok=True)
            folder.rename(root / READY / folder.name)
        elif folder.name not in unfinished:
            logger.info("%s: hand-off of load %s dropped (never loaded)", pipeline.pipeline_name, folder.name)
            shutil.rmtree(folder)


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


def read_handoff(raw_source: str, entity_table: str) -> Iterator[tuple[str, pa.Table]]:
    """The restricted tables the raw source handed over for one entity, as ``(table, rows)``.

    Run inside a restricted pipeline's extract. dlt loads a pipeline's pending packages before it
    extracts, so the folders recorded by earlier runs are loaded: they are deleted first.
    """
    state = dlt.current.resource_state()
    root = handoff_root(dlt.current.pipeline().pipelines_dir, raw_source)
    _delete_loaded(root, state)
    loaded: list[str] = []
    state[LOADED_STATE_KEY] = loaded
    ready = root / READY
    for load_folder in sorted(ready.iterdir(), key=lambda p: float(p.name)) if ready.is_dir() else []:
        folder = load_folder / entity_table
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.parquet")):
            yield path.stem.rsplit("_", 1)[0], pq.read_table(path)
        loaded.append(f"{load_folder.name}/{entity_table}")
