"""The ground truth folder: merge the per-day parts into sorted Parquet files."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.config import (
    CHANNEL_LIFT,
    CHANNELS,
    FUNNEL_STAGES,
    PERSONA_CHANNEL_AFFINITY,
    PERSONA_PROFILES,
    PERSONAS,
    SimulationConfig,
)
from simulator.export import quiet_connection
from simulator.population import AGE_BANDS, GENDERS, PREFERRED_CHANNELS, Population
from simulator.stages import BUYING_CYCLES
from simulator.state import CONSENT_KINDS, JourneyState
from simulator.world import STORES, World

SHARED_USAGE_FILE = "shared_usage.parquet"


def stage_rows(world: World, state: JourneyState, people: np.ndarray, day: int) -> pa.Table:
    """Stage-history rows of ``people`` whose stage changed at the end of ``day``."""
    stage = state.stage[people]
    return pa.table(
        {
            "person_id": people.astype(np.int64),
            "valid_from": pa.array(np.full(len(people), np.datetime64(world.day_date(day), "D"))),
            "funnel_stage": pa.array(FUNNEL_STAGES).take(pa.array(stage.astype(np.int64))),
            "buying_cycle": pa.array(BUYING_CYCLES).take(pa.array(state.cycle[people].astype(np.int64))),
        }
    )


class TruthMerger:
    """Merge new parts with the truth already written by earlier runs of the same world."""

    def __init__(self, truth_dir: Path, parts_dir: Path, state_dir: Path):
        self.truth_dir = truth_dir
        self.parts_dir = parts_dir
        self.state_dir = state_dir
        self.con = quiet_connection()

    def _parts(self, kind: str) -> list[str]:
        return sorted(str(p) for p in (self.parts_dir / kind).glob("*.parquet"))

    def _rewrite(self, name: str, sources: list[str], query: str) -> None:
        """Write ``query`` over the union of ``sources`` (plus the existing file) to ``name``, atomically."""
        target = self.truth_dir / name
        inputs = ([str(target)] if target.exists() else []) + sources
        if not inputs:
            return
        scratch = target.with_name(target.name + ".tmp")
        listing = ", ".join(f"'{path}'" for path in inputs)
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW src AS SELECT * FROM read_parquet([{listing}], union_by_name=true)"
        )
        self.con.execute(f"COPY ({query}) TO '{scratch}' (FORMAT PARQUET)")
        scratch.replace(target)

    def merge(self, malformed: list[tuple[str, str, int, str]]) -> None:
        """Rewrite records, identifiers, shared identifiers, stage history and malformed lines."""
        self._rewrite(
            "records.parquet",
            self._parts("records"),
            "SELECT * FROM src ORDER BY source, record_type, record_id",
        )
        self._rewrite(
            "stage_history.parquet", self._parts("stages"), "SELECT * FROM src ORDER BY person_id, valid_from"
        )
        self._merge_identifiers()
        self._merge_malformed(malformed)

    def _merge_identifiers(self) -> None:
        parts = self._parts("identifiers")
        if parts:
            listing = ", ".join(f"'{path}'" for path in parts)
            self.con.execute(
                f"CREATE OR REPLACE TEMP VIEW new_ids AS SELECT * FROM read_parquet([{listing}])"
            )
            personal = self.parts_dir / "personal.parquet"
            usage = self.parts_dir / "usage.parquet"
            self.con.execute(
                f"COPY (SELECT identifier_type, identifier_value, CAST(person_id AS BIGINT) AS person_id "
                f"FROM new_ids WHERE shared_kind IS NULL) TO '{personal}' (FORMAT PARQUET)"
            )
            self.con.execute(
                f"COPY (SELECT identifier_type, identifier_value, shared_kind AS kind, "
                f"CAST(person_id AS BIGINT) AS person_id FROM new_ids WHERE shared_kind IS NOT NULL) "
                f"TO '{usage}' (FORMAT PARQUET)"
            )
            self._rewrite(
                "identifiers.parquet",
                [str(personal)],
                "SELECT DISTINCT * FROM src ORDER BY identifier_type, identifier_value, person_id",
            )
            self._rewrite_state_usage(usage)
        usage_file = self.state_dir / SHARED_USAGE_FILE
        if usage_file.exists():
            target = self.truth_dir / "shared_identifiers.parquet"
            self.con.execute(
                "COPY (SELECT identifier_type, identifier_value, kind, "
                f"count(DISTINCT person_id) AS n_persons FROM read_parquet('{usage_file}') "
                "GROUP BY ALL ORDER BY identifier_type, identifier_value, kind) "
                f"TO '{target}' (FORMAT PARQUET)"
            )

    def _rewrite_state_usage(self, usage: Path) -> None:
        target = self.state_dir / SHARED_USAGE_FILE
        inputs = [str(p) for p in (target, usage) if p.exists()]
        listing = ", ".join(f"'{path}'" for path in inputs)
        scratch = target.with_name(target.name + ".tmp")
        self.con.execute(
            f"COPY (SELECT DISTINCT * FROM read_parquet([{listing}]) ORDER BY ALL) "
            f"TO '{scratch}' (FORMAT PARQUET)"
        )
        scratch.replace(target)

    def _merge_malformed(self, malformed: list[tuple[str, str, int, str]]) -> None:
        table = pa.table(
            {
                "source": pa.array([m[0] for m in malformed], pa.string()),
                "file": pa.array([m[1] for m in malformed], pa.string()),
                "line": pa.array([m[2] for m in malformed], pa.int64()),
                "defect": pa.array([m[3] for m in malformed], pa.string()),
            }
        )
        part = self.parts_dir / "malformed.parquet"
        self.con.register("malformed_rows", table)
        self.con.execute(f"COPY (SELECT * FROM malformed_rows) TO '{part}' (FORMAT PARQUET)")
        self.con.unregister("malformed_rows")
        self._rewrite("malformed.parquet", [str(part)], "SELECT * FROM src ORDER BY source, file, line")

    def close(self) -> None:
        """Release DuckDB and delete the parts."""
        self.con.close()
        shutil.rmtree(self.parts_dir, ignore_errors=True)


def write_persons(truth_dir: Path, population: Population, state: JourneyState) -> None:
    """persons.parquet: persona, demographics, home store, preferred channel, final consents."""
    columns: dict[str, pa.Array] = {
        "person_id": pa.array(np.arange(population.size, dtype=np.int64)),
        "persona": pa.array(PERSONAS).take(pa.array(population.persona)),
        "age_band": pa.array(AGE_BANDS).take(pa.array(population.age_band)),
        "gender": pa.array(GENDERS).take(pa.array(population.gender)),
        "region": pa.array([s.region for s in STORES]).take(pa.array(population.home_store)),
        "home_store_id": pa.array([s.store_id for s in STORES]).take(pa.array(population.home_store)),
        "preferred_channel": pa.array(PREFERRED_CHANNELS).take(pa.array(population.preferred_channel)),
    }
    for index, kind in enumerate(CONSENT_KINDS):
        columns[f"consent_{kind}"] = pa.array(state.consent[:, index])
    pq.write_table(pa.table(columns), truth_dir / "persons.parquet")


def write_channel_effects(truth_dir: Path, config: SimulationConfig) -> None:
    """channel_effects.json: channel lifts, persona affinities and behaviour, noise rates."""
    effects = {
        "lift_definition": (
            "odds ratio applied, per exposure that day, to the person's next stage-advancing action"
        ),
        "channel_lift": CHANNEL_LIFT,
        "channel_base_daily_exposure": dict(zip(CHANNELS, config.channel_exposure_rate, strict=True)),
        "persona_channel_affinity": {
            p: dict(zip(CHANNELS, a, strict=True)) for p, a in PERSONA_CHANNEL_AFFINITY.items()
        },
        "persona_profiles": {p: vars(profile) for p, profile in PERSONA_PROFILES.items()},
        "stage_rules": {
            "consideration_window_days": config.consideration_window_days,
            "loyalty_window_days": config.loyalty_window_days,
            "lapse_after_days": config.lapse_after_days,
        },
        "noise_rates": config.noise_rates(),
        "initial_stage_valid_from": (config.start_date - timedelta(days=1)).isoformat(),
    }
    (truth_dir / "channel_effects.json").write_text(json.dumps(effects, indent=2, sort_keys=True) + "\n")
