"""Entry point for ``dagster dev`` and ``parcours run``: everything under ``orchestration/defs``."""

from pathlib import Path

import dagster as dg

from parcours.telemetry import disable_telemetry

disable_telemetry()

defs = dg.load_from_defs_folder(path_within_project=Path(__file__).resolve().parent)
