"""A small simulated world, shared by the orchestration tests that need data."""

from __future__ import annotations

from datetime import date

from parcours.paths import DataDir
from simulator import SimulationConfig, simulate_world

SMALL_WORLD = SimulationConfig(
    customers=300, days=3, seed=7, start_date=date(2026, 10, 1), malformed_rate=0.01
)


def simulate_small_world(data: DataDir) -> None:
    """Write the small world into the data directory's landing zone and truth folder."""
    simulate_world(SMALL_WORLD, landing_dir=data.landing, truth_dir=data.truth)
