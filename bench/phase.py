"""One phase's pipeline stages in a Python process of their own, as Dagster runs a pipeline.

Dagster's run launcher starts a process per run, and a run's steps share it (the in-process
executor, ``orchestration/defs/resources.py``). The benchmark does the same per phase (full build,
increment, rerun): what a stage leaves in its process (modules, allocator caches, data a library
keeps) counts in the peak memory of the phase's later stages, as in a run, never in another
phase's. The parent relays the child's output lines to its ``echo`` and reads the stages back from
a JSON file the child rewrites after each stage, so a phase that fails still reports the stages
it finished.

Run on its own: ``python -m bench.phase <data dir> <phase> <results file> [--native]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from bench import stages
from bench.measure import Echo, StageResult
from bench.native import native_read
from parcours.paths import DataDir


def pipeline_stages(
    data: DataDir, phase: str, echo: Echo, done: Callable[[StageResult], None], *, native: bool
) -> None:
    """Ingest each source (and its native reference read), build, check, publish; each stage to ``done``."""

    def finished(stage: StageResult) -> StageResult:
        echo(stage.progress_line())
        done(stage)
        return stage

    ingested = 0
    for source in stages.SOURCES:
        echo(f"[{phase}] ingest {source}")
        ingested += finished(stages.ingest_source(data, source)).rows
        if native:
            echo(f"[{phase}] native read {source} (reference)")
            database = data.tmp / "bench_native.duckdb"
            finished(native_read(data.landing, source, database))
            database.unlink(missing_ok=True)
    echo(f"[{phase}] dbt build")
    finished(stages.dbt_build(data, ingested))
    echo(f"[{phase}] checks")
    finished(stages.run_checks(data))
    echo(f"[{phase}] publish")
    finished(stages.publish(data, run_id=f"bench-{phase}-{uuid.uuid4().hex[:8]}"))


def run_phase(
    data: DataDir, phase: str, echo: Echo, *, native: bool, done: Callable[[StageResult], None]
) -> None:
    """:func:`pipeline_stages` in a child process; its finished stages go to ``done``, then failures raise."""
    results = data.tmp / f"bench_phase_{phase}.json"
    results.unlink(missing_ok=True)
    command = [sys.executable, "-m", "bench.phase", str(data.root), phase, str(results)]
    with subprocess.Popen(
        [*command, "--native"] if native else command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            echo(line.rstrip("\n"))
    if results.exists():
        for stage in json.loads(results.read_text(encoding="utf-8")):
            done(StageResult.from_dict(stage))
        results.unlink()
    if child.returncode:
        raise RuntimeError(f"bench phase {phase} failed (exit code {child.returncode}); its output is above")


def main(argv: list[str] | None = None) -> int:
    """Run one phase's stages on a data directory and write them to the results file."""
    parser = argparse.ArgumentParser(prog="python -m bench.phase", description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("phase")
    parser.add_argument("results", type=Path, help="JSON file the finished stages are written to")
    parser.add_argument("--native", action="store_true", help="also time DuckDB's native read of each source")
    args = parser.parse_args(argv)
    finished: list[dict[str, object]] = []

    def record(stage: StageResult) -> None:
        finished.append(stage.as_dict())
        args.results.write_text(json.dumps(finished, default=str), encoding="utf-8")

    def echo(message: str) -> None:
        print(message, flush=True)

    pipeline_stages(DataDir(args.data_dir), args.phase, echo, record, native=args.native)
    return 0


if __name__ == "__main__":
    sys.exit(main())
