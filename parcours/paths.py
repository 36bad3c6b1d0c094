"""The data directory: every piece of state Parcours keeps lives below one folder.

The folder is ``./data`` by default, ``$PARCOURS_HOME`` when set, or whatever
``--data-dir`` names. Two data directories never share a file, so two copies of
the pipeline (or a test and a demo) can run side by side.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV_VAR = "PARCOURS_HOME"
DEFAULT_HOME = Path("data")


@dataclass(frozen=True)
class DataDir:
    """Named locations inside one data directory."""

    root: Path

    @property
    def landing(self) -> Path:
        """Source exports as the source systems write them (one sub-folder per source)."""
        return self.root / "landing"

    @property
    def truth(self) -> Path:
        """The simulator's ground truth; no pipeline reads it, only ``parcours evaluate``."""
        return self.root / "truth"

    @property
    def warehouse(self) -> Path:
        """The live DuckDB warehouse the pipeline writes."""
        return self.root / "warehouse" / "parcours.duckdb"

    @property
    def serving(self) -> Path:
        """Folder of published read-only snapshots the app reads."""
        return self.root / "serving"

    @property
    def dagster_home(self) -> Path:
        """``DAGSTER_HOME``: run storage, event logs and schedules of the local instance."""
        return self.root / "dagster_home"

    @property
    def logs(self) -> Path:
        """Log files and alerts."""
        return self.root / "logs"

    @property
    def secrets(self) -> Path:
        """Local secrets (the PII hashing key of the demo); never inside the warehouse."""
        return self.root / "secrets"

    @property
    def exports(self) -> Path:
        """Files the pipeline writes for other tools, such as activation audiences."""
        return self.root / "exports"

    @property
    def privacy(self) -> Path:
        """Erasure bookkeeping: the suppression list ingestion consults (hashed identifiers only)."""
        return self.root / "privacy"

    @property
    def tmp(self) -> Path:
        """Scratch space: DuckDB spill files, dlt working folders."""
        return self.root / "tmp"

    def ensure(self) -> DataDir:
        """Create the folders that must exist before anything writes into them."""
        for folder in (
            self.landing,
            self.warehouse.parent,
            self.serving,
            self.dagster_home,
            self.logs,
            self.secrets,
            self.exports,
            self.privacy,
            self.tmp,
        ):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataDir:
    """Return the data directory: ``explicit`` if given, else ``$PARCOURS_HOME``, else ``./data``."""
    chosen = explicit or os.environ.get(HOME_ENV_VAR) or DEFAULT_HOME
    return DataDir(Path(chosen).expanduser().resolve())
