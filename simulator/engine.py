"""``simulate_world``: build the world, run the days, write the landing zone and the ground truth."""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.config import SimulationConfig
from simulator.crm import SalesSummary, crm_exports
from simulator.export import ExportWriter, WriteLog
from simulator.ga4 import build_ga4_events, ga4_export, ga4_relative_path
from simulator.journeys import DayActivity, simulate_day, update_stages
from simulator.population import Population, build_population
from simulator.pos import build_pos_orders, empty_pending_returns, pos_export
from simulator.social import social_exports
from simulator.state import JourneyState, initial_state
from simulator.summary import SimulationSummary, day_progress
from simulator.truth import TruthMerger, stage_rows, write_channel_effects, write_persons
from simulator.world import World, build_world, write_reference_files

STATE_FOLDER = "_state"
PARTS_FOLDER = "_parts"
MAX_GA4_DELAY_DAYS = 3


@dataclass
class RunState:
    """What a run hands to the next one: people's state, planned returns, late GA4 events."""

    journey: JourneyState
    pending_returns: pa.Table
    late_ga4: dict[tuple[int, int], pa.Table] = field(default_factory=dict)  #: (event day, lag) -> events
    ga4_lines: dict[str, int] = field(default_factory=dict)  #: lines already in the last GA4 files


def simulate_world(config: SimulationConfig, landing_dir: Path, truth_dir: Path) -> SimulationSummary:
    """Simulate ``config.days`` days from ``config.first_day_index``; write landing files and truth."""
    started = time.perf_counter()
    world, population = build_world(config), build_population(config)
    state_dir, parts_dir = truth_dir / STATE_FOLDER, truth_dir / PARTS_FOLDER
    if config.first_day_index == 0:
        _clear_truth(truth_dir)
    shutil.rmtree(parts_dir, ignore_errors=True)
    run = _load_or_start(config, population, state_dir)
    log = WriteLog(lines_per_file=dict(run.ga4_lines))
    reference_counts = write_reference_files(world, landing_dir)
    writer = ExportWriter(config.seed, config.malformed_rate, landing_dir, parts_dir, log)
    try:
        if config.first_day_index == 0:
            changed = update_stages(config, run.journey, -1)
            writer.write_part("stages", stage_rows(world, run.journey, changed, -1))
        with day_progress(config.show_progress) as progress:
            task = progress.add_task("days", total=config.days)
            for day in range(config.first_day_index, config.last_day_index + 1):
                _simulate_one_day(config, world, population, run, writer, day)
                progress.advance(task)
    finally:
        writer.close()
    _save_state(config, world, run, log, state_dir)
    _write_truth(config, population, run, log, truth_dir, parts_dir, state_dir)
    return SimulationSummary(
        customers=config.customers,
        days=config.days,
        first_day_index=config.first_day_index,
        records_per_kind={**log.lines_per_kind, **reference_counts},
        malformed_records=len(log.malformed),
        elapsed_seconds=time.perf_counter() - started,
    )


def _simulate_one_day(
    config: SimulationConfig,
    world: World,
    population: Population,
    run: RunState,
    writer: ExportWriter,
    day: int,
) -> None:
    state = run.journey
    initial_base = (np.flatnonzero(state.in_crm), SalesSummary.of(state)) if day == 0 else None
    activity = simulate_day(config, world, population, state, day)
    for export in crm_exports(config, world, population, state, activity, initial_base):
        writer.write(export)
    pos_day = build_pos_orders(config, world, population, activity, run.pending_returns)
    run.pending_returns = pos_day.pending_returns
    writer.write(pos_export(pos_day.orders, world, day))
    _write_ga4(config, world, population, run, writer, activity, day)
    for export in social_exports(config, world, population, activity):
        writer.write(export)
    writer.write_part("stages", stage_rows(world, state, activity.stage_changed, day))


def _write_ga4(
    config: SimulationConfig,
    world: World,
    population: Population,
    run: RunState,
    writer: ExportWriter,
    activity: DayActivity,
    day: int,
) -> None:
    """Write the day's on-time events, keep late ones, and append those arriving today to their day."""
    events = build_ga4_events(config, world, population, run.journey, activity)
    lag = events["arrival_lag"].to_numpy()
    writer.write(ga4_export(events.filter(pa.array(lag == 0)), day, world, part=0))
    for delay in range(1, MAX_GA4_DELAY_DAYS + 1):
        run.late_ga4[(day, delay)] = events.filter(pa.array(lag == delay))
    for event_day, delay in sorted(run.late_ga4):
        if event_day + delay == day:
            writer.write(ga4_export(run.late_ga4.pop((event_day, delay)), event_day, world, part=delay))


TRUTH_FILES: tuple[str, ...] = (
    "persons.parquet",
    "identifiers.parquet",
    "records.parquet",
    "shared_identifiers.parquet",
    "stage_history.parquet",
    "malformed.parquet",
    "channel_effects.json",
)


def _clear_truth(truth_dir: Path) -> None:
    """A run from day 0 starts a new world: forget the truth and state of any earlier one."""
    for name in TRUTH_FILES:
        (truth_dir / name).unlink(missing_ok=True)
    shutil.rmtree(truth_dir / STATE_FOLDER, ignore_errors=True)


def _load_or_start(config: SimulationConfig, population: Population, state_dir: Path) -> RunState:
    """The initial state for day 0, or the state an earlier run left for ``first_day_index``."""
    if config.first_day_index == 0:
        return RunState(journey=initial_state(config, population), pending_returns=empty_pending_returns())
    meta_file = state_dir / "meta.json"
    if not meta_file.exists():
        raise FileNotFoundError(f"no earlier run to continue: {meta_file} is missing")
    meta = json.loads(meta_file.read_text())
    if meta["world"] != config.world_key() or meta["next_day"] != config.first_day_index:
        raise ValueError(
            f"cannot continue: the earlier run has world {meta['world']} and next day {meta['next_day']}, "
            f"this one {config.world_key()} from day {config.first_day_index}"
        )
    late = {}
    for path in sorted((state_dir / "late_ga4").glob("*.parquet")):
        event_day, delay = (int(part) for part in path.stem.split("_"))
        late[(event_day, delay)] = pq.read_table(path)
    return RunState(
        journey=JourneyState.load(state_dir / "journey"),
        pending_returns=pq.read_table(state_dir / "pending_returns.parquet"),
        late_ga4=late,
        ga4_lines=meta["ga4_lines"],
    )


def _save_state(
    config: SimulationConfig, world: World, run: RunState, log: WriteLog, state_dir: Path
) -> None:
    """Keep what the next run needs to continue this world from the day after the last one."""
    shutil.rmtree(state_dir / "journey", ignore_errors=True)
    shutil.rmtree(state_dir / "late_ga4", ignore_errors=True)
    run.journey.save(state_dir / "journey")
    pq.write_table(run.pending_returns, state_dir / "pending_returns.parquet")
    (state_dir / "late_ga4").mkdir(parents=True)
    for (event_day, delay), table in sorted(run.late_ga4.items()):
        pq.write_table(table, state_dir / "late_ga4" / f"{event_day}_{delay}.parquet")
    pending_files = {ga4_relative_path(world, event_day) for event_day, _ in run.late_ga4}
    meta = {
        "world": config.world_key(),
        "next_day": config.last_day_index + 1,
        "ga4_lines": {
            path: log.lines_per_file[path] for path in sorted(pending_files) if path in log.lines_per_file
        },
    }
    (state_dir / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def _write_truth(
    config: SimulationConfig,
    population: Population,
    run: RunState,
    log: WriteLog,
    truth_dir: Path,
    parts_dir: Path,
    state_dir: Path,
) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    merger = TruthMerger(truth_dir, parts_dir, state_dir)
    try:
        merger.merge(log.malformed)
    finally:
        merger.close()
    write_persons(truth_dir, population, run.journey)
    write_channel_effects(truth_dir, config)
