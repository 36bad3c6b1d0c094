from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator import SimulationConfig, SimulationSummary, simulate_world


@dataclass(frozen=True)
class SimulatedWorld:
    config: SimulationConfig
    landing: Path
    truth: Path
    summary: SimulationSummary


def run_world(root: Path, **overrides: object) -> SimulatedWorld:
    settings: dict[str, object] = {"customers": 1000, "days": 4, "seed": 7, "show_progress": False}
    settings.update(overrides)
    config = SimulationConfig(**settings)  # type: ignore[arg-type]
    summary = simulate_world(config, root / "landing", root / "truth")
    return SimulatedWorld(config, root / "landing", root / "truth", summary)


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> SimulatedWorld:
    return run_world(tmp_path_factory.mktemp("world"), malformed_rate=0.01)
