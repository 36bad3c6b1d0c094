"""Smoke test of ``parcours bench`` at the smallest meaningful scale: shape of the results, no timings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import REQUIRED_KEYS, BenchConfig, record, run_benchmark
from bench.measure import PeakMemorySampler, StageResult, timed
from bench.phase import run_phase
from bench.report import to_markdown, to_payload, update_readme
from bench.runner import BenchRun
from bench.stages import SOURCES
from parcours.paths import DataDir

ALLOCATE_MB = 200
CHILD = f"import time; block = bytearray({ALLOCATE_MB} * 1024 * 1024); time.sleep(1.0)"


CHECKPOINTS: list[tuple[list[str], bool, str]] = []  #: (phases so far, complete, markdown) at each checkpoint


def _checkpoint(run: BenchRun) -> None:
    CHECKPOINTS.append((list(run.phases), run.complete, to_markdown(to_payload(run))))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    root = tmp_path_factory.mktemp("bench")
    config = BenchConfig(
        customers=200,
        days=2,
        results_dir=root / "results",
        work_dir=root / "work",
        keep_data=True,
        orchestration=False,
    )
    run = run_benchmark(config, echo=lambda message: None, checkpoint=_checkpoint)
    readme = root / "README.md"
    readme.write_text("# Parcours\n", encoding="utf-8")
    json_path, markdown_path, _ = record(run, config.results_dir, readme)
    assert "## Benchmark" in readme.read_text(encoding="utf-8")
    assert markdown_path.read_text(encoding="utf-8").count("| stage |") >= 2
    return json.loads(json_path.read_text(encoding="utf-8")), run.data.landing


def test_every_required_figure_is_a_number_or_null(results: tuple[dict[str, object], Path]) -> None:
    payload, _ = results
    for key in REQUIRED_KEYS:
        assert key in payload, key
        assert payload[key] is None or isinstance(payload[key], int | float), key
    measured = ("full_build_s", "incremental_s", "peak_rss_mb", "ingest_rows_per_s", "native_read_rows_per_s")
    for key in measured:
        assert isinstance(payload[key], int | float), key
    assert payload["orchestration_overhead_share"] is None  # skipped on purpose here
    machine = payload["machine"]
    assert isinstance(machine, dict)
    assert machine["cores"] and machine["memory_gb"] and machine["packages"]
    assert machine["duckdb_memory_limit"].endswith(("MB", "GB"))


def _stages(payload: dict[str, object], phase: str) -> list[dict[str, object]]:
    phases = payload["phases"]
    assert isinstance(phases, dict)
    return list(phases[phase])


def test_ingestion_reports_positive_throughput_per_source(results: tuple[dict[str, object], Path]) -> None:
    payload, _ = results
    ingests = [stage for stage in _stages(payload, "full") if str(stage["name"]).startswith("ingest: ")]
    assert [stage["name"] for stage in ingests] == [f"ingest: {source}" for source in SOURCES]
    for stage in ingests:
        rate = stage["rows_per_s"]
        assert isinstance(rate, float) and rate > 0, stage


def test_api_ingestion_reads_every_served_record_and_reports_its_rate(
    results: tuple[dict[str, object], Path],
) -> None:
    payload, _ = results
    (api,) = _stages(payload, "api")
    assert api["ok"] is True and api["counted"] is False
    detail = api["detail"]
    assert isinstance(detail, dict) and detail["raw_crm.contacts"] and detail["raw_pos.orders"]
    assert api["rows"] == sum(count for name, count in detail.items() if name.startswith("raw_"))
    assert isinstance(payload["api_ingest_records_per_s"], float) and payload["api_ingest_records_per_s"] > 0


def test_native_read_holds_the_valid_ga4_lines_ingested(results: tuple[dict[str, object], Path]) -> None:
    payload, _ = results
    full = _stages(payload, "full")
    native = next(stage for stage in full if stage["name"] == "native read: ga4")
    ingest = next(stage for stage in full if stage["name"] == "ingest: ga4")
    detail = ingest["detail"]
    assert isinstance(detail, dict)
    events = detail["raw_ga4.events"]
    rows = native["rows"]
    assert isinstance(rows, int)
    # Every line ingestion read but did not quarantine is valid JSON, so DuckDB reads it too.
    assert events["read"] - events["quarantined"] <= rows <= events["read"]
    assert rows > 0


def test_the_incremental_day_ran(results: tuple[dict[str, object], Path]) -> None:
    payload, _ = results
    names = [stage["name"] for stage in _stages(payload, "incremental")]
    assert names[0] == "simulate" and "dbt build" in names and "publish" in names
    assert isinstance(payload["incremental_s"], float) and payload["incremental_s"] > 0


def test_partial_results_are_checkpointed_after_each_phase(results: tuple[dict[str, object], Path]) -> None:
    payload, _ = results
    assert payload["complete"] is True
    assert [(phases, complete) for phases, complete, _ in CHECKPOINTS] == [
        (["full", "api"], False),
        (["full", "api", "serve"], False),
        (["full", "api", "serve", "incremental"], True),
    ]
    assert "PARTIAL: stopped after full, api)" in CHECKPOINTS[0][2]
    assert "PARTIAL" not in CHECKPOINTS[-1][2]


def test_a_phase_whose_process_fails_raises_with_its_output_relayed(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data").ensure()
    data.warehouse.mkdir(parents=True)  # a directory where DuckDB's file should be: ingestion fails
    lines: list[str] = []
    finished: list[StageResult] = []
    with pytest.raises(RuntimeError, match="bench phase broken failed"):
        run_phase(data, "broken", lines.append, native=False, done=finished.append)
    assert lines[0] == "[broken] ingest crm" and "Is a directory" in lines[-1]
    assert finished == []


def test_rss_sampler_sees_a_child_that_allocates() -> None:
    with PeakMemorySampler() as baseline:
        pass
    with timed("child") as stage:
        subprocess.run([sys.executable, "-c", CHILD], check=True)
    assert stage.peak_rss_mb > baseline.peak_mb + ALLOCATE_MB / 2


def test_readme_section_is_created_then_filled(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n## Licence\n\nApache\n", encoding="utf-8")
    update_readme(None, readme)
    assert "No reference-scale run" in readme.read_text(encoding="utf-8")
    update_readme("| a | b |", readme)
    text = readme.read_text(encoding="utf-8")
    assert "| a | b |" in text and "No reference-scale run" not in text
    assert text.index("## Benchmark") < text.index("## Licence")


def test_the_dbt_thread_count_is_reported(results: tuple[dict[str, object], Path]) -> None:
    payload, _ = results
    assert (payload["dbt_threads"], payload["incremental_dbt_threads"]) == (1, 1)  # the profile's default
