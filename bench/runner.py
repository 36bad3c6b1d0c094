"""One benchmark: simulate a world, run the real pipeline on it stage by stage, then a daily increment.

Order of work (every stage timed with :func:`bench.measure.timed`):

1. simulate ``days`` days, in a child process (reported, not counted);
2. full build: ingest each source, then DuckDB's native read of the same files
   (reference, not counted; it runs second so the page cache never favours the
   pipeline), ``dbt build``, checks, publish, in a process of the phase's own as
   Dagster runs a pipeline (:mod:`bench.phase`; the increment and the bare rerun too);
3. serve: the app's pages rendered on the full build's snapshot, repeated, p95;
4. incremental: simulate one more day (GA4 late events rewrite the last three
   day files), then ingest, ``dbt build``, checks and publish again;
5. orchestration overhead: with nothing new landed, the same work once bare and
   once through Dagster (``orchestration.run.run_pipeline``, in process);
   overhead share = (Dagster wall - bare wall) / Dagster wall.

After each phase the caller's ``checkpoint`` sees the run so far, so a run stopped
part way (a reference run takes hours) still leaves the figures it reached.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bench import stages
from bench.machine import REPOSITORY_ROOT, machine_facts
from bench.measure import Echo, StageResult, timed
from parcours.paths import HOME_ENV_VAR, DataDir
from simulator import SimulationConfig, simulate_world

DEFAULT_RESULTS_DIR = REPOSITORY_ROOT / "bench" / "results"
START_DATE = date(2026, 10, 1)
DBT_STEP = "dbt_build"  #: the Dagster step (and dagster-dbt target folder prefix) of ``dbt build``


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BenchConfig:
    """What to benchmark and where to put things."""

    customers: int
    days: int
    seed: int = 42
    results_dir: Path = DEFAULT_RESULTS_DIR
    work_dir: Path | None = None  #: parent of the scratch data directory (default: <results>/tmp)
    keep_data: bool = False
    incremental: bool = True
    orchestration: bool = True

    @property
    def scale(self) -> str:
        """A short label such as ``10k_x30``."""
        return f"{_short(self.customers)}_x{self.days}"


def _short(number: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if number >= size and number % size == 0:
            return f"{number // size}{unit}"
    return str(number)


@dataclass
class BenchRun:
    """Every stage measured in one benchmark, by phase."""

    config: BenchConfig
    name: str
    data: DataDir
    phases: dict[str, list[StageResult]] = field(default_factory=dict)
    orchestration: dict[str, object] = field(default_factory=dict)
    started_at: str = ""
    machine: dict[str, object] = field(default_factory=dict)  #: bench.machine.machine_facts at the start
    complete: bool = False  #: every phase the config asked for has run

    def add(self, phase: str, stage: StageResult, echo: Echo) -> StageResult:
        """Record a finished stage and say how it went."""
        self.phases.setdefault(phase, []).append(stage)
        echo(stage.progress_line())
        return stage


def run_benchmark(
    config: BenchConfig, echo: Echo = _stderr, checkpoint: Callable[[BenchRun], None] | None = None
) -> BenchRun:
    """Run the whole benchmark; the caller writes the results (see :mod:`bench.report`).

    ``checkpoint`` is called with the run after each phase (for partial results).
    """
    stamp = datetime.now(UTC)
    name = f"{stamp:%Y%m%dT%H%M%SZ}_{config.scale}"
    work = (config.work_dir or config.results_dir / "tmp").resolve()
    data = DataDir(work / name).ensure()
    os.environ[HOME_ENV_VAR] = str(data.root)
    started_at = stamp.isoformat(timespec="seconds")
    run = BenchRun(config, name, data, started_at=started_at, machine=machine_facts())
    echo(f"Benchmark {name}: data directory {data.root}")
    phases: list[Callable[[BenchRun, Echo], None]] = [_full_build, _serve]
    phases += [_incremental_day] if config.incremental else []
    phases += [_orchestration_overhead] if config.orchestration else []
    try:
        for phase in phases:
            phase(run, echo)
            run.complete = phase is phases[-1]
            if checkpoint is not None:
                checkpoint(run)
    finally:
        if not config.keep_data:
            shutil.rmtree(data.root, ignore_errors=True)
    return run


def _simulate(run: BenchRun, phase: str, first_day: int, days: int, echo: Echo) -> None:
    echo(f"[{phase}] simulate {days} day(s) from day {first_day}")
    settings = SimulationConfig(
        customers=run.config.customers,
        days=days,
        seed=run.config.seed,
        start_date=START_DATE,
        first_day_index=first_day,
        show_progress=False,
    )
    # In a child process: the simulator is no part of the pipeline, and a process that has simulated
    # keeps much of its heap (about 570 MB after one day at 1M customers), counted in later peaks.
    child = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    with timed("simulate", counted=False) as stage, child:
        stage.rows = child.submit(_simulated_records, settings, run.data.landing, run.data.truth).result()
    run.add(phase, stage, echo)


def _simulated_records(settings: SimulationConfig, landing: Path, truth: Path) -> int:
    """Simulate the world (the landing zone and its truth) and return how many records it wrote."""
    return simulate_world(settings, landing_dir=landing, truth_dir=truth).total_records


def _pipeline_stages(run: BenchRun, phase: str, echo: Echo, *, native: bool) -> None:
    """Ingest, build, check and publish in a process of the phase's own (:mod:`bench.phase`)."""
    from bench.phase import run_phase  # not at the top: ``python -m bench.phase`` imports this package

    run_phase(run.data, phase, echo, native=native, done=run.phases.setdefault(phase, []).append)


def _full_build(run: BenchRun, echo: Echo) -> None:
    _simulate(run, "full", 0, run.config.days, echo)
    _pipeline_stages(run, "full", echo, native=True)
    _api_ingest(run, echo)


def _api_ingest(run: BenchRun, echo: Echo) -> None:
    """API mode on the same world, served over HTTP on 127.0.0.1, into a scratch warehouse."""
    from bench.api import ingest_api

    echo("[api] ingest crm + pos through their APIs (local server)")
    scratch = DataDir(run.data.tmp / "bench_api")
    try:
        run.add("api", ingest_api(run.data, scratch), echo)
    finally:
        shutil.rmtree(scratch.root, ignore_errors=True)


def _incremental_day(run: BenchRun, echo: Echo) -> None:
    _simulate(run, "incremental", run.config.days, 1, echo)
    _pipeline_stages(run, "incremental", echo, native=False)


def _serve(run: BenchRun, echo: Echo) -> None:
    """The app's pages rendered on the latest published snapshot."""
    from parcours.serving import current_snapshot

    snapshot = current_snapshot(run.data.serving)
    if snapshot is not None:
        echo("[serve] app pages")
        run.add("serve", stages.time_app_pages(run.data), echo)


def _orchestration_overhead(run: BenchRun, echo: Echo) -> None:
    """Nothing new landed: the same work bare, then through Dagster in process.

    The Dagster side is timed without loading the definitions (importing them and
    dagster-dbt's manifest is a fixed cost of each process, reported on its own as
    ``definitions_load_s``); the run's own step timings split its wall time into step
    compute and what Dagster adds around the steps (``outside_steps_s``).
    """
    _pipeline_stages(run, "rerun_bare", echo, native=False)
    bare = sum(stage.seconds for stage in run.phases["rerun_bare"] if stage.counted)
    echo("[rerun_dagster] load definitions, then orchestration.run.run_pipeline (in process)")
    started = time.perf_counter()
    try:
        with timed("dagster definitions load", counted=False) as load:
            from orchestration.definitions import defs  # noqa: F401 (imported to time the load)
        run.add("rerun_dagster", load, echo)
        from orchestration.run import run_pipeline

        # dagster-dbt relays dbt's log to stdout; keep stdout for the results table.
        with timed("dagster run_pipeline") as stage, contextlib.redirect_stdout(sys.stderr):
            summary = run_pipeline(tags={"parcours/bench": run.name})
        stage.ok = summary.success
        stage.detail = {"run_id": summary.run_id, "published": summary.published, "reason": summary.reason}
        steps = _step_seconds(summary.run_id)
    except Exception as error:  # the graph may not load while the dbt models are unfinished
        where = traceback.extract_tb(error.__traceback__)[-1]
        reason = f"run_pipeline failed in {Path(where.filename).name}:{where.lineno}: {error!r}"
        run.orchestration = {"bare_s": bare, "reason": reason[:500]}
        echo(f"    run_pipeline could not run after {time.perf_counter() - started:.1f} s: {error!r}")
        return
    stage.detail["steps_s"] = steps
    run.add("rerun_dagster", stage, echo)
    dbt_process = _dbt_process_seconds(summary.run_id)
    run.orchestration = {
        "bare_s": bare,
        "dagster_s": stage.seconds,
        "definitions_load_s": load.seconds,
        "steps_s": sum(steps.values()),
        "dbt_step_s": steps.get(DBT_STEP),
        "dbt_process_s": dbt_process,
        "success": stage.ok,
    }


def _dbt_process_seconds(run_id: str) -> float | None:
    """Wall seconds of the ``dbt build`` process a Dagster run started, start-up included.

    dagster-dbt gives each invocation its own target folder, ``dbt_build-<run id[:7]>-<hash>``,
    where the dbt step writes the process's wall time (``dbt_process.json``, from just after
    the process started to its exit): the same span the bare ``dbt build`` stage times. The
    difference to the Dagster step is what the step adds around dbt (preparing the invocation,
    reading dbt's events, storing materialisations and check results). Without that file
    (older runs), dbt's own ``run_results.json`` span, which leaves out dbt's start-up.
    """
    from orchestration.defs.transformation import DBT_PROCESS_TIMING_FILE
    from orchestration.environment import DBT_PROJECT_DIR

    folders = sorted((DBT_PROJECT_DIR / "target").glob(f"{DBT_STEP}-{run_id[:7]}-*"))
    if not folders:
        return None
    timing = folders[-1] / DBT_PROCESS_TIMING_FILE
    if timing.exists():
        return float(json.loads(timing.read_text(encoding="utf-8"))["seconds"])
    return stages.dbt_span_seconds(folders[-1] / "run_results.json")


def _step_seconds(run_id: str) -> dict[str, float]:
    """Wall seconds of each step of a Dagster run, from the instance's step statistics."""
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(run_id)
    return {
        stat.step_key: round(stat.end_time - stat.start_time, 3)
        for stat in stats
        if stat.start_time is not None and stat.end_time is not None
    }
