"""The restricted copy handed from the raw parse: loaded exactly once wherever a run stops, then deleted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dlt
import pytest

from ingestion import crm_restricted_source, crm_source, ensure_pii_key, run_ingestion
from ingestion.handoff import handoff_files
from ingestion.pipelines import make_pipeline, pipelines_dir, prepared_for_a_run
from parcours.paths import DataDir
from tests.ingestion.conftest import rows, scalar
from tests.ingestion.world import World, write_world

ROOT = Path(__file__).resolve().parents[2]
# a raw CRM run that dies (no clean-up, like a SIGKILL) right after handing its first rows over
DIE_AFTER_FIRST_HANDOFF = """
import os
import sys
from pathlib import Path

from ingestion import run_ingestion
from ingestion.handoff import HandoffWriter
from parcours.paths import DataDir

write = HandoffWriter.write


def write_then_die(self, tables):
    write(self, tables)
    if any(table.num_rows for table in tables.values()):
        os._exit(9)


HandoffWriter.write = write_then_die
run_ingestion(DataDir(Path(sys.argv[1])), sources=["crm"])
"""


def _assert_restricted_loaded_once(data_dir: DataDir, world: World) -> None:
    contacts = len(world.contact_ids)
    assert scalar(data_dir, "SELECT count(*) FROM restricted_crm.contacts") == contacts
    assert scalar(data_dir, "SELECT count(DISTINCT contact_id) FROM restricted_crm.contacts") == contacts
    assert scalar(data_dir, "SELECT count(*) FROM restricted_crm.quarantine") == world.quarantined(
        "crm/contacts/"
    )
    assert scalar(data_dir, "SELECT count(*) FROM raw_crm.contacts") == contacts
    assert not handoff_files(pipelines_dir(data_dir)), "every hand-off file is deleted once loaded"


def test_a_run_hands_the_clear_values_over_and_leaves_no_file(data_dir: DataDir) -> None:
    world = write_world(data_dir.landing)
    run_ingestion(data_dir, sources=["crm"])
    _assert_restricted_loaded_once(data_dir, world)
    payloads = scalar(data_dir, "SELECT string_agg(raw_payload, ' ') FROM restricted_crm.quarantine")
    assert "@" in payloads, "quarantined lines keep their clear values in the restricted dataset"


def test_a_raw_run_killed_while_extracting_hands_nothing_over_twice(data_dir: DataDir) -> None:
    world = write_world(data_dir.landing)
    died = subprocess.run(
        [sys.executable, "-c", DIE_AFTER_FIRST_HANDOFF, str(data_dir.root)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
    )
    assert died.returncode == 9, died.stderr.decode()[-2000:]
    assert handoff_files(pipelines_dir(data_dir)), "the dead run left its first rows handed over"
    run_ingestion(data_dir, sources=["crm"])
    _assert_restricted_loaded_once(data_dir, world)


def _run_raw_crm(raw: dlt.Pipeline, data_dir: DataDir) -> None:
    """One run of the raw CRM pipeline alone: loaded, its hand-off not settled."""
    raw.run(crm_source(landing_url=str(data_dir.landing), pii_key=ensure_pii_key(data_dir)))


@pytest.mark.parametrize("dropped", [False, True], ids=["local_folder_kept", "local_folder_dropped"])
def test_a_raw_load_stopped_before_its_hand_off_settled_is_handed_over_once(
    data_dir: DataDir, dropped: bool
) -> None:
    world = write_world(data_dir.landing)
    raw = make_pipeline("crm", data_dir)
    _run_raw_crm(raw, data_dir)  # loaded, but the process stopped before moving its hand-off to ready
    if dropped:  # a Dagster step's retry: dagster-dlt drops the local folder (loaded packages too)
        raw.drop()
    run_ingestion(data_dir, sources=["crm"])
    _assert_restricted_loaded_once(data_dir, world)


def test_several_folders_loaded_at_once_keep_the_latest_load_of_a_contact(data_dir: DataDir) -> None:
    write_world(data_dir.landing)
    first_file = sorted((data_dir.landing / "crm" / "contacts").glob("*.jsonl"))[0]
    first_line = json.loads(first_file.read_text().splitlines()[0])
    contact_id = first_line["id"]
    raw = make_pipeline("crm", data_dir)
    for email in ("first@example.com", "second@example.com"):  # same updatedAt, two loads
        lines = first_file.read_text().splitlines()
        lines[0] = json.dumps({**first_line, "properties": {**first_line["properties"], "email": email}})
        first_file.write_text("\n".join(lines) + "\n")
        with prepared_for_a_run(raw):  # loaded and handed over; no restricted run in between
            _run_raw_crm(raw, data_dir)
    run_ingestion(data_dir, sources=["crm"])
    where = f"WHERE contact_id = '{contact_id}'"
    restricted = rows(data_dir, f"SELECT email, email_hash FROM restricted_crm.contacts {where}")
    raw_hash = scalar(data_dir, f"SELECT email_hash FROM raw_crm.contacts {where}")
    assert restricted == [("second@example.com", raw_hash)]


@pytest.mark.parametrize("loaded", [False, True], ids=["before_its_load", "after_its_load"])
def test_a_restricted_run_stopped_loads_every_folder_once(data_dir: DataDir, loaded: bool) -> None:
    world = write_world(data_dir.landing)
    raw = make_pipeline("crm", data_dir)
    with prepared_for_a_run(raw):
        _run_raw_crm(raw, data_dir)
    restricted = make_pipeline("crm_restricted", data_dir)
    if loaded:
        restricted.run(crm_restricted_source())  # stopped before deleting what it loaded
    else:
        restricted.extract(crm_restricted_source())
        restricted.normalize()  # stopped before its load
    assert handoff_files(pipelines_dir(data_dir))
    run_ingestion(data_dir, sources=["crm"])
    _assert_restricted_loaded_once(data_dir, world)
