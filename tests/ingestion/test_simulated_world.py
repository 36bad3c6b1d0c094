"""End to end on a small world written by the simulator: quarantine matches its list of defects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow.parquet as pq
import pytest

from ingestion import IngestionReport, run_ingestion
from parcours.paths import DataDir
from tests.ingestion.conftest import rows

simulator = pytest.importorskip("simulator")

RAW = ("raw_crm", "raw_ga4", "raw_pos", "raw_social")
REASON_OF_DEFECT = {"negative_quantity": "out_of_range"}


@dataclass
class Simulated:
    data_dir: DataDir
    first: IngestionReport
    second: IngestionReport


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    data_dir = DataDir(tmp_path_factory.mktemp("simulated") / "home").ensure()
    config = simulator.SimulationConfig(
        customers=500, days=3, seed=7, start_date=date(2026, 10, 1), malformed_rate=0.02, show_progress=False
    )
    simulator.simulate_world(config, landing_dir=data_dir.landing, truth_dir=data_dir.truth)
    return Simulated(data_dir, run_ingestion(data_dir), run_ingestion(data_dir))


def _quarantined(data_dir: DataDir) -> set[tuple[str, int, str]]:
    found: set[tuple[str, int, str]] = set()
    for dataset in RAW:
        exists = rows(
            data_dir,
            "SELECT count(*) FROM information_schema.tables "
            f"WHERE table_schema = '{dataset}' AND table_name = 'quarantine'",
        )[0][0]
        if exists:
            found |= set(
                rows(data_dir, f"SELECT source_file, line_number, reason_code FROM {dataset}.quarantine")
            )
    return found


def test_quarantine_holds_exactly_the_simulators_malformed_lines(simulated: Simulated) -> None:
    truth = pq.read_table(simulated.data_dir.truth / "malformed.parquet").to_pylist()
    expected = {(t["file"], t["line"], REASON_OF_DEFECT.get(t["defect"], t["defect"])) for t in truth}
    assert expected
    assert _quarantined(simulated.data_dir) == expected


def test_simulated_world_reconciles_and_reruns_load_nothing(simulated: Simulated) -> None:
    assert simulated.first.balanced
    assert {line.table for line in simulated.first.tables} >= {"contacts", "events", "orders", "mentions"}
    assert simulated.second.tables == []
