"""Backfill: re-run the pipeline for a range of landing days.

What a data engineer asks for when a source re-delivers the exports of some days (a
corrected POS close, a GA4 export regenerated after a tagging fix) or when the
pipeline was down for a week: "re-read the files of 2026-10-03 to 2026-10-05 and
rebuild everything that depends on them". A backfill run is the ordinary full
pipeline with a window set on the ``backfill`` resource (Dagster launchpad:
``resources.backfill.config.from_date / to_date``; command line:
``parcours run --from 2026-10-03 --to 2026-10-05``):

* Ingestion forgets that it loaded the landing files dated in the window (the day in
  the file name), so they are read again, even GA4 days older than its 3-day rewrite
  window. Re-reading is idempotent: every raw table merges on its key or, for GA4,
  replaces whole days. For tables where the newest version of a record wins
  (contacts, tickets, orders: an ``updated_at``), the files *after* the window are read
  again too, so an old version re-read from the window never overwrites a newer one.
* dbt rebuilds its incremental models from ``from_date`` on (var ``backfill_from_date``
  widens each late-data window), so sessions, touchpoints and stitching are recomputed
  over the whole window and the days after it that depend on it.
* Checks, the quality gate and the publish work as in any run.

A window with only ``from_date`` runs to the newest landed day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import dagster as dg
import dlt

from ingestion.landing import LandingFile
from ingestion.pipelines import PIPELINE_ENTITIES
from ingestion.specs import Entity

BACKFILL_VAR = "backfill_from_date"


class BackfillWindow(dg.ConfigurableResource):
    """The landing days a run re-reads and rebuilds; empty for an ordinary run."""

    from_date: str | None = None
    to_date: str | None = None

    @property
    def active(self) -> bool:
        """True when the run is a backfill."""
        return bool(self.from_date)

    def bounds(self) -> tuple[date, date | None]:
        """First and last day of the window (``None``: up to the newest day); validates the dates."""
        if not self.from_date:
            raise ValueError("not a backfill run: from_date is empty")
        first = date.fromisoformat(self.from_date)
        last = date.fromisoformat(self.to_date) if self.to_date else None
        if last is not None and last < first:
            raise ValueError(f"backfill window ends ({last}) before it starts ({first})")
        return first, last

    def dbt_vars(self) -> dict[str, str]:
        """The dbt vars of the run: ``backfill_from_date`` during a backfill, none otherwise."""
        return {BACKFILL_VAR: self.bounds()[0].isoformat()} if self.active else {}

    def describe(self) -> str:
        """``2026-10-03..2026-10-05`` (or ``2026-10-03..newest``)."""
        first, last = self.bounds()
        return f"{first.isoformat()}..{last.isoformat() if last else 'newest'}"


def forget_landing_days(pipeline: dlt.Pipeline, window: BackfillWindow) -> list[str]:
    """Remove the window's files from the pipeline's file state so its next run reads them again.

    Returns the forgotten landing paths, sorted. Files after the window are forgotten too
    for tables where the newest version of a record wins. The new state is loaded into the
    destination at once (a state-only load): dagster-dlt drops the local pipeline state
    before every run and restores it from the destination, so a local edit would be lost.
    """
    first, last = window.bounds()
    entities = _entities_by_resource(pipeline.pipeline_name.removeprefix("parcours_"))
    forgotten: list[str] = []
    with pipeline.managed_state(extract_state=True) as state:
        for source in state.get("sources", {}).values():
            for resource_name, resource_state in source.get("resources", {}).items():
                files: dict[str, Any] = resource_state.get("files", {})
                entity = entities.get(resource_name)
                keeps_newest = bool(entity and entity.newest_column)
                for path in _paths_in_window(files, first, None if keeps_newest else last):
                    del files[path]
                    forgotten.append(path)
    if forgotten:
        pipeline.normalize()
        pipeline.load()
    return sorted(forgotten)


def _entities_by_resource(pipeline_name: str) -> dict[str, Entity]:
    return {entity.table: entity for entity in PIPELINE_ENTITIES.get(pipeline_name, ())}


def _paths_in_window(paths: Iterable[str], first: date, last: date | None) -> list[str]:
    """Paths whose file-name day lies in ``[first, last]`` (reference files have no day)."""
    selected = []
    for path in paths:
        day = LandingFile(path, path, "").day
        if day is not None and day >= first and (last is None or day <= last):
            selected.append(path)
    return selected
